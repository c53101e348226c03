/* kentry: the result model shared by both worlds (hosted code only).
 *
 * A run is an environment (ordered key/value facts) plus a list of results,
 * one per path id. Renderers (table, JSON, CSV, Markdown) and the JSON reader
 * work on this model only; the Linux world and the bare-metal serial parser
 * both produce it. */
#ifndef KENTRY_CORE_RESULT_H
#define KENTRY_CORE_RESULT_H

#include <stddef.h>
#include <stdint.h>
#include "stats.h"

#define KENTRY_SCHEMA_VERSION 2

enum kresult_status { KR_MEASURED = 0, KR_SKIPPED = 1 };

struct kresult {
	char *id;          /* stable path id, e.g. "syscall" */
	char *world;       /* "linux" or "bare-metal" */
	char *op;          /* "null" or "gettimeofday" (Linux); "round-trip" (bare metal) */
	char *variant;     /* NULL: the path's only (or minimal) form; else e.g. "full":
			    * results are keyed by (world, id, variant) */
	enum kresult_status status;
	char *reason;      /* why skipped; NULL when measured */
	char *note;        /* optional remark (emulator departures, method), may be NULL */
	struct kstats cycles;
	struct kstats ns;  /* all zero when no TSC frequency is known */
	int has_ns;
	uint32_t batch;    /* calls per sample */
	double overhead_cycles; /* subtracted timer+loop cost of one batch */
	int wide;          /* samples spread wide (IQR > 10 % of the median) after
			    * more rounds: within the rounds when there were rounds */
	char *anomaly;     /* flag text when the figure is anomalous, else NULL */
	/* Rounds (core/rounds.h): the samples were taken in `rounds` rounds
	 * spread over the run. rounds 0: one run, nothing below is set. */
	uint32_t rounds;
	double *round_medians;    /* the median of each round, in the order taken */
	double headline;          /* lower quartile of the round medians (ticks) */
	double headline_ns;       /* the same in ns, when has_ns */
	double round_spread;      /* (highest - lowest round median) / headline */
	double round_iqr;         /* median over the rounds of their own IQR / median */
	uint32_t switched_rounds; /* rounds with involuntary context switches or steal */
	uint32_t slow_rounds;     /* rounds more than KROUND_SLOW above the headline */
	uint32_t fast_rounds;     /* rounds more than KROUND_SLOW below the headline */
	uint64_t nivcsw;          /* involuntary context switches while sampling */
	uint64_t steal;           /* steal time while sampling (USER_HZ ticks) */
	int disturbed;            /* the disturbance persisted after more rounds */
	char *disturbance;        /* why the figure is flagged, NULL when it is not */
	double *samples;   /* the per-call figure of every sample behind cycles, in
			    * its unit (order not significant); NULL when not kept */
	size_t n_samples;
};

/* The figure to show first: the headline of a result measured in rounds,
 * else the median of its samples (ticks; ns with ns != 0). */
double kresult_headline(const struct kresult *r, int ns);
/* "per-call" when every sample is one call (batch 1), else "per-batch". */
const char *kresult_mode(const struct kresult *r);

struct kenv_entry {
	char *key;   /* "cpu.vendor", "vulnerabilities.meltdown", ... */
	char *value;
};

struct kenv {
	struct kenv_entry *e;
	size_t n, cap;
};

struct krun {
	char *kentry_version;
	char *created;          /* ISO 8601 UTC */
	struct kenv env;        /* host environment */
	struct kenv guest_env;  /* bare-metal guest's own facts (may be empty) */
	struct kresult *r;
	size_t n, cap;
};

/* Environment helpers. Values are copied. A second set of the same key
 * replaces the value. */
void kenv_set(struct kenv *env, const char *key, const char *value);
void kenv_setf(struct kenv *env, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *kenv_get(const struct kenv *env, const char *key);
/* Removes key (nothing when absent). */
void kenv_unset(struct kenv *env, const char *key);
void kenv_free(struct kenv *env);

void krun_init(struct krun *run);
void krun_free(struct krun *run);
/* Appends a zeroed result with id/world/op copied; returns it. */
struct kresult *krun_add(struct krun *run, const char *id, const char *world,
			 const char *op);
/* The result of (id, world, variant NULL); world NULL matches any world. */
struct kresult *krun_find(struct krun *run, const char *id, const char *world);
/* The same with a variant (NULL: the default variant). */
struct kresult *krun_find_variant(struct krun *run, const char *id, const char *world,
				  const char *variant);
/* The result (same id and world) the variant "B+M" of r builds on: B's,
 * or for op gettimeofday, whose one form is full and unnamed, the default
 * one when B is "full". NULL when r's variant has no '+' or B is absent. */
struct kresult *krun_find_base(struct krun *run, const struct kresult *r);
/* Sets r's variant (NULL or "" clears it). */
void kresult_set_variant(struct kresult *r, const char *variant);
void kresult_skip(struct kresult *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kresult_set_note(struct kresult *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Flags r as disturbed, with the reason. */
void kresult_set_disturbance(struct kresult *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Moves every result and the guest environment of src into dst. */
void krun_merge(struct krun *dst, struct krun *src);

/* Keeps a copy of the n per-call samples behind r's statistics. */
void kresult_set_samples(struct kresult *r, const double *v, size_t n);

/* The unit of r's figures in this run: "instructions" for a bare-metal
 * result whose TSC counted instructions (guest_env icount other than
 * "off": QEMU -icount, Bochs), else "tsc-ticks". */
/* The unit of the run's bare-metal figures: "instructions" under -icount
 * (or Bochs), else "tsc-ticks". */
const char *krun_bare_unit(const struct krun *run);
const char *krun_unit(const struct krun *run, const struct kresult *r);
/* A unit ("instructions", "tsc-ticks", "ns") in words for people:
 * "guest instructions", "TSC ticks", "nanoseconds". */
const char *kunit_words(const char *unit);

/* The sentence that says a bare-metal figure is an instruction count, for
 * the guest environment's icount ("shift=0": QEMU -icount; "bochs"); NULL
 * for "off" or none. Every measured result of such a run carries it in its
 * note; a table states it once above its rows instead. */
const char *kcount_note(const char *icount);
/* note without its part equal to drop (parts are separated by "; "), as a
 * malloc'd string; NULL when nothing remains (or note is NULL). */
char *knote_without(const char *note, const char *drop);

/* Fills ns from cycles given a TSC frequency in Hz (no-op when hz == 0). */
void kresult_set_ns(struct kresult *r, double tsc_hz);

#endif
