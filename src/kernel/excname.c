/* kentry kernels: the names of the 32 exception vectors, for reasons and
 * fatal reports (shared by the long-mode and the legacy 32-bit kernel). */
#include "kernel.h"

static const char *const names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87", "#AC alignment check",
	"#MC machine check", "#XM SIMD", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26",
	"reserved 27", "#HV hypervisor injection", "#VC VMM communication",
	"#SX security", "reserved 31",
};

const char *trap_name(unsigned vec)
{
	return vec < 32 ? names[vec] : "interrupt";
}
