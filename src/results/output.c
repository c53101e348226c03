/* kentry results: output files written whole or not at all. */

#include "output.h"
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* files                                                               */

static int temp_in_dir(const char *path, char *tmp, size_t n)
{
	char copy[4096];
	if (strlen(path) >= sizeof(copy))
		return -1;
	strcpy(copy, path);
	const char *dir = dirname(copy);
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (snprintf(tmp, n, "%s/.%s.kentry-XXXXXX", dir, base) >= (int)n)
		return -1;
	return 0;
}

int kio_check_writable(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory", path);
		return -1;
	}
	if (stat(path, &st) == 0 && access(path, W_OK) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char tmp[4200];
	if (temp_in_dir(path, tmp, sizeof(tmp))) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a file in its directory: %s", path,
			 strerror(errno));
		return -1;
	}
	close(fd);
	unlink(tmp);
	return 0;
}

int kio_write_atomic(const char *path, const char *data, char *err, size_t errlen)
{
	char tmp[4200];
	if (temp_in_dir(path, tmp, sizeof(tmp))) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t len = strlen(data), off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

