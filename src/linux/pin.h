/* kentry: pinning a measuring process to one CPU, and saying when it
 * could not be done. Header-only: shared by the 64-bit tool and the 32-bit
 * helper.
 *
 * Pinned, the TSC of one core is read at both ends of every sample and no
 * migration lands inside one. A process may be barred from the CPU asked
 * for (taskset, a cpuset, a container's CPU list) or from changing its
 * affinity at all (a seccomp filter): sched_setaffinity then fails, and the
 * caller must either stop or record that the run was not pinned, never
 * carry on as if it were. The CPUs a process starts with are the ones its
 * caller lets it use: a CPU outside them is refused without trying (the
 * kernel would let a plain taskset mask be overridden, a cpuset not). The
 * mask is read back, so a success that did not leave exactly that one CPU
 * is not believed either. */
#ifndef KENTRY_LINUX_PIN_H
#define KENTRY_LINUX_PIN_H

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

/* The CPUs in set, as "0-3,6" (for messages). */
static inline void kpin_format(const cpu_set_t *set, char *out, size_t n)
{
	size_t used = 0;
	if (n)
		out[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, set))
			continue;
		int e = c;
		while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, set))
			e++;
		int w = e > c ? snprintf(out + used, n - used, "%s%d-%d", used ? "," : "", c, e)
			      : snprintf(out + used, n - used, "%s%d", used ? "," : "", c);
		if (w < 0 || (size_t)w >= n - used)
			return;
		used += (size_t)w;
		c = e;
	}
}

/* Pins the calling thread to cpu. Returns 0, or -1 with the reason in why
 * (naming the CPUs it may use when the asked one is not among them). */
static inline int kpin_to(int cpu, char *why, size_t n)
{
	cpu_set_t allowed, set;
	CPU_ZERO(&allowed);
	int have_allowed = sched_getaffinity(0, sizeof allowed, &allowed) == 0;
	if (cpu < 0 || cpu >= CPU_SETSIZE) {
		snprintf(why, n, "CPU %d does not exist", cpu);
		return -1;
	}
	if (have_allowed && CPU_COUNT(&allowed) == 1 && CPU_ISSET(cpu, &allowed))
		return 0; /* already (inherited from the parent) */
	char list[160] = "?";
	if (have_allowed && !CPU_ISSET(cpu, &allowed)) {
		kpin_format(&allowed, list, sizeof list);
		snprintf(why, n, "CPU %d is not among the CPUs this process may use (%s: taskset, "
			 "a cpuset or a container restricts them)", cpu, list);
		return -1;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof set, &set) != 0) {
		snprintf(why, n, "sched_setaffinity to CPU %d failed: %s", cpu, strerror(errno));
		return -1;
	}
	cpu_set_t got;
	CPU_ZERO(&got);
	if (sched_getaffinity(0, sizeof got, &got) != 0 || CPU_COUNT(&got) != 1 ||
	    !CPU_ISSET(cpu, &got)) {
		snprintf(why, n, "the affinity mask did not read back as CPU %d alone", cpu);
		return -1;
	}
	return 0;
}

#endif
