/* kentry results: output files that never replace what is not kentry's to
 * replace (see output.h). */
#include "output.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40
#define FIFO_WAIT_MS 1000 /* how long a FIFO may wait for its reader */

/* err = "PATH: WHY" (the path escaped and shortened, the reason whole). */
static void fail(char *err, size_t errlen, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
	int n = snprintf(err, errlen, "%s: ", ktext_arg(path));
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static char *xdup(const char *s)
{
	char *d = strdup(s);
	if (!d) {
		fprintf(stderr, "kentry: out of memory\n");
		exit(70);
	}
	return d;
}

/* dirname and basename of p, without touching p. */
static void split_path(const char *p, char **dir, char **base)
{
	const char *slash = strrchr(p, '/');
	if (!slash) {
		*dir = xdup(".");
		*base = xdup(p);
	} else if (slash == p) {
		*dir = xdup("/");
		*base = xdup(slash + 1);
	} else {
		*dir = strndup(p, (size_t)(slash - p));
		*base = xdup(slash + 1);
		if (!*dir) {
			fprintf(stderr, "kentry: out of memory\n");
			exit(70);
		}
	}
}

static int same_as_fd(const struct stat *st, int fd)
{
	struct stat fs;
	return fstat(fd, &fs) == 0 && fs.st_dev == st->st_dev && fs.st_ino == st->st_ino;
}

/* Can a file be created in dir? Tried for real: a temporary file is made
 * and removed. */
static int dir_writable(const char *dir, char *err, size_t errlen, const char *path)
{
	char tmp[PATH_MAX + 64];
	if (snprintf(tmp, sizeof(tmp), "%s/.kentry-probe-XXXXXX", dir) >= (int)sizeof(tmp)) {
		fail(err, errlen, path, "path too long");
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		fail(err, errlen, path, "cannot create a file in %s: %s", ktext_arg(dir),
		     strerror(errno));
		return -1;
	}
	close(fd);
	unlink(tmp);
	return 0;
}

static mode_t default_mode(void)
{
	mode_t m = umask(0);
	umask(m);
	return 0666 & ~m;
}

/* Follows a chain of symbolic links that ends at nothing (a dangling link):
 * the path the final link names. */
static char *follow_dangling(const char *path)
{
	char *p = xdup(path);
	for (int i = 0; i < MAX_LINKS; i++) {
		struct stat st;
		if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode))
			return p;
		char link[PATH_MAX];
		ssize_t n = readlink(p, link, sizeof(link) - 1);
		if (n <= 0)
			return p;
		link[n] = '\0';
		char *next;
		if (link[0] == '/') {
			next = xdup(link);
		} else {
			char *dir, *base;
			split_path(p, &dir, &base);
			if (asprintf(&next, "%s/%s", dir, link) < 0)
				next = NULL;
			free(dir);
			free(base);
			if (!next) {
				fprintf(stderr, "kentry: out of memory\n");
				exit(70);
			}
		}
		free(p);
		p = next;
	}
	return p;
}

/* A regular file that does not exist yet (path, or the end of a dangling
 * link): its directory must exist and take new files. */
static int plan_new(struct kout *o, const char *path, char *err, size_t errlen)
{
	char *end = follow_dangling(path);
	char *dir, *base;
	split_path(end, &dir, &base);
	free(end);
	int rc = -1;
	char real[PATH_MAX];
	struct stat dst;
	if (!base[0] || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		fail(err, errlen, path, "names a directory, not a file");
	} else if (!realpath(dir, real)) {
		fail(err, errlen, path, "directory %s: %s", ktext_arg(dir), strerror(errno));
	} else if (stat(real, &dst) != 0 || !S_ISDIR(dst.st_mode)) {
		fail(err, errlen, path, "%s is not a directory", ktext_arg(dir));
	} else if (dir_writable(real, err, errlen, path) == 0) {
		o->kind = KOUT_REPLACE;
		o->dir = xdup(real);
		if (asprintf(&o->target, "%s%s%s", real, strcmp(real, "/") ? "/" : "", base) < 0) {
			fprintf(stderr, "kentry: out of memory\n");
			exit(70);
		}
		o->exists = 0;
		o->mode = default_mode();
		o->dev = dst.st_dev;
		o->ino = dst.st_ino;
		o->base = xdup(base);
		rc = 0;
	}
	free(dir);
	free(base);
	return rc;
}

int kout_plan(struct kout *o, const char *path, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->path = path;
	if (strcmp(path, "-") == 0) {
		struct stat st;
		o->kind = KOUT_STDOUT;
		if (fstat(1, &st) == 0) {
			o->dev = st.st_dev;
			o->ino = st.st_ino;
		}
		return 0;
	}
	if (!path[0]) {
		snprintf(err, errlen, "an empty file name");
		return -1;
	}
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return plan_new(o, path, err, errlen);
		fail(err, errlen, path, "%s", strerror(errno));
		return -1;
	}
	o->dev = st.st_dev;
	o->ino = st.st_ino;
	if (S_ISDIR(st.st_mode)) {
		fail(err, errlen, path, "is a directory");
		return -1;
	}
	/* The file standard output already is (not a terminal or /dev/null:
	 * writing through those is what the user asked) is standard output:
	 * the report then goes to stderr instead of mixing with the result. */
	if (same_as_fd(&st, 1) && !S_ISCHR(st.st_mode)) {
		o->kind = KOUT_STDOUT;
		return 0;
	}
	if (same_as_fd(&st, 2) && !S_ISCHR(st.st_mode)) {
		o->kind = KOUT_STDERR;
		return 0;
	}
	if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
		if (access(path, W_OK) != 0) {
			fail(err, errlen, path, "%s", strerror(errno));
			return -1;
		}
		o->kind = KOUT_THROUGH;
		o->is_chr = S_ISCHR(st.st_mode);
		return 0;
	}
	if (S_ISBLK(st.st_mode)) {
		fail(err, errlen, path, "is a block device: kentry writes results only to "
					"files, character devices and FIFOs");
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(err, errlen, path, "is a socket or another special file: not written");
		return -1;
	}
	/* a regular file, maybe through symbolic links: replace the file the
	 * links end at, in its own directory */
	char real[PATH_MAX];
	if (!realpath(path, real)) {
		fail(err, errlen, path, "%s", strerror(errno));
		return -1;
	}
	if (access(real, W_OK) != 0) {
		fail(err, errlen, path, "%s", strerror(errno));
		return -1;
	}
	char *dir, *base;
	split_path(real, &dir, &base);
	free(base);
	if (dir_writable(dir, err, errlen, path) != 0) {
		free(dir);
		return -1;
	}
	o->kind = KOUT_REPLACE;
	o->dir = dir;
	o->target = xdup(real);
	o->exists = 1;
	o->mode = st.st_mode & 0777;
	o->uid = st.st_uid;
	o->gid = st.st_gid;
	return 0;
}

int kout_same(const struct kout *a, const struct kout *b)
{
	if (a->kind == KOUT_STDOUT || b->kind == KOUT_STDOUT)
		return a->kind == b->kind;
	if (a->kind == KOUT_STDERR || b->kind == KOUT_STDERR)
		return a->kind == b->kind;
	if (a->dev != b->dev || a->ino != b->ino)
		return 0;
	if (a->base || b->base)
		return a->base && b->base && strcmp(a->base, b->base) == 0;
	return !(a->is_chr && b->is_chr);
}

int kout_is(const struct kout *o, const char *path)
{
	struct stat st;
	if (o->base || strcmp(path, "-") == 0 || stat(path, &st) != 0)
		return 0;
	return st.st_dev == o->dev && st.st_ino == o->ino;
}

static int write_all(int fd, const char *data, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

static int write_through(const struct kout *o, const char *data, size_t len, char *err,
			 size_t errlen, int *replan)
{
	/* O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of
	 * blocking forever; a reader started beside kentry gets a few seconds
	 * to open it. O_NONBLOCK is cleared before writing. */
	int fd;
	for (int tries = 0;; tries++) {
		fd = open(o->path, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
		if (fd >= 0 || errno != ENXIO || tries == FIFO_WAIT_MS / 50)
			break;
		usleep(50 * 1000);
	}
	if (fd < 0) {
		if (errno == ENXIO)
			fail(err, errlen, o->path, "no process opened the FIFO for reading within %d s",
			     FIFO_WAIT_MS / 1000);
		else
			fail(err, errlen, o->path, "%s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
		/* it changed since it was planned: plan again, write nothing */
		close(fd);
		*replan = 1;
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	if (write_all(fd, data, len) != 0) {
		fail(err, errlen, o->path, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) != 0 && errno != EINTR) {
		fail(err, errlen, o->path, "%s", strerror(errno));
		return -1;
	}
	return 0;
}

static int replace(const struct kout *o, const char *data, size_t len, char *err,
		   size_t errlen, int *replan)
{
	struct stat st;
	if (lstat(o->target, &st) == 0 ? !S_ISREG(st.st_mode) : o->exists) {
		*replan = 1; /* no longer the regular file that was planned */
		return -1;
	}
	char *dir, *base;
	split_path(o->target, &dir, &base);
	char tmp[PATH_MAX + 64];
	int n = snprintf(tmp, sizeof(tmp), "%s/.%.200s.kentry-XXXXXX", o->dir, base);
	free(dir);
	free(base);
	if (n >= (int)sizeof(tmp)) {
		fail(err, errlen, o->path, "path too long");
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		fail(err, errlen, o->path, "cannot create a temporary file beside it: %s",
		     strerror(errno));
		return -1;
	}
	if (write_all(fd, data, len) != 0)
		goto bad;
	if (o->exists && geteuid() == 0 && (o->uid != 0 || o->gid != 0))
		(void)fchown(fd, o->uid, o->gid); /* root keeps the owner */
	if (fchmod(fd, o->mode) != 0 || fsync(fd) != 0)
		goto bad;
	if (close(fd) != 0) {
		fd = -1;
		goto bad;
	}
	fd = -1;
	if (rename(tmp, o->target) != 0)
		goto bad;
	int dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd); /* the rename itself reaches the disk */
		close(dfd);
	}
	return 0;
bad:
	fail(err, errlen, o->path, "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

int kout_write(const struct kout *o, const char *data, size_t len, char *err, size_t errlen)
{
	int replan = 0, rc;
	switch (o->kind) {
	case KOUT_STDOUT:
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
			snprintf(err, errlen, "standard output: %s", strerror(errno));
			return -1;
		}
		return 0;
	case KOUT_STDERR:
		fflush(stderr);
		if (write_all(2, data, len) != 0) {
			snprintf(err, errlen, "standard error: %s", strerror(errno));
			return -1;
		}
		return 0;
	case KOUT_THROUGH:
		rc = write_through(o, data, len, err, errlen, &replan);
		break;
	default:
		rc = replace(o, data, len, err, errlen, &replan);
		break;
	}
	if (rc == 0 || !replan)
		return rc;
	/* The path is not what it was when kentry started: plan it again and
	 * write it as it is now (once). */
	struct kout again;
	if (kout_plan(&again, o->path, err, errlen) != 0)
		return -1;
	if (again.kind == o->kind && again.kind != KOUT_STDOUT) {
		rc = again.kind == KOUT_THROUGH ? write_through(&again, data, len, err, errlen, &replan)
						: replace(&again, data, len, err, errlen, &replan);
		if (rc != 0 && replan)
			fail(err, errlen, o->path, "changed while kentry was writing it");
	} else {
		rc = kout_write(&again, data, len, err, errlen);
	}
	kout_free(&again);
	return rc;
}

void kout_free(struct kout *o)
{
	free(o->target);
	free(o->dir);
	free(o->base);
	o->target = o->dir = o->base = NULL;
}
