/* kentry emu: the bare-metal path ids the host knows, in the kernel's order. */

#include <string.h>

/* ------------------------------------------------------------------ */
/* The bare-metal path ids                                             */

static const struct {
	const char *id, *summary;
} kboot_ids[] = {
	{ "int-gate", "int n through a 64-bit interrupt gate, back with iretq" },
	{ "trap-gate", "int n through a 64-bit trap gate (IF kept), back with iretq" },
	{ "call-gate", "far call through a 64-bit call gate, back with lretq" },
	{ "sysenter", "sysenter from 64-bit ring 3, back with sysexitq" },
	{ "syscall", "syscall from 64-bit ring 3, back with sysretq" },
	{ "compat-int80", "int 0x80 from 32-bit compatibility mode, back with iretq" },
	{ "compat-sysenter", "sysenter from 32-bit compatibility mode, back with sysexit" },
	{ "compat-syscall", "syscall from 32-bit compatibility mode (CSTAR), back with sysretl" },
	{ "compat-call-gate", "far call through a call gate from 32-bit compatibility mode" },
	{ "exc-ud", "invalid opcode (ud2) fault, handler skips it, back with iretq" },
	{ "exc-ud-locknop", "invalid opcode from LOCK NOP (the old fast-entry trick)" },
	{ "exc-bp", "int3 breakpoint trap, back with iretq" },
	{ "exc-pf", "page fault on a user access, handler maps or skips, back with iretq" },
	{ "exc-de", "divide error fault, handler skips the div, back with iretq" },
	{ "exc-gp", "general-protection fault, handler skips the instruction, back with iretq" },
	{ "syscall/iretq", "syscall in, iretq out (the slow return path)" },
	{ "sysenter/iretq", "sysenter in, iretq out" },
	{ "int-gate/sysretq", "int n through an interrupt gate in, sysretq out" },
	{ "call-gate/iretq", "call gate in, iretq out (a built interrupt frame)" },
};
#define KBOOT_NIDS (sizeof(kboot_ids) / sizeof(kboot_ids[0]))

size_t kboot_id_count(void)
{
	return KBOOT_NIDS;
}

const char *kboot_id(size_t i)
{
	return i < KBOOT_NIDS ? kboot_ids[i].id : NULL;
}

const char *kboot_id_summary(size_t i)
{
	return i < KBOOT_NIDS ? kboot_ids[i].summary : NULL;
}

int kboot_id_index(const char *id)
{
	if (!id)
		return -1;
	for (size_t i = 0; i < KBOOT_NIDS; i++)
		if (strcmp(kboot_ids[i].id, id) == 0)
			return (int)i;
	return -1;
}
