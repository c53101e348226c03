/* kentry kernel: exec. See exec.h.
 *
 * The program module is checked with the same code kentry exec checks it
 * with before booting (src/core/elf.c): the kernel cannot trust what a
 * loader hands it. Then, as Linux's binfmt_elf does for a static program:
 * a fresh address space; each PT_LOAD segment copied into frames of its
 * own at its address with its permissions (pages two segments share get
 * both); the program break after the last segment; the stack at the top
 * of the user range; the vDSO and its data page below it; then the
 * initial stack Linux builds: argc, argv, envp, the auxiliary vector, and
 * the strings and random bytes they point to. The Linux system-call
 * entries are installed (the full stubs of the registry's syscall,
 * compat-syscall, compat-sysenter and compat-int80 rows) and ring 3 starts
 * at the entry point with every register zero (RDX = 0: no function for
 * atexit, as the x86-64 and i386 ABIs ask of the kernel).
 *
 * The program ends by exit or exit_group (its status), by a fault the
 * kernel does not resolve (the signal Linux would send for that
 * exception, with the fault in words), by a signal it sends itself, or
 * by the kernel killing it (out of memory, a futex nobody can wake). */
#include "exec.h"
#include "cpu.h"
#include "kernel.h"
#include "ktime.h"
#include "kvdso.h"
#include "layout.h"
#include "linux.h"
#include "mboot.h"
#include "proc.h"
#include "trap.h"
#include "uaccess.h"
#include "vm.h"
#include "vsyscall.h"
#include "core/elf.h"

_Static_assert(KELF_USER_MIN == USER_MIN, "core/elf.h and layout.h agree on USER_MIN");
_Static_assert(KELF_TOP64 == MMAP_TOP64 && KELF_TOP32 == MMAP_TOP32, "user tops agree");

/* ---- arguments ------------------------------------------------------------------- */

static struct {
	const char *exe;
	const char *argv[KEXEC_MAX_ARGS];
	const char *envp[KEXEC_MAX_ARGS];
	unsigned argc, envc;
	char buf[KEXEC_MAX_ARGBYTES];
} args;

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The argument module; NULL when it is fine, else what is wrong. */
static const char *args_from_module(const struct kmb_module *m)
{
	uint64_t len = m->end - m->start;
	if (len > KEXEC_MAX_ARGBYTES)
		return "the argument module is larger than 256 KiB";
	memcpy(args.buf, kphys(m->start), len);
	if (len < KEXEC_ARGS_MAGIC_LEN + 8 ||
	    memcmp(args.buf, KEXEC_ARGS_MAGIC, KEXEC_ARGS_MAGIC_LEN) != 0)
		return "the second module is not an argument block (kentry-args)";
	const uint8_t *p = (const uint8_t *)args.buf + KEXEC_ARGS_MAGIC_LEN;
	uint32_t argc = le32(p), envc = le32(p + 4);
	if (argc < 1 || argc > KEXEC_MAX_ARGS || envc > KEXEC_MAX_ARGS)
		return "the argument block's counts are out of range";
	uint64_t off = KEXEC_ARGS_MAGIC_LEN + 8;
	static const char *strs[1 + 2 * KEXEC_MAX_ARGS];
	for (uint32_t i = 0; i < 1 + argc + envc; i++) {
		uint64_t s = off;
		while (off < len && args.buf[off])
			off++;
		if (off >= len)
			return "the argument block is truncated";
		strs[i] = &args.buf[s];
		off++;
	}
	args.exe = strs[0];
	for (uint32_t i = 0; i < argc; i++)
		args.argv[i] = strs[1 + i];
	for (uint32_t i = 0; i < envc; i++)
		args.envp[i] = strs[1 + argc + i];
	args.argc = argc;
	args.envc = envc;
	return 0;
}

/* Without an argument module: the program module's string, split at
 * spaces (GRUB passes `module /path arg arg`). */
static void args_from_cmdline(const struct kmb_module *m)
{
	size_t n = strlen(m->cmdline);
	memcpy(args.buf, m->cmdline, n + 1);
	args.argc = args.envc = 0;
	for (char *p = args.buf; *p && args.argc < KEXEC_MAX_ARGS;) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		args.argv[args.argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	if (!args.argc)
		args.argv[args.argc++] = "program";
	args.exe = args.argv[0];
}

/* ---- loading --------------------------------------------------------------------- */

static uint64_t prot_of(uint32_t pf)
{
	return (pf & KELF_PF_R ? PROT_READ_ : 0) | (pf & KELF_PF_W ? PROT_WRITE_ : 0) |
	       (pf & KELF_PF_X ? PROT_EXEC_ : 0);
}

/* One segment into the space: frames for its pages (a page already there
 * from the segment before gets this one's permissions added), its file
 * bytes copied, the rest zero. */
static const char *load_segment(const struct kelf_seg *s, uint64_t file_pa)
{
	uint64_t lo = s->vaddr & ~0xfffull, hi = (s->vaddr + s->memsz + 0xfff) & ~0xfffull;
	uint64_t prot = prot_of(s->flags);
	uint64_t flags = kproc_pte_flags((uint32_t)prot);
	uint64_t vma_lo = lo;
	for (uint64_t va = lo; va < hi; va += 4096) {
		uint64_t *pte = kvm_pte(&kproc.mm, va);
		if (pte && (*pte & PTE_P)) {
			/* shared with the previous segment: both permissions */
			if (prot & PROT_WRITE_)
				*pte |= PTE_W;
			if (prot & PROT_EXEC_)
				*pte &= ~PTE_NX;
			vma_lo = va + 4096;
			continue;
		}
		if (kvm_map_anon(&kproc.mm, va, 4096, flags))
			return "out of memory loading the program";
	}
	if (vma_lo < hi && kproc_map(vma_lo, hi, (uint32_t)prot, VMA_FIXED))
		return "too many memory areas";
	/* the file bytes, page by page through the direct map */
	for (uint64_t done = 0; done < s->filesz;) {
		uint64_t va = s->vaddr + done;
		uint64_t in_page = 4096 - (va & 0xfff);
		uint64_t k = s->filesz - done < in_page ? s->filesz - done : in_page;
		uint64_t *pte = kvm_pte(&kproc.mm, va & ~0xfffull);
		memcpy((uint8_t *)kphys(*pte & PTE_ADDR) + (va & 0xfff),
		       kphys(file_pa + s->offset + done), k);
		done += k;
	}
	return 0;
}

/* ---- the initial stack -------------------------------------------------------------- */

struct stk {
	uint64_t sp;
	int ok;
};

static uint64_t push_bytes(struct stk *s, const void *p, uint64_t n)
{
	s->sp -= n;
	if (kuser_write(s->sp, p, n, kproc.task_size))
		s->ok = 0;
	return s->sp;
}

static uint64_t push_str(struct stk *s, const char *str)
{
	return push_bytes(s, str, strlen(str) + 1);
}

#define AT_NULL_ 0
#define AT_PHDR_ 3
#define AT_PHENT_ 4
#define AT_PHNUM_ 5
#define AT_PAGESZ_ 6
#define AT_BASE_ 7
#define AT_FLAGS_ 8
#define AT_ENTRY_ 9
#define AT_UID_ 11
#define AT_EUID_ 12
#define AT_GID_ 13
#define AT_EGID_ 14
#define AT_PLATFORM_ 15
#define AT_HWCAP_ 16
#define AT_CLKTCK_ 17
#define AT_SECURE_ 23
#define AT_RANDOM_ 25
#define AT_HWCAP2_ 26
#define AT_EXECFN_ 31
#define AT_SYSINFO_ 32
#define AT_SYSINFO_EHDR_ 33

static const char *build_stack(const struct kelf *e, uint64_t *sp_out)
{
	struct stk s = { kproc.is32 ? STACK_TOP32 : STACK_TOP64, 1 };
	uint64_t zero = 0;
	push_bytes(&s, &zero, 8);
	uint64_t execfn = push_str(&s, args.exe);
	static uint64_t envp[KEXEC_MAX_ARGS], argv[KEXEC_MAX_ARGS];
	for (unsigned i = args.envc; i-- > 0;)
		envp[i] = push_str(&s, args.envp[i]);
	for (unsigned i = args.argc; i-- > 0;)
		argv[i] = push_str(&s, args.argv[i]);
	uint64_t platform = push_str(&s, kproc.is32 ? "i686" : "x86_64");
	uint8_t rnd[16];
	krandom_bytes(rnd, sizeof(rnd));
	s.sp &= ~15ull;
	uint64_t random = push_bytes(&s, rnd, sizeof(rnd));
	if (!s.ok)
		return "the arguments do not fit on the stack";

	uint32_t a = 1, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	uint64_t aux[48];
	unsigned n = 0;
#define AUX(k, v) (aux[n++] = (k), aux[n++] = (v))
	if (kproc.is32 && kproc.vdso32)
		AUX(AT_SYSINFO_, kproc.vdso32 + VDSO32_SYM___kernel_vsyscall);
	if (kproc.is32 ? kproc.vdso32 : kproc.vdso64)
		AUX(AT_SYSINFO_EHDR_, kproc.is32 ? kproc.vdso32 : kproc.vdso64);
	AUX(AT_HWCAP_, d);
	AUX(AT_PAGESZ_, 4096);
	AUX(AT_CLKTCK_, 100);
	AUX(AT_PHDR_, e->phdr_vaddr);
	AUX(AT_PHENT_, e->phentsize);
	AUX(AT_PHNUM_, e->phnum);
	AUX(AT_BASE_, 0);
	AUX(AT_FLAGS_, 0);
	AUX(AT_ENTRY_, e->entry);
	AUX(AT_UID_, 0);
	AUX(AT_EUID_, 0);
	AUX(AT_GID_, 0);
	AUX(AT_EGID_, 0);
	AUX(AT_SECURE_, 0);
	AUX(AT_RANDOM_, random);
	AUX(AT_HWCAP2_, 0);
	AUX(AT_EXECFN_, execfn);
	AUX(AT_PLATFORM_, platform);
	AUX(AT_NULL_, 0);
#undef AUX
	/* argc, argv[], NULL, envp[], NULL, auxv: in words of the ABI, the
	 * whole table ending 16-byte aligned at argc (both ABIs want RSP/ESP
	 * 16-aligned at the entry point) */
	unsigned w = kproc.is32 ? 4 : 8;
	uint64_t words = 1 + args.argc + 1 + args.envc + 1 + n;
	s.sp = (s.sp - words * w) & ~15ull;
	uint64_t p = s.sp;
	uint64_t v[1];
#define PUT(x) (v[0] = (x), kuser_write(p, v, w, kproc.task_size) ? (s.ok = 0) : 0, p += w)
	PUT(args.argc);
	for (unsigned i = 0; i < args.argc; i++)
		PUT(argv[i]);
	PUT(0);
	for (unsigned i = 0; i < args.envc; i++)
		PUT(envp[i]);
	PUT(0);
	for (unsigned i = 0; i < n; i++)
		PUT(aux[i]);
#undef PUT
	if (!s.ok)
		return "the arguments do not fit on the stack";
	*sp_out = s.sp;
	return 0;
}

/* ---- running ---------------------------------------------------------------------- */

static int signal_of(unsigned vec)
{
	switch (vec) {
	case 0: case 16: case 19: return 8;  /* #DE, #MF, #XM: SIGFPE */
	case 1: case 3: return 5;            /* #DB, #BP: SIGTRAP */
	case 6: return 4;                    /* #UD: SIGILL */
	case 11: case 12: case 17: return 7; /* #NP, #SS, #AC: SIGBUS */
	}
	return 11;                           /* #GP, #PF and the rest: SIGSEGV */
}

static void linux_entries(int on)
{
	static const char *const ids[] = { "syscall", "compat-syscall", "compat-sysenter",
					   "compat-int80" };
	for (unsigned i = 0; i < 4; i++) {
		int k = kpath_index(ids[i]);
		if (on)
			kpath_install_full((unsigned)k);
		else
			kpath_uninstall((unsigned)k);
	}
}

__attribute__((noreturn)) static void refuse(const char *why)
{
	kprintf("exec refused %s\n", why);
	kernel_end(0, 0, 1);
}

void exec_run(void)
{
	const struct kmb_module *prog = &kmb.mods[0];
	const char *err = 0;
	if (kmb.n_mods >= 2)
		err = args_from_module(&kmb.mods[1]);
	else
		args_from_cmdline(prog);
	if (err)
		refuse(err);

	char why[200];
	struct kelf e;
	uint64_t len = prog->end - prog->start;
	if (kelf_check(kphys(prog->start), len, &e, why, sizeof(why)))
		refuse(why);
	kprintf("# exec: %s, %s program, %u arguments, entry 0x%lx\n", args.exe,
		e.is64 ? "64-bit" : "32-bit", args.argc, e.entry);

	if (kproc_new(!e.is64))
		refuse("out of memory for the address space");
	size_t xl = strlen(args.exe);
	if (xl >= sizeof(kproc.exe))
		xl = sizeof(kproc.exe) - 1;
	memcpy(kproc.exe, args.exe, xl);
	kproc.exe[xl] = 0;
	kvm_activate(&kproc.mm);
	for (unsigned i = 0; i < e.nseg && !err; i++)
		err = load_segment(&e.seg[i], prog->start);
	kproc.brk_start = kproc.brk = e.hi;
	uint64_t stop = kproc.is32 ? STACK_TOP32 : STACK_TOP64;
	uint32_t sprot = PROT_READ_ | PROT_WRITE_ | (e.exec_stack ? PROT_EXEC_ : 0);
	if (!err && kproc_map(stop - STACK_MAX, stop, sprot, VMA_STACK))
		err = "too many memory areas";
	if (!err && kvdso_map(e.is64, e.is64 ? VDSO64_BASE : VDSO32_BASE))
		err = "out of memory mapping the vDSO";
	uint64_t sp = 0;
	if (!err)
		err = build_stack(&e, &sp);
	if (err) {
		kproc_free();
		refuse(err);
	}
	uint64_t mono, real;
	ktime_now(&mono, &real);
	kproc.start_mono_ns = mono;

	/* the program is mapped: its KPTI twin when the boot runs a KPTI set
	 * (kentry exec --mitigations kpti), checked before it runs */
	if (kproc_kpti("process (exec)")) {
		/* the kernel's failure, not the program's: it does not run */
		kproc_free();
		kernel_fail_end("KPTI: no sound user page tables for the program (the self-check above)");
	}
	kprintf("1..%u\n", tap_count);
	linux_entries(1);
	uint32_t st = kuser_enter(e.entry, e.is64 ? USER_CS64 : USER_CS32, sp, 0);
	linux_entries(0);

	/* what a process leaves in the CPU */
	wrmsr(0xc0000100u, 0); /* FS base */
	wrmsr(0xc0000101u, 0); /* GS base */
	for (unsigned k = 0; k < 3; k++)
		kgdt[SEL_TLS0 / 8 + k] = 0;
	__asm__ volatile("mov %0, %%fs; mov %0, %%gs" : : "r"(0) : "memory");

	klinux_print_counts();
	int pass = 1;
	if (st == KURUN_PROC_END && kproc.ended == 1) {
		kprintf("exit status=%d\n", kproc.status);
	} else if (st == KURUN_PROC_END) {
		kprintf("exit signal=%d %s %s\n", kproc.status, ksig_name(kproc.status), kproc.why);
	} else if (st >= KURUN_FAULT(0) && st < KURUN_FAULT(32) && (kurun.cs & 3) == 3) {
		unsigned v = st - KURUN_FAULT(0);
		int sig = signal_of(v);
		if (v == 14)
			kprintf("exit signal=%d %s %s at rip 0x%lx: %s of address 0x%lx (error 0x%lx)\n",
				sig, ksig_name(sig), trap_name(v), kurun.rip,
				(kurun.error & 16) ? "execution" : (kurun.error & 2) ? "write" : "read",
				kurun.cr2, kurun.error);
		else
			kprintf("exit signal=%d %s %s at rip 0x%lx (error 0x%lx)\n", sig, ksig_name(sig),
				trap_name(v), kurun.rip, kurun.error);
	} else if (st >= KURUN_BAD_RETURN(0) && st < KURUN_BAD_RETURN(32)) {
		kprintf("exit signal=11 SIGSEGV the return to user space at rip 0x%lx faulted (%s)\n",
			kurun.rip, trap_name(st - KURUN_BAD_RETURN(0)));
	} else {
		char what[160];
		describe_status(what, sizeof(what), st);
		kprintf("exit signal=9 SIGKILL the kernel failed serving the program: %s\n", what);
		pass = 0;
	}
	kproc_free();
	kernel_end(pass, 1, 1);
}
