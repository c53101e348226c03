/* kentry boot --selftest: the hostile ring-3 cases on every CPU model asked
 * for (one boot each), as one table: case, expected, observed per model. */
#include "cmd.h"
#include "emu/boot.h"
#include "emu/serial.h"
#include "results/output.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct model_run {
	const char *asked;       /* as given to --cpu */
	char model[128], vendor[32];
	struct kst_report rep;
	int rc;                  /* kboot_run's status */
	char err[8192];
};

static const char *title_of(const struct kst_report *r, unsigned n)
{
	for (size_t i = 0; i < r->ncases; i++)
		if (r->cases[i].n == n)
			return r->cases[i].title;
	return "";
}

/* Rows line up across models when each model printed the same records
 * (the same kernel): same case, path and expected text at each index. */
static int aligned(const struct model_run *m, size_t n)
{
	for (size_t k = 1; k < n; k++) {
		if (m[k].rep.n != m[0].rep.n)
			return 0;
		for (size_t i = 0; i < m[0].rep.n; i++)
			if (m[k].rep.rows[i].ncase != m[0].rep.rows[i].ncase ||
			    strcmp(m[k].rep.rows[i].path, m[0].rep.rows[i].path) ||
			    strcmp(m[k].rep.rows[i].expected, m[0].rep.rows[i].expected))
				return 0;
	}
	return 1;
}

static void print_table(FILE *rep, const struct model_run *m, size_t n)
{
	const struct kst_report *r0 = &m[0].rep;
	unsigned last = ~0u;
	for (size_t i = 0; i < r0->n; i++) {
		const struct kst_row *row = &r0->rows[i];
		if (row->ncase != last) {
			last = row->ncase;
			fprintf(rep, "\ncase %u  %s\n  %-22s", row->ncase, title_of(r0, row->ncase), "path");
			for (size_t k = 0; k < n; k++)
				fprintf(rep, " %-16.16s", m[k].model);
			fprintf(rep, "\n");
		}
		fprintf(rep, "  %-22s", row->path);
		for (size_t k = 0; k < n; k++)
			fprintf(rep, " %-16s", m[k].rep.rows[i].verdict);
		fprintf(rep, "\n  %-22s   expected  %s\n", "", row->expected);
		int same = 1;
		for (size_t k = 1; k < n; k++)
			same = same && !strcmp(m[k].rep.rows[i].observed, row->observed);
		if (same) {
			fprintf(rep, "  %-22s   observed  %s\n", "", row->observed);
			continue;
		}
		for (size_t k = 0; k < n; k++)
			fprintf(rep, "  %-22s   %s  %s\n", "", m[k].model, m[k].rep.rows[i].observed);
	}
}

static void print_separately(FILE *rep, const struct model_run *m, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		fprintf(rep, "\n%s:\n", m[k].model);
		for (size_t i = 0; i < m[k].rep.n; i++) {
			const struct kst_row *row = &m[k].rep.rows[i];
			fprintf(rep, "  case %-3u %-22s %-5s expected %s\n  %-34s observed %s\n", row->ncase,
			       row->path, row->verdict, row->expected, "", row->observed);
		}
	}
}

static int write_json(const struct koutputs *outs, const struct model_run *m, size_t n)
{
	json_t *doc = json_object();
	json_object_set_new(doc, "kind", json_string("kentry-selftest"));
	json_object_set_new(doc, "kentry_version", json_string(KENTRY_VERSION));
	json_t *models = json_array();
	for (size_t k = 0; k < n; k++) {
		json_t *o = json_object();
		json_object_set_new(o, "cpu", json_string(m[k].model));
		json_object_set_new(o, "vendor", json_string(m[k].vendor));
		json_t *runs = json_array();
		for (size_t i = 0; i < m[k].rep.n; i++) {
			const struct kst_row *row = &m[k].rep.rows[i];
			json_t *r = json_object();
			json_object_set_new(r, "case", json_integer(row->ncase));
			json_object_set_new(r, "title", json_string(title_of(&m[k].rep, row->ncase)));
			json_object_set_new(r, "path", json_string(row->path));
			json_object_set_new(r, "verdict", json_string(row->verdict));
			json_object_set_new(r, "expected", json_string(row->expected));
			json_object_set_new(r, "observed", json_string(row->observed));
			json_array_append_new(runs, r);
		}
		json_object_set_new(o, "runs", runs);
		json_array_append_new(models, o);
	}
	json_object_set_new(doc, "models", models);
	char *text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (!text) {
		fprintf(stderr, "kentry: cannot write output: out of memory\n");
		return KEXIT_IO;
	}
	int rc = koutputs_write(outs, "--json", text);
	free(text);
	return rc;
}

int cmd_selftest(const struct kcli *c)
{
	if (c->csv || c->markdown) {
		fprintf(stderr, "kentry boot --selftest: the report is written with --json only\n");
		return KEXIT_USAGE;
	}
	struct koutputs outs = { 0 };
	koutputs_add(&outs, "--json", c->json);
	int rc = koutputs_plan(&outs);
	if (rc) {
		koutputs_free(&outs);
		return rc;
	}
	/* with the report on standard output (--json -), the table goes to stderr */
	FILE *rep = koutputs_stdout(&outs) ? stderr : stdout;
	char libexec[PATH_MAX];
	find_libexec(libexec, sizeof(libexec));
	struct progress pg = { c->progress < 0 ? isatty(2) : c->progress, "selftest" };
	struct model_run *m = calloc(c->n_models, sizeof(*m));
	if (!m) {
		koutputs_free(&outs);
		return KEXIT_FAIL;
	}
	int guest_failed = 0, any_fail = 0;
	fprintf(rep, "kentry %s\n\nSelf-test: the full path of every mechanism against hostile ring 3 "
	       "(docs/selftest.md)\n", KENTRY_VERSION);
	for (size_t k = 0; k < c->n_models; k++) {
		m[k].asked = c->models[k];
		struct boot_setup b;
		boot_opts(c, libexec, KBOOT_LONG, 0, &b);
		struct kboot_opts o = b.o;
		o.cpu = c->models[k];
		/* the timer of case 10 is exact only under -icount; nothing is
		 * measured, so it costs nothing but time (about 1 s a model) */
		o.icount = c->icount || (strcmp(c->accel, "kvm") != 0 &&
					 (!c->emulator || strcmp(c->emulator, "bochs") != 0));
		o.progress = progress_cb;
		o.progress_arg = &pg;
		o.selftest = 1;
		o.selftest_cases = c->cases;
		o.selftest_report = &m[k].rep;
		struct krun guest;
		krun_init(&guest);
		m[k].rc = kboot_run(&o, &guest, m[k].err, sizeof(m[k].err));
		progress_done(&pg);
		snprintf(m[k].model, sizeof(m[k].model), "%s",
			 kenv_get(&guest.guest_env, "emulator.cpu") ? kenv_get(&guest.guest_env, "emulator.cpu")
								     : c->models[k]);
		snprintf(m[k].vendor, sizeof(m[k].vendor), "%s",
			 kenv_get(&guest.guest_env, "cpu.vendor") ? kenv_get(&guest.guest_env, "cpu.vendor")
								  : "?");
		if (k == 0) {
			char em[200];
			emulator_line(&guest.guest_env, em, sizeof(em));
			fprintf(rep, "  %s\n", em);
		}
		const char *ho = kenv_get(&guest.guest_env, "kernel.harden_off");
		fprintf(rep, "  %s (%s): protections nx %s, smep %s, smap %s, umip %s; %s%s\n", m[k].model,
		       m[k].vendor, kenv_get(&guest.guest_env, "prot.nx") ? kenv_get(&guest.guest_env, "prot.nx") : "?",
		       kenv_get(&guest.guest_env, "prot.smep") ? kenv_get(&guest.guest_env, "prot.smep") : "?",
		       kenv_get(&guest.guest_env, "prot.smap") ? kenv_get(&guest.guest_env, "prot.smap") : "?",
		       kenv_get(&guest.guest_env, "prot.umip") ? kenv_get(&guest.guest_env, "prot.umip") : "?",
		       ho && strcmp(ho, "none") ? "HARDENING SWITCHED OFF: " : "all hardening on",
		       ho && strcmp(ho, "none") ? ho : "");
		mitigations_line(rep, &guest.guest_env);
		krun_free(&guest);
		if (!m[k].rep.end_seen) {
			fprintf(stderr, "kentry boot --selftest (%s): %s\n", m[k].model, m[k].err);
			guest_failed = 1;
		} else if (m[k].rep.tap_failed) {
			fprintf(stderr, "kentry boot --selftest (%s): %s\n", m[k].model, m[k].err);
			any_fail = 1;
		}
	}
	if (aligned(m, c->n_models))
		print_table(rep, m, c->n_models);
	else
		print_separately(rep, m, c->n_models);
	fprintf(rep, "\n");
	for (size_t k = 0; k < c->n_models; k++) {
		unsigned p = 0, f = 0, s = 0;
		for (size_t i = 0; i < m[k].rep.n; i++) {
			const char *v = m[k].rep.rows[i].verdict;
			p += !strcmp(v, "pass");
			f += !strcmp(v, "fail");
			s += !strcmp(v, "skip");
		}
		any_fail |= f > 0;
		fprintf(rep, "%s: %u passed, %u failed, %u not run (the vendor documents the mechanism as absent)%s\n",
		       m[k].model, p, f, s, m[k].rep.end_seen ? "" : "; THE GUEST DID NOT FINISH");
	}
	fflush(rep);
	int wrc = c->json ? write_json(&outs, m, c->n_models) : 0;
	koutputs_free(&outs);
	for (size_t k = 0; k < c->n_models; k++)
		kst_report_free(&m[k].rep);
	free(m);
	if (guest_failed)
		return KEXIT_GUEST;
	if (any_fail)
		return KEXIT_FAIL;
	return wrc;
}
