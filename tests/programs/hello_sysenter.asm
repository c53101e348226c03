; "Hello, world!" through a raw sysenter from 32-bit code, as the seed's
; example does it: the convention of the vDSO's __kernel_vsyscall (push
; ECX, EDX, EBP, ESP in EBP), with a return address pushed first, because
; the kernel returns to the vDSO's landing pad, which pops the three and
; returns. SYSENTER exists in long mode on Intel only.
section .text
global _start
_start:
	mov edx, len
	mov ecx, msg
	mov ebx, 1          ; stdout
	mov eax, 4          ; i386 write
	push continue
	push ecx
	push edx
	push ebp
	mov ebp, esp
	sysenter
	hlt                 ; never reached: the kernel returns to the landing pad
continue:
	mov eax, 1          ; i386 exit
	mov ebx, 0
	push ecx
	push edx
	push ebp
	mov ebp, esp
	sysenter
section .data
msg db 'Hello, world!', 0xa
len equ $ - msg
