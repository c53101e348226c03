/* kentry commands: planned output files and a checked standard output (see
 * outputs.h). */
#include "outputs.h"
#include "cli.h"
#include "results/text.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <unistd.h>

void koutputs_add(struct koutputs *s, const char *opt, const char *path)
{
	if (!path || s->n == KOUTPUTS_MAX)
		return;
	s->e[s->n].opt = opt;
	memset(&s->e[s->n].o, 0, sizeof(s->e[s->n].o));
	s->e[s->n].o.path = path;
	s->n++;
}

int koutputs_plan(struct koutputs *s)
{
	char err[1024];
	int files = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (kout_plan(&s->e[i].o, s->e[i].o.path, err, sizeof(err)) != 0) {
			fprintf(stderr, "kentry: cannot write %s: %s\n", s->e[i].opt, err);
			return KEXIT_IO;
		}
		files += s->e[i].o.kind != KOUT_STDOUT;
	}
	for (size_t i = 0; i < s->n; i++) {
		for (size_t j = i + 1; j < s->n; j++) {
			if (!kout_same(&s->e[i].o, &s->e[j].o))
				continue;
			fprintf(stderr, "kentry: %s %s and %s %s are the same file: give each "
					"its own\n", s->e[i].opt, ktext_arg(s->e[i].o.path),
				s->e[j].opt, ktext_arg(s->e[j].o.path));
			return KEXIT_USAGE;
		}
		for (size_t k = 0; k < s->n_inputs; k++) {
			if (!kout_is(&s->e[i].o, s->inputs[k]))
				continue;
			fprintf(stderr, "kentry: %s %s is the input file %s: refusing to "
					"overwrite it\n", s->e[i].opt, ktext_arg(s->e[i].o.path),
				ktext_arg(s->inputs[k]));
			return KEXIT_USAGE;
		}
	}
	if (files)
		signal(SIGPIPE, SIG_IGN);
	return 0;
}

const struct kout *koutputs_get(const struct koutputs *s, const char *opt)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->e[i].opt, opt) == 0)
			return &s->e[i].o;
	return NULL;
}

int koutputs_stdout(const struct koutputs *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].o.kind == KOUT_STDOUT)
			return 1;
	return 0;
}

int koutputs_write(const struct koutputs *s, const char *opt, const char *data)
{
	const struct kout *o = koutputs_get(s, opt);
	if (!o)
		return 0;
	char err[1024];
	if (kout_write(o, data, strlen(data), err, sizeof(err)) != 0) {
		fprintf(stderr, "kentry: cannot write %s: %s\n", opt, err);
		return KEXIT_IO;
	}
	if (o->kind != KOUT_STDOUT)
		fprintf(stderr, "kentry: wrote %s\n", ktext_arg(o->path));
	return 0;
}

void koutputs_free(struct koutputs *s)
{
	for (size_t i = 0; i < s->n; i++)
		kout_free(&s->e[i].o);
	s->n = 0;
}

static int stdout_closed, stdout_errno;

int kstdio_flush(FILE *f)
{
	errno = 0;
	int rc = fflush(f);
	if (rc != 0 && f == stdout && !stdout_errno)
		stdout_errno = errno;
	return rc;
}

void kstdio_init(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (fd == 1)
			stdout_closed = 1;
		int nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nfd >= 0 && nfd != fd) {
			dup2(nfd, fd);
			close(nfd);
		}
	}
}

int kstdio_finish(int rc)
{
	int bad = 0, e = 0;
	errno = 0;
	if (fflush(stdout) != 0) {
		bad = 1;
		e = errno;
	} else if (ferror(stdout)) {
		/* an earlier write failed and its data is gone: its reason
		 * if a flush saw it; a pipe whose reader left shows POLLERR
		 * on the writing end */
		bad = 1;
		e = stdout_errno;
		struct pollfd pfd = { 1, POLLOUT, 0 };
		if (!e && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR))
			e = EPIPE;
	}
	if (stdout_closed) {
		bad = 1;
		e = EBADF;
	}
	if (!bad)
		return rc;
	__fpurge(stdout); /* exit() must not try the same write again */
	if (e)
		fprintf(stderr, "kentry: write error: %s\n", strerror(e));
	else
		fprintf(stderr, "kentry: write error\n");
	return rc ? rc : KEXIT_IO;
}
