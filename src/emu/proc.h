/* kentry emu: running a helper program (an emulator, or one asked for its
 * version or model list) with its output on pipes read live with poll().
 * The child dies with kentry (PR_SET_PDEATHSIG). */
#ifndef KENTRY_EMU_PROC_H
#define KENTRY_EMU_PROC_H

#include <poll.h>
#include <stddef.h>
#include <sys/types.h>

/* The descriptors a child gets: each map[i] puts kentry's descriptor
 * map[i].from at number map[i].to in the child. Numbers 0, 1 and 2 that
 * no entry names get /dev/null. env: "NAME=value" strings set in the
 * child only (NULL-terminated, may be NULL). */
#define KSPAWN_MAX_FDS 6
struct kspawn {
	struct { int from, to; } map[KSPAWN_MAX_FDS];
	size_t n;
	const char *const *env;
};

/* Starts argv with the descriptors of io. Returns the pid, or -1 with
 * errno. The caller closes its copies of the child's ends. */
pid_t spawn_io(char *const argv[], const struct kspawn *io);

/* Starts argv with stdin on /dev/null and stdout/stderr on new pipes.
 * Returns the pid, or -1 with errno. */
pid_t spawn(char *const argv[], int *out_fd, int *err_fd);

/* Kills (when still running) and reaps pid; returns its wait status. */
int kill_reap(pid_t pid);

/* Asks pid to stop (SIGTERM), waits up to grace_s for it to exit, then
 * kills it; returns its wait status. */
int stop_reap(pid_t pid, double grace_s);

/* One round of reading a child's outputs pf[0..n-1]: waits up to
 * timeout_ms, hands each chunk read to on_data (with the index) and each
 * end of stream to on_eof (the fd is then closed and set to -1; a
 * pseudo-terminal's EIO after its last writer went is an end too).
 * Returns -1 when poll failed, 0 when nothing was ready, 1 otherwise. */
typedef void (*pump_data_fn)(void *arg, int i, const char *buf, size_t n);
typedef void (*pump_eof_fn)(void *arg, int i);
int pump(struct pollfd *pf, int n, int *open_n, int timeout_ms, pump_data_fn on_data,
	 pump_eof_fn on_eof, void *arg);

/* Runs argv to completion (at most limit_s seconds), capturing stdout into
 * a malloc'd string. Returns 0 when it exited with status 0. */
int run_capture(char *const argv[], char **out, double limit_s);
/* The same, keeping stdout and stderr both (in the order read); *status
 * gets the wait status. Returns 0 when the program ran (whatever its
 * status), -1 when it could not be started. */
int run_capture_all(char *const argv[], char **out, double limit_s, int *status);

/* The full path of an executable: env_var's value when it is set (NULL
 * when that is not executable), else the first `name` on $PATH. */
char *find_program(const char *env_var, const char *name);

#endif
