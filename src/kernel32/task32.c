/* kentry legacy kernel: the three TSSes and hardware task switching.
 *
 *   TSS_MAIN  the kernel's task. TR holds it from boot; the ring-3 loops
 *             run in it too (kuser_enter32 IRETs within the task), so its
 *             SS0:ESP0 is where every interrupt/trap/call gate from ring 3
 *             lands. A task switch away from a ring-3 loop saves the
 *             loop's registers, segments, EIP and EFLAGS here.
 *   TSS_TASK  the handler task of the task-switch paths (int n through a
 *             task gate, far call to the TSS or to a task gate, exceptions
 *             through a task gate). Its EIP/ESP/segments are reset to a
 *             path's stub whenever the path is installed; the CPU saves
 *             its state back here at each IRET that returns from it.
 *   TSS_DF    the #DF task (IDT vector 8 is a task gate to it): a double
 *             fault gets a fresh stack even when the kernel's is broken.
 *
 * The rules that make a round trip work (SDM vol. 3A 8.3, 8.4, table 8-2):
 * a CALL or INT task switch needs the new TSS available (type 9, else
 * #GP), marks it busy (type 0xB), writes the old TR into its back-link
 * field and sets NT in the new EFLAGS; the old task stays busy. IRET with
 * NT = 1 returns to the back-link task, which must be busy (else #TS),
 * clears the busy bit of the task it leaves and NT in that task's saved
 * EFLAGS image. Every switch loads CR3 from the new TSS (so each TSS holds
 * the kernel's page directory), the LDT selector (0 here), and sets
 * CR0.TS. The I/O map base is past the TSS limit: no I/O bitmap, ring-3
 * I/O is #GP (IOPL 0). */
#include "kernel32.h"
#include "cpu.h"
#include "cpu32.h"
#include "core/desc.h"

_Static_assert(sizeof(struct tss32) == TSS_SIZE, "TSS size");
_Static_assert(__builtin_offsetof(struct tss32, esp0) == TSS_ESP0, "TSS.ESP0");
_Static_assert(__builtin_offsetof(struct tss32, ss0) == TSS_SS0, "TSS.SS0");
_Static_assert(__builtin_offsetof(struct tss32, cr3) == TSS_CR3, "TSS.CR3");
_Static_assert(__builtin_offsetof(struct tss32, eip) == TSS_EIP, "TSS.EIP");
_Static_assert(__builtin_offsetof(struct tss32, eflags) == TSS_EFLAGS, "TSS.EFLAGS");
_Static_assert(__builtin_offsetof(struct tss32, eax) == TSS_EAX, "TSS.EAX");
_Static_assert(__builtin_offsetof(struct tss32, esp) == TSS_ESP, "TSS.ESP");
_Static_assert(__builtin_offsetof(struct tss32, es) == TSS_ES, "TSS.ES");
_Static_assert(__builtin_offsetof(struct tss32, cs) == TSS_CS, "TSS.CS");
_Static_assert(__builtin_offsetof(struct tss32, ldt) == TSS_LDT, "TSS.LDT");
_Static_assert(__builtin_offsetof(struct tss32, iomap) == TSS_IOMAP, "TSS.IOMAP");

/* 128-byte aligned: a TSS must not cross a page boundary (SDM 8.2.1), or
 * the CPU could fault half-way through saving a task's state. */
struct tss32 ktss_main __attribute__((aligned(128)));
struct tss32 ktss_task __attribute__((aligned(128)));
struct tss32 ktss_df __attribute__((aligned(128)));

extern char kentry_stack32_top[], ktask_stack_top[], kdf_stack_top[];
extern char __user_text_start[], __user_text_end[];
extern void kdf_task_entry32(void);

static uint32_t a(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

/* A task that starts at entry in ring 0 with its own stack, flat kernel
 * segments, EFLAGS = 2 (IF = 0, NT = 0: the CPU sets NT when a CALL/INT
 * switch enters it), the kernel's CR3, no LDT, no I/O bitmap. */
static void tss_ring0_task(struct tss32 *t, void (*entry)(void), char *stack_top)
{
	memset(t, 0, sizeof(*t));
	t->eip = a(entry);
	t->eflags = 0x2;
	t->esp = a(stack_top);
	t->cs = SEL_KCODE;
	t->ss = t->ds = t->es = SEL_KDATA;
	t->ss0 = SEL_KDATA;
	t->esp0 = a(stack_top);
	t->cr3 = kvm32_cr3;
	t->iomap = TSS_SIZE;
}

void task32_init(void)
{
	/* The kernel's task: only the fields the CPU reads on an entry or a
	 * switch back matter (SS0:ESP0, CR3, LDT, I/O map base); a switch
	 * away writes the rest. */
	memset(&ktss_main, 0, sizeof(ktss_main));
	ktss_main.ss0 = SEL_KDATA;
	ktss_main.esp0 = a(kentry_stack32_top);
	ktss_main.cr3 = kvm32_cr3;
	ktss_main.iomap = TSS_SIZE;
	tss_ring0_task(&ktss_df, kdf_task_entry32, kdf_stack_top);
	tss_ring0_task(&ktss_task, kdf_task_entry32, ktask_stack_top); /* reset per path */

	kgdt32[SEL_TSS_MAIN / 8] = kdesc_tss32(a(&ktss_main), TSS_SIZE - 1, 0);
	kgdt32[SEL_TSS_TASK / 8] = kdesc_tss32(a(&ktss_task), TSS_SIZE - 1, 0);
	kgdt32[SEL_TSS_DF / 8] = kdesc_tss32(a(&ktss_df), TSS_SIZE - 1, 0);
}

void task32_prepare(void (*entry)(void))
{
	tss_ring0_task(&ktss_task, entry, ktask_stack_top);
}

static uint32_t type_of(unsigned sel)
{
	return kdesc_seg_type(kgdt32[sel / 8]);
}

static void set_busy(unsigned sel, int busy)
{
	uint64_t bit = (uint64_t)KDESC_TSS_BUSY_BIT << 40;
	kgdt32[sel / 8] = busy ? kgdt32[sel / 8] | bit : kgdt32[sel / 8] & ~bit;
}

int task32_recover(char *what, size_t n)
{
	uint16_t tr = str32();
	int bad = tr != SEL_TSS_MAIN || type_of(SEL_TSS_MAIN) != KDESC_SYS_TSS32_BUSY ||
		  type_of(SEL_TSS_TASK) != KDESC_SYS_TSS32_AVAIL ||
		  type_of(SEL_TSS_DF) != KDESC_SYS_TSS32_AVAIL || (read_eflags() & EFLAGS_NT);
	if (!bad)
		return 0;
	ksnprintf(what, n, "TR 0x%x, TSS types main 0x%x task 0x%x df 0x%x, NT %u", tr,
		  type_of(SEL_TSS_MAIN), type_of(SEL_TSS_TASK), type_of(SEL_TSS_DF),
		  (read_eflags() & EFLAGS_NT) ? 1 : 0);
	/* LTR wants an available descriptor and marks it busy. */
	set_busy(SEL_TSS_TASK, 0);
	set_busy(SEL_TSS_DF, 0);
	set_busy(SEL_TSS_MAIN, 0);
	ltr32(SEL_TSS_MAIN);
	__asm__ volatile("pushl $2; popfl" : : : "cc");
	return 1;
}

void task32_selfcheck(void)
{
	uint64_t m = kdesc_tss32(a(&ktss_main), TSS_SIZE - 1, 0);
	tap_check(str32() == SEL_TSS_MAIN && type_of(SEL_TSS_MAIN) == KDESC_SYS_TSS32_BUSY &&
			  (kgdt32[SEL_TSS_MAIN / 8] & ~(0xfull << 40)) == (m & ~(0xfull << 40)),
		  "TR = 0x%x, its 32-bit TSS descriptor encoded and marked busy by LTR",
		  str32());
	tap_check(type_of(SEL_TSS_TASK) == KDESC_SYS_TSS32_AVAIL &&
			  type_of(SEL_TSS_DF) == KDESC_SYS_TSS32_AVAIL &&
			  kdesc_seg_base(kgdt32[SEL_TSS_TASK / 8]) == a(&ktss_task) &&
			  kdesc_seg_base(kgdt32[SEL_TSS_DF / 8]) == a(&ktss_df) &&
			  kdesc_seg_limit(kgdt32[SEL_TSS_TASK / 8]) == TSS_SIZE - 1,
		  "handler TSS 0x%x and #DF TSS 0x%x: available 32-bit TSS descriptors, limit 0x%x",
		  SEL_TSS_TASK, SEL_TSS_DF, TSS_SIZE - 1);
	tap_check(ktss_main.ss0 == SEL_KDATA && ktss_main.esp0 == a(kentry_stack32_top) &&
			  (ktss_main.esp0 & 15) == 0,
		  "TSS main: SS0:ESP0 = 0x%x:0x%x (every ring-3 entry through a gate lands there)",
		  ktss_main.ss0, ktss_main.esp0);
	tap_check(ktss_main.cr3 == kvm32_cr3 && ktss_task.cr3 == kvm32_cr3 &&
			  ktss_df.cr3 == kvm32_cr3,
		  "CR3 field of every TSS = the kernel page directory (a task switch loads it)");
	tap_check(ktss_main.iomap == TSS_SIZE && ktss_task.iomap == TSS_SIZE &&
			  ktss_df.iomap == TSS_SIZE && ktss_main.ldt == 0 && ktss_task.ldt == 0 &&
			  ktss_df.ldt == 0,
		  "I/O map base %u (past the limit: no bitmap, ring-3 I/O is #GP), LDT 0 in every TSS",
		  TSS_SIZE);
	tap_check(ktss_df.eip == a(kdf_task_entry32) && ktss_df.esp == a(kdf_stack_top) &&
			  ktss_df.cs == SEL_KCODE && ktss_df.ss == SEL_KDATA &&
			  ktss_df.eflags == 0x2,
		  "#DF TSS: EIP = kdf_task_entry32, its own stack, ring-0 segments, EFLAGS 0x2");
}

void task32_check_after(const char *id, void (*entry)(void), void (*resume)(void))
{
	uint32_t ueip = ktss_main.eip;
	int user_eip = ueip >= a(__user_text_start) && ueip < a(__user_text_end);
	int ok = str32() == SEL_TSS_MAIN && type_of(SEL_TSS_MAIN) == KDESC_SYS_TSS32_BUSY &&
		 type_of(SEL_TSS_TASK) == KDESC_SYS_TSS32_AVAIL &&
		 ktss_task.link == SEL_TSS_MAIN && !(ktss_task.eflags & EFLAGS_NT) &&
		 !(read_eflags() & EFLAGS_NT) && ktss_main.cs == USER_CS &&
		 ktss_main.ss == USER_DS && user_eip && ktss_task.eip == a(resume);
	tap_check(ok,
		  "%s: after 2 round trips TR = 0x%x, TSS main %s, handler TSS %s, back-link "
		  "0x%x, NT clear in the handler's saved EFLAGS (0x%x) and live; ring-3 "
		  "CS:EIP %x:%x saved in TSS main; handler saved at 0x%x (after its iret; "
		  "entry 0x%x)",
		  id, str32(), type_of(SEL_TSS_MAIN) == KDESC_SYS_TSS32_BUSY ? "busy" : "NOT busy",
		  type_of(SEL_TSS_TASK) == KDESC_SYS_TSS32_AVAIL ? "available" : "NOT available",
		  ktss_task.link, ktss_task.eflags, ktss_main.cs, ueip, ktss_task.eip, a(entry));
}
