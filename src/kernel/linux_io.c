/* kentry kernel: the Linux system calls about files, of which a process
 * here has three: standard input (empty: a read gives end of file, as
 * from /dev/null), standard output and standard error (the serial line,
 * progout.c). They behave as pipes do: not terminals (ioctl -ENOTTY), not
 * seekable (-ESPIPE), fstat says S_IFIFO. There is no file system: a path
 * names nothing (-ENOENT) except /proc/self/exe for readlink. */
#include "linux.h"
#include "kernel.h"
#include "ktime.h"
#include "proc.h"
#include "uaccess.h"

#define RD(dst, a, n) kuser_read((dst), (a), (n), c->lim)
#define WR(a, src, n) kuser_write((a), (src), (n), c->lim)

static int fd_ok(uint64_t fd)
{
	return fd < 3 && !kproc.fd_closed[fd];
}

/* ---- read and write ------------------------------------------------------------------ */

#define CHUNK 256

/* n bytes at ubuf to fd 1 or 2; the count written, or -EFAULT when the
 * first chunk could not be read. */
static int64_t do_write(struct lxc *c, uint64_t fd, uint64_t ubuf, uint64_t n)
{
	if (!fd_ok(fd) || fd == 0)
		return -LX_EBADF;
	if (n > 0x7ffff000ull)
		n = 0x7ffff000ull; /* Linux's MAX_RW_COUNT */
	uint8_t buf[CHUNK];
	uint64_t done = 0;
	while (done < n) {
		uint64_t k = n - done < CHUNK ? n - done : CHUNK;
		if (RD(buf, ubuf + done, k))
			return done ? (int64_t)done : -LX_EFAULT;
		kprogout((int)fd, buf, k);
		done += k;
	}
	return (int64_t)done;
}

static int64_t do_read(uint64_t fd, uint64_t n)
{
	(void)n;
	if (!fd_ok(fd))
		return -LX_EBADF;
	if (fd != 0)
		return -LX_EBADF; /* stdout and stderr are write-only */
	return 0;                 /* end of file */
}

/* readv/writev: the iovec array (16-byte entries, 8 for the i386 ABI) */
static int64_t do_vec(struct lxc *c, int write)
{
	uint64_t fd = c->a[0], iov = c->a[1], cnt = c->a[2];
	if (!fd_ok(fd))
		return -LX_EBADF;
	if (cnt > 1024)
		return -LX_EINVAL; /* UIO_MAXIOV */
	uint64_t es = c->compat ? 8 : 16, total = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		uint64_t base = 0, len = 0;
		if (c->compat) {
			uint32_t v[2];
			if (RD(v, iov + i * es, 8))
				return total ? (int64_t)total : -LX_EFAULT;
			base = v[0], len = v[1];
		} else {
			uint64_t v[2];
			if (RD(v, iov + i * es, 16))
				return total ? (int64_t)total : -LX_EFAULT;
			base = v[0], len = v[1];
		}
		if ((int64_t)len < 0)
			return -LX_EINVAL;
		if (!len)
			continue;
		int64_t r = write ? do_write(c, fd, base, len) : do_read(fd, len);
		if (r < 0)
			return total ? (int64_t)total : r;
		total += (uint64_t)r;
		if ((uint64_t)r < len)
			break;
	}
	return (int64_t)total;
}

/* ---- what the three descriptors are ---------------------------------------------------- */

struct fstat_info {
	uint32_t mode;
	uint64_t ino;
	uint64_t sec, nsec;
};

static void pipe_info(uint64_t fd, struct fstat_info *s)
{
	uint64_t mono, real;
	ktime_now(&mono, &real);
	s->mode = 0010000 | 0600; /* S_IFIFO, rw------- */
	s->ino = 1000 + fd;
	s->sec = real / 1000000000ull;
	s->nsec = real % 1000000000ull;
}

static void put64(uint8_t *b, unsigned off, uint64_t v)
{
	memcpy(b + off, &v, 8);
}

static void put32(uint8_t *b, unsigned off, uint32_t v)
{
	memcpy(b + off, &v, 4);
}

/* struct stat of the x86-64 ABI (144 bytes) */
static int64_t put_stat(struct lxc *c, uint64_t ubuf, const struct fstat_info *s)
{
	uint8_t b[144];
	memset(b, 0, sizeof(b));
	put64(b, 0, 0x12);      /* st_dev: pipefs's */
	put64(b, 8, s->ino);
	put64(b, 16, 1);        /* st_nlink */
	put32(b, 24, s->mode);
	put64(b, 56, 4096);     /* st_blksize */
	for (unsigned t = 0; t < 3; t++) {
		put64(b, 72 + 16 * t, s->sec);
		put64(b, 80 + 16 * t, s->nsec);
	}
	return WR(ubuf, b, sizeof(b)) ? -LX_EFAULT : 0;
}

/* struct stat64 of the i386 ABI (96 bytes) */
static int64_t put_stat64(struct lxc *c, uint64_t ubuf, const struct fstat_info *s)
{
	uint8_t b[96];
	memset(b, 0, sizeof(b));
	put64(b, 0, 0x12);
	put32(b, 12, (uint32_t)s->ino);
	put32(b, 16, s->mode);
	put32(b, 20, 1);
	put32(b, 52, 4096);
	for (unsigned t = 0; t < 3; t++) {
		put32(b, 64 + 8 * t, (uint32_t)s->sec);
		put32(b, 68 + 8 * t, (uint32_t)s->nsec);
	}
	put64(b, 88, s->ino);
	return WR(ubuf, b, sizeof(b)) ? -LX_EFAULT : 0;
}

/* struct statx (256 bytes, both ABIs) */
static int64_t put_statx(struct lxc *c, uint64_t ubuf, const struct fstat_info *s)
{
	uint8_t b[256];
	memset(b, 0, sizeof(b));
	put32(b, 0, 0x7ff);     /* STATX_BASIC_STATS */
	put32(b, 4, 4096);      /* stx_blksize */
	put32(b, 16, 1);        /* stx_nlink */
	uint16_t mode = (uint16_t)s->mode;
	memcpy(b + 28, &mode, 2);
	put64(b, 32, s->ino);
	for (unsigned t = 0; t < 4; t++) { /* atime, btime, ctime, mtime */
		put64(b, 64 + 16 * t, s->sec);
		put32(b, 72 + 16 * t, (uint32_t)s->nsec);
	}
	put32(b, 140, 0x12);    /* stx_dev_minor */
	return WR(ubuf, b, sizeof(b)) ? -LX_EFAULT : 0;
}

/* A path from user memory into buf (at most n - 1 bytes); its length,
 * or -EFAULT / -ENAMETOOLONG. */
static int64_t get_path(struct lxc *c, uint64_t upath, char *buf, uint64_t n)
{
	for (uint64_t i = 0; i + 1 < n; i++) {
		if (RD(&buf[i], upath + i, 1))
			return -LX_EFAULT;
		if (!buf[i])
			return (int64_t)i;
	}
	buf[n - 1] = 0;
	return -36; /* ENAMETOOLONG */
}

#define AT_FDCWD_ (-100)
#define AT_EMPTY_PATH_ 0x1000

/* fstatat-like calls: (dirfd, path, flags); 0-2 with an empty path and
 * AT_EMPTY_PATH are the descriptors themselves, anything else names no
 * file. */
static int64_t at_target(struct lxc *c, uint64_t dirfd, uint64_t upath, uint64_t flags,
			 uint64_t *fd)
{
	char p[256];
	int64_t n = get_path(c, upath, p, sizeof(p));
	if (n < 0)
		return n;
	if (n == 0) {
		if (!(flags & AT_EMPTY_PATH_))
			return -LX_ENOENT;
		if (!fd_ok(dirfd))
			return -LX_EBADF;
		*fd = dirfd;
		return 0;
	}
	return -LX_ENOENT;
}

/* ---- names ---------------------------------------------------------------------------- */

static int64_t do_readlink(struct lxc *c, uint64_t upath, uint64_t ubuf, uint64_t size)
{
	char p[256];
	int64_t n = get_path(c, upath, p, sizeof(p));
	if (n < 0)
		return n;
	if ((int64_t)size <= 0)
		return -LX_EINVAL;
	if (strcmp(p, "/proc/self/exe") != 0)
		return -LX_ENOENT; /* no file system */
	uint64_t len = strlen(kproc.exe);
	if (len > size)
		len = size; /* truncated, without a NUL, as readlink(2) says */
	return WR(ubuf, kproc.exe, len) ? -LX_EFAULT : (int64_t)len;
}

static int64_t do_uname(struct lxc *c, uint64_t ubuf)
{
	/* struct new_utsname: six fields of 65 bytes */
	static const char *const f[6] = { "Linux", "kentry", "6.1.0-kentry",
					  "#1 kentry " KENTRY_VERSION, "x86_64", "(none)" };
	char b[6 * 65];
	memset(b, 0, sizeof(b));
	for (unsigned i = 0; i < 6; i++)
		memcpy(b + 65 * i, f[i], strlen(f[i]));
	return WR(ubuf, b, sizeof(b)) ? -LX_EFAULT : 0;
}

static int64_t do_getrandom(struct lxc *c, uint64_t ubuf, uint64_t n, uint64_t flags)
{
	if (flags & ~7ull) /* GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE */
		return -LX_EINVAL;
	if (n > 33554431)
		n = 33554431;
	uint8_t b[CHUNK];
	uint64_t done = 0;
	while (done < n) {
		uint64_t k = n - done < CHUNK ? n - done : CHUNK;
		krandom_bytes(b, k);
		if (WR(ubuf + done, b, k))
			return done ? (int64_t)done : -LX_EFAULT;
		done += k;
	}
	return (int64_t)done;
}

int64_t lx_sys_io(struct lxc *c, unsigned what)
{
	uint64_t *a = c->a;
	struct fstat_info s;
	uint64_t fd = 0;
	int64_t r;
	switch (what) {
	case LXW_READ:
		return do_read(a[0], a[2]);
	case LXW_WRITE:
		return do_write(c, a[0], a[1], a[2]);
	case LXW_READV:
		return do_vec(c, 0);
	case LXW_WRITEV:
		return do_vec(c, 1);
	case LXW_CLOSE:
		if (!fd_ok(a[0]))
			return -LX_EBADF;
		kproc.fd_closed[a[0]] = 1;
		return 0;
	case LXW_IOCTL:
		return fd_ok(a[0]) ? -LX_ENOTTY : -LX_EBADF; /* pipes, not terminals */
	case LXW_FCNTL:
		if (!fd_ok(a[0]))
			return -LX_EBADF;
		if (a[1] == 1 || a[1] == 2) /* F_GETFD, F_SETFD */
			return 0;
		if (a[1] == 3)              /* F_GETFL: O_RDONLY, O_WRONLY */
			return a[0] == 0 ? 0 : 1;
		return -LX_EINVAL;
	case LXW_LSEEK:
	case LXW_LLSEEK:
		return fd_ok(a[0]) ? -LX_ESPIPE : -LX_EBADF;
	case LXW_FSTAT:
	case LXW_FSTAT64:
		if (!fd_ok(a[0]))
			return -LX_EBADF;
		pipe_info(a[0], &s);
		return what == LXW_FSTAT ? put_stat(c, a[1], &s) : put_stat64(c, a[1], &s);
	case LXW_NEWFSTATAT:
	case LXW_FSTATAT64:
		r = at_target(c, a[0], a[1], a[3], &fd);
		if (r)
			return r;
		pipe_info(fd, &s);
		return what == LXW_NEWFSTATAT ? put_stat(c, a[2], &s) : put_stat64(c, a[2], &s);
	case LXW_STATX:
		r = at_target(c, a[0], a[1], a[2], &fd);
		if (r)
			return r;
		pipe_info(fd, &s);
		return put_statx(c, a[4], &s);
	case LXW_STAT:
	case LXW_STAT64:
	case LXW_OPEN:
	case LXW_ACCESS: {
		char p[256];
		r = get_path(c, a[0], p, sizeof(p));
		return r < 0 ? r : -LX_ENOENT;
	}
	case LXW_OPENAT:
	case LXW_FACCESSAT: {
		char p[256];
		r = get_path(c, a[1], p, sizeof(p));
		return r < 0 ? r : -LX_ENOENT;
	}
	case LXW_READLINK:
		return do_readlink(c, a[0], a[1], a[2]);
	case LXW_READLINKAT:
		return do_readlink(c, a[1], a[2], a[3]);
	case LXW_GETCWD:
		if (a[1] < 2)
			return -LX_ERANGE;
		return WR(a[0], "/", 2) ? -LX_EFAULT : 2;
	case LXW_UNAME:
		return do_uname(c, a[0]);
	case LXW_GETRANDOM:
		return do_getrandom(c, a[0], a[1], a[2]);
	}
	return -LX_ENOSYS;
}
