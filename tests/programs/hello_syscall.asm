; "Hello, world!" through syscall from 64-bit code: the x86-64 ABI (RAX
; the number, RDI RSI RDX the arguments).
section .text
global _start
_start:
	mov rdx, len
	mov rsi, msg
	mov rdi, 1          ; stdout
	mov rax, 1          ; write
	syscall
	mov rax, 60         ; exit
	mov rdi, 0
	syscall
section .data
msg db 'Hello, world!', 0xa
len equ $ - msg
