/* kentry kernel: running a static Linux executable handed over as a
 * Multiboot module (exec.c): boot with a module and the kernel runs it
 * instead of measuring. */
#ifndef KENTRY_KERNEL_EXEC_H
#define KENTRY_KERNEL_EXEC_H

/* The argument module's format (kentry exec writes it): the magic, then
 * argc and envc as 32-bit little-endian numbers, then NUL-terminated
 * strings: the executable's path (readlink /proc/self/exe), argv[0..argc),
 * envp[0..envc). Any byte but NUL may be in a string. Without it, argv is
 * the program module's own string split at spaces (GRUB's `module` line). */
#define KEXEC_ARGS_MAGIC "kentry-args\n1\n\0\0"
#define KEXEC_ARGS_MAGIC_LEN 16
#define KEXEC_MAX_ARGS 4096
#define KEXEC_MAX_ARGBYTES (256u << 10)

/* Loads module 0 (the program), runs it, prints its end (docs/serial-
 * protocol.md, "Running a program"), then the end line. Never returns. */
__attribute__((noreturn)) void exec_run(void);

#endif
