/* kentry emu: running helper programs (QEMU, Bochs) with their output on
 * pipes, read live with poll(). */
#include "proc.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

/* ------------------------------------------------------------------ */
/* Running programs                                                    */

/* Starts argv with stdin on /dev/null and stdout/stderr on new pipes.
 * Returns the pid, or -1 with errno. */
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
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		/* QEMU dies with kentry, whatever kills kentry. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		int dn = open("/dev/null", O_RDONLY);
		if (dn < 0 || dup2(dn, 0) < 0 || dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		/* Say why on the stderr pipe; the parent reports it. */
		const char *m = "kentry: exec failed: ";
		const char *e = strerror(errno);
		if (write(2, m, strlen(m)) < 0 || write(2, e, strlen(e)) < 0 || write(2, "\n", 1) < 0)
			_exit(127);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	*out_fd = po[0];
	*err_fd = pe[0];
	return pid;
}

/* Kills (when still running) and reaps pid; returns its wait status. */
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

/* One round of reading a child's stdout (index 0) and stderr (index 1):
 * waits up to timeout_ms, hands each chunk read to on_data and each end of
 * stream to on_eof (the fd is then closed and set to -1). Returns -1 when
 * poll failed, 0 when nothing was ready, 1 otherwise. */

int pump(struct pollfd pf[2], int *open_n, int timeout_ms, pump_data_fn on_data,
		pump_eof_fn on_eof, void *arg)
{
	int pr = poll(pf, 2, timeout_ms);
	if (pr < 0)
		return errno == EINTR ? 0 : -1;
	if (pr == 0)
		return 0;
	for (int i = 0; i < 2; i++) {
		if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		char tmp[4096];
		ssize_t n = read(pf[i].fd, tmp, sizeof(tmp));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			if (on_eof)
				on_eof(arg, i);
			close(pf[i].fd);
			pf[i].fd = -1;
			(*open_n)--;
			continue;
		}
		on_data(arg, i, tmp, (size_t)n);
	}
	return 1;
}

struct capture {
	char *buf;
	size_t len, cap;
};

/* run_capture keeps stdout (up to 1 MiB) and drops stderr. */
static void capture_data(void *arg, int i, const char *buf, size_t n)
{
	struct capture *c = arg;
	if (i != 0 || c->len >= (1u << 20))
		return;
	if (c->len + n + 1 > c->cap) {
		c->cap = (c->len + n + 1) * 2;
		c->buf = xrealloc(c->buf, c->cap);
	}
	memcpy(c->buf + c->len, buf, n);
	c->len += n;
}

/* Runs argv to completion (at most limit_s seconds), capturing stdout into
 * a malloc'd string. Returns 0 when it exited with status 0. */
int run_capture(char *const argv[], char **out, double limit_s)
{
	int ofd, efd;
	*out = NULL;
	pid_t pid = spawn(argv, &ofd, &efd);
	if (pid < 0)
		return -1;
	struct capture c = { xmalloc(4096), 0, 4096 };
	double deadline = now_s() + limit_s;
	struct pollfd pf[2] = { { ofd, POLLIN, 0 }, { efd, POLLIN, 0 } };
	int open_n = 2;
	while (open_n > 0) {
		double left = deadline - now_s();
		if (left <= 0 || pump(pf, &open_n, (int)(left * 1000) + 1, capture_data, NULL, &c) < 0)
			break;
	}
	for (int i = 0; i < 2; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	int st = kill_reap(pid);
	c.buf[c.len] = '\0';
	*out = c.buf;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

