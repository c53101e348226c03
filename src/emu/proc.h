/* kentry emu: running a helper program (an emulator, or one asked for its
 * version or model list) with stdin on /dev/null and stdout/stderr on
 * pipes. The child dies with kentry (PR_SET_PDEATHSIG). */
#ifndef KENTRY_EMU_PROC_H
#define KENTRY_EMU_PROC_H

#include <poll.h>
#include <stddef.h>
#include <sys/types.h>

/* Starts argv with stdin on /dev/null and stdout/stderr on new pipes.
 * Returns the pid, or -1 with errno. */
pid_t spawn(char *const argv[], int *out_fd, int *err_fd);

/* Kills (when still running) and reaps pid; returns its wait status. */
int kill_reap(pid_t pid);

/* One round of reading a child's stdout (index 0) and stderr (index 1):
 * waits up to timeout_ms, hands each chunk read to on_data and each end of
 * stream to on_eof (the fd is then closed and set to -1). Returns -1 when
 * poll failed, 0 when nothing was ready, 1 otherwise. */
typedef void (*pump_data_fn)(void *arg, int i, const char *buf, size_t n);
typedef void (*pump_eof_fn)(void *arg, int i);
int pump(struct pollfd pf[2], int *open_n, int timeout_ms, pump_data_fn on_data,
	 pump_eof_fn on_eof, void *arg);

/* Runs argv to completion (at most limit_s seconds), capturing stdout into
 * a malloc'd string. Returns 0 when it exited with status 0. */
int run_capture(char *const argv[], char **out, double limit_s);

#endif
