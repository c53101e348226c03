/* kentry emu: one emulator run under kentry's control. See run.h.
 *
 * Every descriptor is read live with poll(); whatever way the loop ends,
 * the emulator is stopped (SIGTERM then SIGKILL after the kernel's end
 * line, SIGKILL otherwise) and reaped, and every channel closed. The
 * emulator also gets PR_SET_PDEATHSIG (proc.c), so it dies with kentry. */
#include "run.h"
#include "proc.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void kemu_init(struct kemu_run *r, const struct kemu_traits *t, const struct kboot_opts *o,
	       double limit_s)
{
	memset(r, 0, sizeof(*r));
	r->t = t;
	r->o = o;
	r->limit_s = limit_s;
	for (size_t i = 0; i < KEMU_MAX_CHAN; i++)
		r->chan[i].parent_fd = r->chan[i].child_fd = -1;
	krun_init(&r->run);
	kring_init(&r->tail, KEMU_TAIL);
	kserial_init(&r->ser, &r->run);
	r->ser.progress = o->progress;
	r->ser.progress_arg = o->progress_arg;
	r->ser.only = o->only;
	r->ser.n_only = o->only ? o->n_only : 0;
	r->ser.echo = o->verbose;
	r->ser.mode = (o->mode ? o->mode : KBOOT_LONG) | (o->fred ? KBOOT_FRED : 0);
	r->ser.variants = kboot_variant_mask(o->variant);
	r->ser.op_gtod = o->op_gtod;
	if (o->mitigations)
		kboot_mitigation_variants(o->mitigations, r->ser.mitig_variants,
					  sizeof(r->ser.mitig_variants));
	r->ser.selftest = o->selftest_report;
	if (o->selftest_report)
		kst_report_free(o->selftest_report); /* an earlier attempt's (KVM) */
	r->ser.fuzz = o->fuzz_report;
	if (o->fuzz_report)
		kfuzz_report_free(o->fuzz_report);
	r->ser.exec = o->exec;
	if (o->exec)
		kexec_report_free(o->exec);
}

void kemu_free(struct kemu_run *r)
{
	kserial_free(&r->ser);
	krun_free(&r->run);
	kring_free(&r->tail);
	for (size_t i = 0; i < r->n_chan; i++) {
		if (r->chan[i].parent_fd >= 0)
			close(r->chan[i].parent_fd);
		if (r->chan[i].child_fd >= 0)
			close(r->chan[i].child_fd);
		r->chan[i].parent_fd = r->chan[i].child_fd = -1;
	}
}

void kemu_tail(const struct kemu_run *r, char *buf, size_t len)
{
	int others = 0;
	for (size_t k = 0; k < r->tail.n; k++)
		if (!strstr(kring_get(&r->tail, k), "warning:"))
			others = 1;
	if (len)
		buf[0] = '\0';
	for (size_t k = 0; k < r->tail.n; k++) {
		const char *l = kring_get(&r->tail, k);
		if (!others || !strstr(l, "warning:"))
			bufcat(buf, len, "\n  %s: %s", r->t->prefix, l);
	}
}

void kemu_status_text(const struct kemu_run *r, char *buf, size_t len)
{
	int st = r->st;
	if (r->end == KEMU_STOPPED)
		snprintf(buf, len, "%s stopped by kentry after the end line", r->t->name);
	else if (WIFEXITED(st))
		snprintf(buf, len, "%s exit status %d", r->t->name, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "%s killed by signal %d", r->t->name, WTERMSIG(st));
	else
		snprintf(buf, len, "%s wait status %#x", r->t->name, st);
}

/* ------------------------------------------------------------------ */
/* The live loop                                                       */

struct linebuf {
	char buf[KSERIAL_LINE_MAX];
	size_t n;
};

struct loop {
	struct kemu_run *r;
	struct linebuf lb[KEMU_MAX_CHAN];
	int chan_of[KEMU_MAX_CHAN]; /* pollfd index -> channel */
	enum kemu_event event;      /* first event seen */
};

static void on_line(struct loop *l, int ci, const char *raw)
{
	struct kemu_run *r = l->r;
	char buf[KSERIAL_LINE_MAX];
	sanitize(buf, sizeof(buf), raw);
	char *line = buf;
	enum kemu_event ev = KEV_NONE;
	if (r->watch)
		ev = r->watch(r->ctx, r->chan[ci].tag, &line, r->what, sizeof(r->what));
	if (!line[0])
		return;
	if (r->o->verbose && !r->chan[ci].noecho)
		fprintf(stderr, "%s: %s\n", r->t->prefix, line);
	if (ev == KEV_QUIET)
		return;
	kring_push(&r->tail, line);
	if (ev != KEV_NONE && l->event == KEV_NONE)
		l->event = ev;
}

static void lines_feed(struct loop *l, int ci, const char *data, size_t n)
{
	struct linebuf *lb = &l->lb[ci];
	for (size_t i = 0; i < n; i++) {
		char c = data[i];
		if (c == '\n') {
			lb->buf[lb->n] = '\0';
			on_line(l, ci, lb->buf);
			lb->n = 0;
		} else if (lb->n + 1 < sizeof(lb->buf)) {
			lb->buf[lb->n++] = c; /* the rest of a very long line is dropped */
		}
	}
}

static void lines_flush(struct loop *l, int ci)
{
	struct linebuf *lb = &l->lb[ci];
	if (lb->n == 0)
		return;
	lb->buf[lb->n] = '\0';
	on_line(l, ci, lb->buf);
	lb->n = 0;
}

static void loop_data(void *arg, int i, const char *buf, size_t n)
{
	struct loop *l = arg;
	int ci = l->chan_of[i];
	switch (l->r->chan[ci].role) {
	case KCHAN_SERIAL:
		kserial_feed(&l->r->ser, buf, n);
		break;
	case KCHAN_LINES:
		lines_feed(l, ci, buf, n);
		break;
	case KCHAN_DRAIN:
		break;
	}
}

static void loop_eof(void *arg, int i)
{
	struct loop *l = arg;
	int ci = l->chan_of[i];
	if (l->r->chan[ci].role == KCHAN_SERIAL)
		kserial_flush(&l->r->ser);
	else if (l->r->chan[ci].role == KCHAN_LINES)
		lines_flush(l, ci);
	l->r->chan[ci].parent_fd = -1; /* pump closed it */
}

static enum kemu_end event_end(enum kemu_event ev, int end_seen)
{
	switch (ev) {
	case KEV_ERROR: return KEMU_EMUERR;
	case KEV_RESET: return KEMU_RESET;
	case KEV_HALT: return end_seen ? KEMU_STOPPED : KEMU_HALTED;
	default: return KEMU_EXITED;
	}
}

void kemu_go(struct kemu_run *r)
{
	struct kspawn io = { .n = 0, .env = r->env };
	for (size_t i = 0; i < r->n_chan; i++)
		for (int k = 0; k < 3 && r->chan[i].as[k] >= 0 && io.n < KSPAWN_MAX_FDS; k++) {
			io.map[io.n].from = r->chan[i].child_fd;
			io.map[io.n].to = r->chan[i].as[k];
			io.n++;
		}
	if (r->o->verbose) {
		fprintf(stderr, "kentry boot:");
		for (int i = 0; r->argv[i]; i++)
			fprintf(stderr, " %s", r->argv[i]);
		fputc('\n', stderr);
	}

	double t0 = now_s();
	pid_t pid = spawn_io(r->argv, &io);
	int spawn_errno = errno;
	for (size_t i = 0; i < r->n_chan; i++) {
		close(r->chan[i].child_fd);
		r->chan[i].child_fd = -1;
	}
	if (pid < 0) {
		r->end = KEMU_SPAWN;
		snprintf(r->what, sizeof(r->what), "%s", strerror(spawn_errno));
		return;
	}

	struct loop *l = xmalloc(sizeof(*l));
	memset(l, 0, sizeof(*l));
	l->r = r;
	struct pollfd pf[KEMU_MAX_CHAN];
	int n = 0;
	for (size_t i = 0; i < r->n_chan; i++) {
		pf[n].fd = r->chan[i].parent_fd;
		pf[n].events = POLLIN;
		pf[n].revents = 0;
		l->chan_of[n++] = (int)i;
	}
	int open_n = n;
	/* The serial console is what matters: once it and the message
	 * channels are closed (the emulator exited), the loop ends even if a
	 * drained terminal stays open. */
	r->end = KEMU_EXITED;
	double end_seen_at = 0, event_at = 0;
	for (;;) {
		int readers = 0;
		for (int i = 0; i < n; i++)
			if (pf[i].fd >= 0 && r->chan[l->chan_of[i]].role != KCHAN_DRAIN)
				readers++;
		if (readers == 0 || open_n == 0)
			break;
		double t = now_s();
		if (t - t0 > r->limit_s) {
			r->end = KEMU_TIMEOUT;
			break;
		}
		if (r->life_s > 0 && !r->ser.header_seen && t - t0 > r->life_s) {
			r->end = KEMU_NOLIFE;
			break;
		}
		if (l->event != KEV_NONE) {
			/* a moment more for the emulator's next lines (the
			 * kind of error) and the last serial bytes */
			if (event_at == 0)
				event_at = t;
			else if (t - event_at > 0.3) {
				r->end = event_end(l->event, r->ser.end_seen);
				break;
			}
		}
		if (r->ser.boot_error[0]) {
			snprintf(r->what, sizeof(r->what), "%s", r->ser.boot_error);
			r->end = KEMU_NOSTART; /* it halts after saying so */
			break;
		}
		if (r->ser.end_seen) {
			if (end_seen_at == 0)
				end_seen_at = t;
			if (r->t->exit_pass < 0) {
				r->end = KEMU_STOPPED; /* the end line is the last one */
				break;
			}
			if (t - end_seen_at > r->t->end_grace_s) {
				r->end = KEMU_TIMEOUT;
				break;
			}
		}
		if (pump(pf, n, &open_n, 100, loop_data, loop_eof, l) < 0)
			break;
	}
	for (int i = 0; i < n; i++) {
		if (pf[i].fd < 0)
			continue;
		int ci = l->chan_of[i];
		if (r->chan[ci].role == KCHAN_SERIAL)
			kserial_flush(&r->ser);
		else if (r->chan[ci].role == KCHAN_LINES)
			lines_flush(l, ci);
		close(pf[i].fd);
		r->chan[ci].parent_fd = -1;
	}
	if (r->end == KEMU_EXITED && l->event != KEV_NONE)
		r->end = event_end(l->event, r->ser.end_seen);
	free(l);
	r->st = r->end == KEMU_STOPPED ? stop_reap(pid, 1.0) : kill_reap(pid);
	r->elapsed = now_s() - t0;
}

/* ------------------------------------------------------------------ */
/* Judging the run                                                     */

/* The image must be the kernel of the mode asked for (its env line says
 * which it is): another kernel reports another set of ids. Returns the
 * mode the kernel named when it differs, else 0. */
static unsigned other_kernel(const struct kemu_run *r)
{
	unsigned want = r->o->mode ? r->o->mode : KBOOT_LONG, got;
	const char *km = kenv_get(&r->run.guest_env, "kernel.mode");
	if (!km)
		return 0;
	if (kboot_mode_parse(km, &got) != 0)
		return ~0u;
	return got != want ? got : 0;
}

int kemu_judge(const struct kemu_run *r, char *err, size_t errlen, const char **missing)
{
	const struct kemu_traits *t = r->t;
	char tail[KSERIAL_TAIL * 200], etail[KEMU_TAIL * 200], stt[96];
	kserial_tail(&r->ser, tail, sizeof(tail));
	kemu_tail(r, etail, sizeof(etail));
	kemu_status_text(r, stt, sizeof(stt));
	const char *lastp = r->ser.last_progress[0] ? r->ser.last_progress : "none yet";
	const char *tail_or = tail[0] ? tail : "\n  (no serial output)";
	int st = r->st;
	int exited = r->end == KEMU_EXITED && WIFEXITED(st);
	*missing = NULL;
	err[0] = '\0';

	switch (r->end) {
	case KEMU_SPAWN:
		snprintf(err, errlen, "cannot start %s: %s", r->argv[0], r->what);
		return 3;
	case KEMU_TIMEOUT:
		if (r->ser.end_seen)
			snprintf(err, errlen, "the kernel printed its end line but %s did not exit "
					      "within %.0f s (%s); %s was killed",
				 t->name, t->end_grace_s, t->end_hint ? t->end_hint : "?", t->name);
		else
			snprintf(err, errlen, "guest hung: no end line within %.0f s (last path "
					      "started: %s); %s was killed. Last serial lines:%s",
				 r->limit_s, lastp, t->name, tail_or);
		*missing = "the guest hung";
		return 4;
	case KEMU_NOLIFE:
		snprintf(err, errlen, "guest showed no sign of life within %.0f s; %s was killed",
			 r->life_s, t->name);
		*missing = "the guest never started";
		return 4;
	case KEMU_EMUERR:
		snprintf(err, errlen, "%s stopped the guest: %s (last path started: %s). Last "
				      "serial lines:%s",
			 t->name, r->what, lastp, tail_or);
		*missing = "the emulator stopped the guest";
		return 4;
	case KEMU_RESET:
		snprintf(err, errlen, "guest reset (triple fault): %s reported '%s' (last path "
				      "started: %s). Last serial lines:%s",
			 t->name, r->what, lastp, tail_or);
		*missing = "guest reset (triple fault)";
		return 4;
	case KEMU_HALTED:
		snprintf(err, errlen, "the guest halted for good without an end line (%s: %s; last "
				      "path started: %s). Last serial lines:%s",
			 t->name, r->what, lastp, tail_or);
		*missing = "the guest halted early";
		return 4;
	case KEMU_NOSTART:
		snprintf(err, errlen, "the kernel could not start on this CPU model: %s (%s was "
				      "stopped)",
			 r->what, t->name);
		*missing = "the kernel could not start";
		return 4;
	case KEMU_EXITED:
	case KEMU_STOPPED:
		break;
	}
	if (exited && t->exit_noboot >= 0 && WEXITSTATUS(st) == t->exit_noboot &&
	    !r->ser.header_seen) {
		snprintf(err, errlen, "%s could not boot %s (%s):%s", t->name,
			 r->o->kernel_path ? r->o->kernel_path : "the kernel", stt,
			 etail[0] ? etail : " no message");
		*missing = "the emulator did not boot the kernel";
		return 4;
	}
	if (!r->ser.end_seen) {
		int reset = exited && t->exit_reset >= 0 && WEXITSTATUS(st) == t->exit_reset;
		snprintf(err, errlen, "%s: the serial output ended without an end line (%s; last "
				      "path started: %s). Last serial lines:%s%s",
			 reset ? "guest reset (triple fault?)" : "guest stopped early", stt, lastp,
			 tail_or, etail);
		*missing = reset ? "guest reset (triple fault?)" : "the guest stopped early";
		return 4;
	}
	int want = r->ser.end_pass ? t->exit_pass : t->exit_fail;
	int status_ok = want < 0 || (exited && WEXITSTATUS(st) == want);
	if (r->ser.tap_not_ok > 0) {
		snprintf(err, errlen, "the kernel's self-checks failed (%d of %d): %s (%s)",
			 r->ser.tap_not_ok, r->ser.tap_ok + r->ser.tap_not_ok, r->ser.failures, stt);
		return 4;
	}
	if (!r->ser.end_pass) {
		snprintf(err, errlen, "the kernel reported a failed run (end fail %u/%u, %s); "
				      "last serial lines:%s",
			 r->ser.end_measured, r->ser.end_total, stt, tail_or);
		return 4;
	}
	if (!status_ok) {
		snprintf(err, errlen, "the kernel printed 'end pass' but %s (expected %d: %s)", stt,
			 t->exit_pass, t->end_hint ? t->end_hint : "?");
		return 4;
	}
	if (other_kernel(r)) {
		unsigned want = r->o->mode ? r->o->mode : KBOOT_LONG;
		snprintf(err, errlen, "kernel image %s is not the %s kernel (it says kernel.mode "
				      "%s): run make, or give --kernel the %s image",
			 r->o->kernel_path ? r->o->kernel_path : "?", kboot_mode_name(want),
			 kenv_get(&r->run.guest_env, "kernel.mode"), kboot_mode_image(want));
		*missing = "the image is the other kernel";
		return 3;
	}
	return 0;
}

void kemu_finish(struct kemu_run *r, const struct kboot_opts *o, const char *count_note,
		 const char *missing, struct krun *out)
{
	if (other_kernel(r)) {
		/* its results are of other paths: dropped (kemu_judge said why);
		 * what it said about itself is kept */
		for (size_t i = 0; i < r->run.guest_env.n; i++)
			kenv_set(&out->guest_env, r->run.guest_env.e[i].key,
				 r->run.guest_env.e[i].value);
		return;
	}
	/* the self-test and the fuzzer measure nothing: no result is missing */
	static const char *const none[1] = { NULL };
	int measuring = !o->selftest && !o->fuzz_n && !o->fuzz_has_replay && !o->exec;
	kserial_finish(&r->ser, !measuring ? none : o->only && o->n_only ? o->only : NULL,
		       !measuring ? 0 : o->only ? o->n_only : 0, count_note, missing);
	if (o->selftest_report) {
		o->selftest_report->end_seen = r->ser.end_seen;
		o->selftest_report->tap_failed = r->ser.tap_not_ok;
	}
	if (o->exec) {
		o->exec->end_seen = r->ser.end_seen;
		o->exec->tap_failed = r->ser.tap_not_ok;
	}
	if (o->fuzz_report) {
		o->fuzz_report->end_seen = r->ser.end_seen;
		o->fuzz_report->tap_failed = r->ser.tap_not_ok;
	}
	krun_merge(out, &r->run);
}
