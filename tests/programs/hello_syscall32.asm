; "Hello, world!" through a raw syscall from 32-bit code, as the seed's
; example does it: SYSCALL clobbers ECX, so the second argument goes in
; EBP; __kernel_vsyscall's pushes and a return address, for the vDSO's
; landing pad the kernel returns to. SYSCALL from 32-bit code exists on
; AMD only.
section .text
global _start
_start:
	mov edx, len
	mov ebp, msg
	mov ebx, 1          ; stdout
	mov eax, 4          ; i386 write
	push continue
	push ecx
	push edx
	push ebp
	syscall
	hlt                 ; never reached: the kernel returns to the landing pad
continue:
	mov eax, 1          ; i386 exit
	mov ebx, 0
	push ecx
	push edx
	push ebp
	syscall
section .data
msg db 'Hello, world!', 0xa
len equ $ - msg
