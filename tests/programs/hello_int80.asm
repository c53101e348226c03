; "Hello, world!" through int 0x80: the i386 system-call ABI (EAX the
; number, EBX ECX EDX the arguments). Assembled 32-bit (nasm -f elf,
; ld -melf_i386) and 64-bit (nasm -f elf64, ld): a 64-bit program may use
; int 0x80 too, with 32-bit pointers (a static program's data is below
; 4 GiB).
section .text
global _start
_start:
	mov edx, len
	mov ecx, msg
	mov ebx, 1          ; stdout
	mov eax, 4          ; i386 write
	int 0x80
	mov ebx, 0
	mov eax, 1          ; i386 exit
	int 0x80
section .data
msg db 'Hello, world!', 0xa
len equ $ - msg
