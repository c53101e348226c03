/* Judging rounds (core/rounds.c): the headline is the lower quartile of the
 * round medians, a host that is busy for some rounds does not move it, and
 * rounds switched out or running slow are counted and flag the figure only
 * when they are many. */
#include "unit/t.h"
#include "core/rounds.h"

static struct kround rs[40];
static double scratch[40];

static void set(size_t n, const double *med, const uint32_t *sw)
{
	for (size_t i = 0; i < n; i++) {
		rs[i].median = med[i];
		rs[i].nivcsw = sw ? sw[i] : 0;
		rs[i].steal = 0;
	}
}

int main(void)
{
	struct kround_verdict v;

	/* nothing to judge */
	T_CHECK(kround_judge(rs, 0, scratch, &v) == -1);
	T_EQ_U64(v.rounds, 0);

	/* one round: its median, no spread */
	double one[1] = { 400 };
	set(1, one, NULL);
	T_CHECK(kround_judge(rs, 1, scratch, &v) == 0);
	T_NEAR(v.headline, 400, 0);
	T_NEAR(v.spread, 0, 0);
	T_CHECK(!v.disturbed);

	/* a quiet run: ten rounds within 1 % */
	double quiet[10] = { 401, 399, 400, 402, 398, 400, 401, 399, 400, 403 };
	set(10, quiet, NULL);
	for (int i = 0; i < 10; i++)
		rs[i].iqr = 0.01 * (i + 1); /* 1 % .. 10 % within the rounds */
	kround_judge(rs, 10, scratch, &v);
	T_NEAR(v.iqr, 0.055, 1e-12); /* their median */
	T_NEAR(v.headline, 399, 0); /* 3rd of 10 sorted: 398 399 [399] 400 ... */
	T_NEAR(v.lo, 398, 0);
	T_NEAR(v.hi, 403, 0);
	T_NEAR(v.spread, 5.0 / 399, 1e-12);
	T_EQ_U64(v.slow, 0);
	T_EQ_U64(v.switched, 0);
	T_CHECK(!v.disturbed);

	/* the host busy for 4 rounds of 10 (a slow state 25 % dearer, as
	 * measured on the development machine): the headline does not move,
	 * the slow rounds are counted, but 4 of 10 is not a majority */
	double busy[10] = { 500, 399, 400, 505, 398, 510, 401, 399, 498, 403 };
	set(10, busy, NULL);
	kround_judge(rs, 10, scratch, &v);
	T_NEAR(v.headline, 399, 0);
	T_EQ_U64(v.slow, 4);
	T_CHECK(!v.disturbed);
	T_NEAR(v.spread, (510.0 - 398) / 399, 1e-12);

	/* busy for 8 rounds of 10: the headline lands in the slow state, and
	 * the rounds disagree: flagged */
	double mostly[10] = { 500, 399, 502, 505, 398, 510, 501, 499, 498, 503 };
	set(10, mostly, NULL);
	kround_judge(rs, 10, scratch, &v);
	T_CHECK(v.headline > 490);
	T_NEAR(v.headline, 498, 0); /* 398 399 [498] 499 ... */
	T_EQ_U64(v.slow, 0); /* none is 5 % above a slow headline, */
	T_EQ_U64(v.fast, 2); /* but two saw the host undisturbed: */
	T_CHECK(v.disturbed); /* the headline itself is suspect */
	/* the switches show it too */
	uint32_t sw[10] = { 3, 0, 2, 4, 0, 1, 5, 2, 2, 3 };
	set(10, mostly, sw);
	kround_judge(rs, 10, scratch, &v);
	T_EQ_U64(v.switched, 8);
	T_EQ_U64(v.nivcsw, 22);
	T_CHECK(v.disturbed);

	/* a competing process: every round switched out, medians alike */
	uint32_t all[10] = { 1, 1, 2, 1, 1, 1, 3, 1, 1, 1 };
	set(10, quiet, all);
	kround_judge(rs, 10, scratch, &v);
	T_EQ_U64(v.switched, 10);
	T_CHECK(v.disturbed);
	/* two switched rounds of ten is background noise, not a flag */
	uint32_t few[10] = { 0, 1, 0, 0, 0, 0, 2, 0, 0, 0 };
	set(10, quiet, few);
	kround_judge(rs, 10, scratch, &v);
	T_EQ_U64(v.switched, 2);
	T_CHECK(!v.disturbed);
	/* steal time alone counts as switched out */
	set(10, quiet, NULL);
	for (int i = 0; i < 4; i++)
		rs[i].steal = 1;
	kround_judge(rs, 10, scratch, &v);
	T_EQ_U64(v.switched, 4);
	T_EQ_U64(v.steal, 4);
	T_CHECK(v.disturbed); /* 4 > 10 / 4 */

	/* more than half the rounds slow: flagged even without switches (the
	 * headline itself stays in the fast rounds while a quarter of them
	 * saw the undisturbed state) */
	double split[20] = { 400, 401, 399, 400, 402, 398, 520, 530, 525, 540,
			     510, 515, 520, 530, 535, 525, 520, 515, 530, 528 };
	set(20, split, NULL);
	kround_judge(rs, 20, scratch, &v);
	T_NEAR(v.headline, 401, 0); /* 5th of 20 */
	T_EQ_U64(v.slow, 14);
	T_CHECK(v.disturbed);

	/* one round far below the others: a fluke, or the one round that saw
	 * the quiet host; the headline does not follow it, but it is flagged */
	double fluke[10] = { 301, 396, 397, 396, 395, 396, 398, 396, 397, 396 };
	set(10, fluke, NULL);
	kround_judge(rs, 10, scratch, &v);
	T_NEAR(v.headline, 396, 0);
	T_EQ_U64(v.fast, 1);
	T_CHECK(v.disturbed);

	/* negative or zero medians (an operation below the timer's noise):
	 * no division by them, no slow rounds */
	double tiny[4] = { -0.5, 0.2, -0.1, 0.0 };
	set(4, tiny, NULL);
	kround_judge(rs, 4, scratch, &v);
	T_NEAR(v.headline, -0.5, 0);
	T_NEAR(v.spread, 0, 0);
	T_EQ_U64(v.slow, 0);
	return T_DONE();
}
