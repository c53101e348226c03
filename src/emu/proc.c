/* kentry emu: running helper programs (QEMU, Bochs, mtools) with their
 * output on pipes, read live with poll(). See proc.h. */
#include "proc.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* Running programs                                                    */

static void child_fail(const char *what)
{
	/* Say why on stderr (a pipe the parent reads, when it mapped one). */
	const char *e = strerror(errno);
	if (write(2, "kentry: ", 8) < 0 || write(2, what, strlen(what)) < 0 ||
	    write(2, ": ", 2) < 0 || write(2, e, strlen(e)) < 0 || write(2, "\n", 1) < 0)
		_exit(127);
	_exit(127);
}

pid_t spawn_io(char *const argv[], const struct kspawn *io)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid != 0)
		return pid;

	/* The child. The emulator dies with kentry, whatever kills kentry. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	/* Move every source out of the way first, so that a source whose
	 * number is another entry's target is not overwritten. */
	int moved[KSPAWN_MAX_FDS];
	size_t n = io->n < KSPAWN_MAX_FDS ? io->n : KSPAWN_MAX_FDS;
	for (size_t i = 0; i < n; i++) {
		moved[i] = fcntl(io->map[i].from, F_DUPFD_CLOEXEC, 64);
		if (moved[i] < 0)
			child_fail("dup");
	}
	int have[3] = { 0, 0, 0 };
	for (size_t i = 0; i < n; i++) {
		if (dup2(moved[i], io->map[i].to) < 0) /* dup2 clears close-on-exec */
			child_fail("dup2");
		if (io->map[i].to >= 0 && io->map[i].to < 3)
			have[io->map[i].to] = 1;
	}
	for (int fd = 0; fd < 3; fd++) {
		if (have[fd])
			continue;
		int dn = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (dn < 0 || dup2(dn, fd) < 0)
			_exit(127);
		if (dn != fd)
			close(dn);
	}
	if (io->env)
		for (const char *const *e = io->env; *e; e++)
			putenv((char *)*e);
	signal(SIGPIPE, SIG_DFL);
	execv(argv[0], argv);
	child_fail("exec failed");
	return -1;
}

pid_t spawn(char *const argv[], int *out_fd, int *err_fd)
{
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC))
		return -1;
	if (pipe2(pe, O_CLOEXEC)) {
		int e = errno;
		close(po[0]);
		close(po[1]);
		errno = e;
		return -1;
	}
	struct kspawn io = { .map = { { po[1], 1 }, { pe[1], 2 } }, .n = 2, .env = NULL };
	pid_t pid = spawn_io(argv, &io);
	int e = errno;
	close(po[1]);
	close(pe[1]);
	if (pid < 0) {
		close(po[0]);
		close(pe[0]);
		errno = e;
		return -1;
	}
	*out_fd = po[0];
	*err_fd = pe[0];
	return pid;
}

int kill_reap(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, WNOHANG) == pid)
		return st;
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

int stop_reap(pid_t pid, double grace_s)
{
	int st = 0;
	if (waitpid(pid, &st, WNOHANG) == pid)
		return st;
	kill(pid, SIGTERM);
	double deadline = now_s() + grace_s;
	while (now_s() < deadline) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return kill_reap(pid);
}

int pump(struct pollfd *pf, int n, int *open_n, int timeout_ms, pump_data_fn on_data,
	 pump_eof_fn on_eof, void *arg)
{
	int pr = poll(pf, (nfds_t)n, timeout_ms);
	if (pr < 0)
		return errno == EINTR ? 0 : -1;
	if (pr == 0)
		return 0;
	for (int i = 0; i < n; i++) {
		if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		char tmp[4096];
		ssize_t got = read(pf[i].fd, tmp, sizeof(tmp));
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0) { /* end of file, or EIO on a pty without a writer */
			if (on_eof)
				on_eof(arg, i);
			close(pf[i].fd);
			pf[i].fd = -1;
			(*open_n)--;
			continue;
		}
		on_data(arg, i, tmp, (size_t)got);
	}
	return 1;
}

struct capture {
	char *buf;
	size_t len, cap;
	int with_stderr;
};

/* Keeps stdout (and stderr when asked), up to 1 MiB. */
static void capture_data(void *arg, int i, const char *buf, size_t n)
{
	struct capture *c = arg;
	if ((i != 0 && !c->with_stderr) || c->len >= (1u << 20))
		return;
	if (c->len + n + 1 > c->cap) {
		c->cap = (c->len + n + 1) * 2;
		c->buf = xrealloc(c->buf, c->cap);
	}
	memcpy(c->buf + c->len, buf, n);
	c->len += n;
}

static int capture(char *const argv[], char **out, double limit_s, int with_stderr, int *status)
{
	int ofd, efd;
	*out = NULL;
	pid_t pid = spawn(argv, &ofd, &efd);
	if (pid < 0)
		return -1;
	struct capture c = { xmalloc(4096), 0, 4096, with_stderr };
	double deadline = now_s() + limit_s;
	struct pollfd pf[2] = { { ofd, POLLIN, 0 }, { efd, POLLIN, 0 } };
	int open_n = 2;
	while (open_n > 0) {
		double left = deadline - now_s();
		if (left <= 0 || pump(pf, 2, &open_n, (int)(left * 1000) + 1, capture_data, NULL, &c) < 0)
			break;
	}
	for (int i = 0; i < 2; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	*status = kill_reap(pid);
	c.buf[c.len] = '\0';
	*out = c.buf;
	return 0;
}

int run_capture(char *const argv[], char **out, double limit_s)
{
	int st;
	if (capture(argv, out, limit_s, 0, &st))
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int run_capture_all(char *const argv[], char **out, double limit_s, int *status)
{
	return capture(argv, out, limit_s, 1, status);
}

char *find_program(const char *env_var, const char *name)
{
	const char *env = env_var ? getenv(env_var) : NULL;
	if (env && *env)
		return access(env, X_OK) == 0 ? xstrdup(env) : NULL;
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	const char *p = path;
	while (*p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char cand[4096];
		if (n > 0 && n + strlen(name) + 2 < sizeof(cand)) {
			snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, p, name);
			struct stat st;
			if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
				return xstrdup(cand);
		}
		p += n;
		if (*p == ':')
			p++;
	}
	return NULL;
}
