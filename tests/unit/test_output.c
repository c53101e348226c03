/* Output files (src/results/output.c): how each kind of path is written,
 * and two names for one file found before anything is written. The
 * root-only cases (a private character device made with mknod, a file of
 * another owner) are in tests/integration/outputs.sh. */
#include "unit/t.h"
#include "results/output.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/kentry-out-XXXXXX";
static char p1[512], p2[512], err[1024];

static char *in(const char *name)
{
	static char buf[4][512];
	static int k;
	char *b = buf[k++ % 4];
	snprintf(b, 512, "%s/%s", dir, name);
	return b;
}

static int plan2(const char *a, const char *b, struct kout *oa, struct kout *ob)
{
	snprintf(p1, sizeof(p1), "%s", a);
	snprintf(p2, sizeof(p2), "%s", b);
	return kout_plan(oa, p1, err, sizeof(err)) || kout_plan(ob, p2, err, sizeof(err));
}

static char *slurp(const char *path)
{
	static char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

int main(void)
{
	struct kout a, b;
	struct stat st;
	T_CHECK(mkdtemp(dir) != NULL);
	T_CHECK(mkdir(in("sub"), 0755) == 0);

	/* a new file named two ways: its directory and name are compared */
	T_CHECK(plan2(in("x.json"), in("sub/../x.json"), &a, &b) == 0);
	T_CHECK(a.kind == KOUT_REPLACE && kout_same(&a, &b));
	kout_free(&a);
	kout_free(&b);
	T_CHECK(plan2(in("x.json"), in("sub/x.json"), &a, &b) == 0);
	T_CHECK(!kout_same(&a, &b));
	kout_free(&a);
	kout_free(&b);

	/* an existing file and a symbolic link to it */
	int fd = open(in("t.json"), O_CREAT | O_WRONLY, 0640);
	T_CHECK(fd >= 0 && write(fd, "old\n", 4) == 4);
	close(fd);
	T_CHECK(chmod(in("t.json"), 0640) == 0);
	T_CHECK(symlink("t.json", in("link.json")) == 0);
	T_CHECK(plan2(in("link.json"), in("t.json"), &a, &b) == 0);
	T_CHECK(kout_same(&a, &b));
	T_CHECK(kout_is(&a, in("t.json")));
	/* the link stays a link; its target is replaced, its mode kept */
	T_CHECK(kout_write(&a, "new\n", 4, err, sizeof(err)) == 0);
	T_CHECK(lstat(in("link.json"), &st) == 0 && S_ISLNK(st.st_mode));
	T_CHECK(stat(in("t.json"), &st) == 0 && (st.st_mode & 0777) == 0640);
	T_STREQ(slurp(in("t.json")), "new\n");
	kout_free(&a);
	kout_free(&b);

	/* a dangling link: its target is created beside it */
	T_CHECK(symlink("sub/made.json", in("dangling")) == 0);
	T_CHECK(kout_plan(&a, in("dangling"), err, sizeof(err)) == 0);
	T_CHECK(a.kind == KOUT_REPLACE && strstr(a.target, "/sub/made.json") != NULL);
	T_CHECK(kout_write(&a, "x\n", 2, err, sizeof(err)) == 0);
	T_CHECK(lstat(in("dangling"), &st) == 0 && S_ISLNK(st.st_mode));
	T_STREQ(slurp(in("sub/made.json")), "x\n");
	kout_free(&a);

	/* a new file gets the umask's mode, not mkstemp's 0600 */
	mode_t old = umask(022);
	T_CHECK(kout_plan(&a, in("fresh.json"), err, sizeof(err)) == 0);
	T_CHECK(kout_write(&a, "{}\n", 3, err, sizeof(err)) == 0);
	T_CHECK(stat(in("fresh.json"), &st) == 0 && (st.st_mode & 0777) == 0644);
	kout_free(&a);
	umask(old);

	/* character devices are written through; two of them are fine */
	T_CHECK(plan2("/dev/null", "/dev/null", &a, &b) == 0);
	T_CHECK(a.kind == KOUT_THROUGH || a.kind == KOUT_STDOUT);
	T_CHECK(!kout_same(&a, &b) || a.kind == KOUT_STDOUT);
	kout_free(&a);
	kout_free(&b);
	T_CHECK(plan2("-", "-", &a, &b) == 0);
	T_CHECK(a.kind == KOUT_STDOUT && kout_same(&a, &b));

	/* a FIFO is written through: without a reader, an error, not a hang */
	T_CHECK(mkfifo(in("fifo"), 0600) == 0);
	T_CHECK(kout_plan(&a, in("fifo"), err, sizeof(err)) == 0 && a.kind == KOUT_THROUGH);
	T_CHECK(kout_write(&a, "x", 1, err, sizeof(err)) == -1);
	T_CHECK(strstr(err, "no process opened the FIFO for reading within 1 s") != NULL);
	T_CHECK(stat(in("fifo"), &st) == 0 && S_ISFIFO(st.st_mode));
	kout_free(&a);

	/* refused: a directory, a missing directory, an empty name */
	T_CHECK(kout_plan(&a, in("sub"), err, sizeof(err)) == -1 && strstr(err, "is a directory"));
	T_CHECK(kout_plan(&a, in("nodir/x.json"), err, sizeof(err)) == -1 &&
		strstr(err, "No such file or directory"));
	T_CHECK(kout_plan(&a, in("sub/"), err, sizeof(err)) == -1);
	T_CHECK(kout_plan(&a, "", err, sizeof(err)) == -1);

	/* a path that turns into something else before the write is planned
	 * again: here a new file that became a link to a character device is
	 * written through, and the device is left as it was */
	T_CHECK(kout_plan(&a, in("later"), err, sizeof(err)) == 0 && a.kind == KOUT_REPLACE);
	T_CHECK(symlink("/dev/null", in("later")) == 0);
	T_CHECK(kout_write(&a, "x", 1, err, sizeof(err)) == 0);
	T_CHECK(lstat(in("later"), &st) == 0 && S_ISLNK(st.st_mode));
	T_CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
	kout_free(&a);

	/* nothing left behind but what was written */
	const char *left[] = { "x.json", "t.json", "link.json", "dangling", "sub/made.json",
			       "fresh.json", "fifo", "later" };
	for (size_t i = 0; i < sizeof(left) / sizeof(*left); i++)
		unlink(in(left[i]));
	T_CHECK(rmdir(in("sub")) == 0);
	T_CHECK(rmdir(dir) == 0);
	return T_DONE();
}
