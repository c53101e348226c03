/* kentry kernels: the records of the serial protocol that do not depend on
 * the CPU mode (docs/serial-protocol.md): TAP self-check lines, the `env`
 * lines, one path after its probe (progress, its skip or its measurement
 * with the result and samples lines, notes), and the `end` line with the
 * isa-debug-exit write.
 *
 * Shared by the long-mode kernel (src/kernel) and the legacy 32-bit one
 * (src/kernel32), so that both report exactly the same way. Portable C
 * only (built -m64 and -m32): 64-bit values are printed with %ll. */
#include "kernel.h"
#include "cpu.h"
#include "core/cpuinfo.h"
#include "core/stats.h"

unsigned tap_count, tap_failed;
unsigned kreport_measured, kreport_total;
uint64_t kernel_tsc_hz;

void tap_check(int ok, const char *fmt, ...)
{
	char buf[400];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tap_count++;
	if (!ok)
		tap_failed++;
	kprintf("%sok %u - %s\n", ok ? "" : "not ", tap_count, buf);
}

void kreport_end(int pass)
{
	kprintf("end %s %u/%u\n", pass ? "pass" : "fail", kreport_measured, kreport_total);
	/* isa-debug-exit: QEMU exits with (value << 1) | 1; nothing on real
	 * hardware, where we just halt with the end line on the console. */
	outb(0xf4, pass ? 0x10 : 0x11);
	halt_forever();
}

void kernel_fail_end(const char *why)
{
	kprintf("# fatal: %s\n", why);
	kreport_end(0);
}

static const char *yn(int v)
{
	return v ? "yes" : "no";
}

void kreport_env(const char *mode, void (*more)(void))
{
	struct kcpuinfo ci;
	kcpuinfo_read(&ci);
	kprintf("env kernel.mode %s\n", mode);
	kprintf("env cpu.vendor %s\n", ci.vendor);
	kprintf("env cpu.family %u\n", ci.family);
	kprintf("env cpu.model %u\n", ci.model);
	kprintf("env cpu.stepping %u\n", ci.stepping);
	kprintf("env cpu.name %s\n", ci.brand[0] ? ci.brand : "unknown");
	kprintf("env hypervisor %s\n", ci.hv_signature[0] ? ci.hv_signature : "none");
	kprintf("env cpu.rdtscp %s\n", yn(ci.has_rdtscp));
	kprintf("env cpu.pcid %s\n", yn(ci.has_pcid));
	kprintf("env cpu.invariant_tsc %s\n", yn(ci.has_invariant_tsc));
	kprintf("env cpu.sep %s\n", yn(ci.has_sep));
	kprintf("env cpu.syscall %s\n", yn(ci.has_syscall));
	/* TSC frequency in core/cpuinfo.h's order: leaf 0x15 with a stated
	 * crystal, the hypervisor leaf, the PIT measurement, leaf 0x16; a
	 * CPUID figure more than 0.5 % from the PIT's gives way to it. */
	uint64_t pit = pit_measure_tsc_hz();
	struct ktsc_freq f;
	ktsc_freq_decide(&ci.tsc, pit, &f);
	kprintf("env tsc.hz %llu\n", (unsigned long long)f.hz);
	kernel_tsc_hz = f.hz;
	kprintf("env tsc.method %s\n", f.method == KTSC_FREQ_MEASURED ? "pit"
								: ktsc_freq_method_name(f.method));
	if (f.cpuid_hz) {
		kprintf("env tsc.cpuid_hz %llu\n", (unsigned long long)f.cpuid_hz);
		kprintf("env tsc.cpuid_method %s\n", ktsc_freq_method_name(f.cpuid_method));
	}
	if (f.disagree)
		kprintf("env tsc.warning %s says %.3f GHz, %s%.1f %% from the PIT's %.3f GHz: "
			"the measurement is used\n",
			ktsc_freq_method_name(f.cpuid_method), (double)f.cpuid_hz / 1e9,
			f.diff < 0 ? "-" : "+", f.diff < 0 ? -100.0 * f.diff : 100.0 * f.diff,
			(double)pit / 1e9);
	kprintf("env tsc.pit_hz %llu\n", (unsigned long long)pit);
	kprintf("env cpu.lfence_serializing_msr %s\n", lfence_msr_state());
	kprintf("env kernel.samples %u\n", kcfg.samples);
	if (kcfg.batch)
		kprintf("env kernel.batch %u\n", kcfg.batch);
	kprintf("env kernel.timer lfence;rdtsc;lfence in ring 3\n");
	kprintf("env kernel.ring3_if %d\n", kcfg.ring3_if);
	if (more)
		more();
	kprintf("env cmdline %s\n", kcfg.cmdline);
}

#define MAX_SAMPLES 10000
/* Batch cap. KMEASURE_MAX_BATCH (4096) only binds when a round trip costs
 * under 5 TSC ticks, i.e. under QEMU -icount where the TSC counts
 * instructions and every figure is exact anyway; 1024 there keeps a
 * default run in seconds. Real hardware (>= ~70 cycles) never reaches it. */
#define KERNEL_MAX_BATCH 1024u
static double samples[MAX_SAMPLES];

/* The samples behind a result line (docs/serial-protocol.md), so the host
 * can judge a difference between two runs by their spread: 50 to a line,
 * which keeps every line far below the host's 1024-byte limit. */
#define SAMPLES_PER_LINE 50u
static void print_samples(const char *id, const double *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i += SAMPLES_PER_LINE) {
		kprintf("samples %s", id);
		for (uint32_t k = i; k < n && k < i + SAMPLES_PER_LINE; k++)
			kprintf(" %.2f", v[k]);
		kprintf("\n");
	}
}

/* core/measure.c's batch callbacks over a path's loops */
static uint64_t loops_batch(struct kreport_loops *l, void (*loop)(void), uint32_t n)
{
	uint64_t ticks = 0;
	uint32_t st = l->run(l->path, loop, n ? n : 1, &ticks);
	if (st) {
		if (!l->failed)
			l->failed = st;
		return 0;
	}
	return ticks;
}

static uint64_t loops_op(void *ctx, uint32_t n)
{
	struct kreport_loops *l = ctx;
	return loops_batch(l, l->op, n);
}

static uint64_t loops_empty(void *ctx, uint32_t n)
{
	struct kreport_loops *l = ctx;
	return loops_batch(l, l->empty, n);
}

static int measure(const char *tok, struct kreport_loops *l)
{
	kbatch_fn op = loops_op, empty = loops_empty;
	void *ctx = l;
	uint32_t n = kcfg.samples;
	if (n > MAX_SAMPLES)
		n = MAX_SAMPLES;
	if (n < 1)
		n = 1;
	struct kmeasure_info info;
	memset(&info, 0, sizeof(info));
	info.batch = kcfg.batch ? kcfg.batch
		     : l->batch ? l->batch
				: kmeasure_pick_batch(op, empty, ctx, KMEASURE_TARGET_CYCLES,
						      KERNEL_MAX_BATCH, &info.probe_cycles);
	l->batch = info.batch;
	kmeasure_run(op, empty, ctx, n, KMEASURE_TARGET_CYCLES, samples, &info);
	if (l->failed)
		return 0;
	struct kstats s;
	kstats_compute(samples, n, &s);
	kprintf("result %s measured samples=%u batch=%u overhead=%.2f min=%.2f p25=%.2f "
		"median=%.2f p75=%.2f p99=%.2f max=%.2f mean=%.2f stddev=%.2f\n",
		tok, n, info.batch, info.overhead_cycles, s.min, s.p25, s.median, s.p75,
		s.p99, s.max, s.mean, s.stddev);
	print_samples(tok, samples, n);
	return 1;
}

int kreport_path(const char *tok, const struct kpath_state *pr, const char *note,
		 struct kreport_loops *loops, void (*describe)(char *buf, size_t n, uint32_t status))
{
	kprintf("progress %s\n", tok);
	if (pr->state != PS_MEASURE) {
		kprintf("result %s skipped %s\n", tok, pr->reason);
		if (pr->note[0])
			kprintf("note %s %s\n", tok, pr->note);
		return pr->state == PS_SKIP_UNEXPECTED ? -1 : 0;
	}
	if (!measure(tok, loops)) {
		char what[200];
		describe(what, sizeof(what), loops->failed);
		kprintf("result %s skipped fault during measurement: %s\n", tok, what);
		return -1;
	}
	if (note)
		kprintf("note %s %s\n", tok, note);
	if (pr->note[0])
		kprintf("note %s %s\n", tok, pr->note);
	return 1;
}
