# Stand-in Multiboot kernels for the boot error tests (sourced): mkkernel
# NAME MODE EXITVAL assembles $tmp/NAME.elf, which prints $tmp/NAME.txt on
# COM1 (polling the UART as the real kernel does, so that a real 16550 such
# as Bochs's loses nothing), waits for the transmitter to drain, then:
#   exit    writes EXITVAL to QEMU's isa-debug-exit port 0xf4 and halts
#   hang    spins forever (interrupts off)
#   halt    halts forever (cli; hlt)
#   triple  loads an empty IDT and raises #BP: a triple fault
mkkernel() {
	cat >"$tmp/$1.S" <<EOF
	.text
	.globl _start
	.align 4
	.long 0x1BADB002, 3, -(0x1BADB002 + 3)
_start:
	mov \$msg, %esi
1:	movb (%esi), %bl
	test %bl, %bl
	jz 2f
	mov \$0x3fd, %dx
5:	inb %dx, %al
	test \$0x20, %al
	jz 5b
	mov \$0x3f8, %dx
	mov %bl, %al
	outb %al, %dx
	inc %esi
	jmp 1b
2:	mov \$0x3fd, %dx
6:	inb %dx, %al
	test \$0x40, %al
	jz 6b
.ifc $2,exit
	mov \$0xf4, %dx
	mov \$$3, %eax
	outl %eax, %dx
.endif
.ifc $2,triple
	lidt zidt
	int3
.endif
.ifc $2,hang
4:	pause
	jmp 4b
.endif
3:	cli
	hlt
	jmp 3b
	.data
zidt:	.word 0
	.long 0
msg:	.incbin "$tmp/$1.txt"
	.byte 0
EOF
	as --32 "$tmp/$1.S" -o "$tmp/$1.o" && ld -m elf_i386 -Ttext=0x100000 "$tmp/$1.o" -o "$tmp/$1.elf"
}

STANDIN_HDR='kentry-kernel 0.1.0 protocol 1
env cpu.vendor GenuineIntel
env tsc.hz 1000000000
TAP version 13
ok 1 - gdt'
STANDIN_R='measured samples=20 batch=16 overhead=40 min=70 p25=71 median=72 p75=73 p99=80 max=90 mean=73.5 stddev=2.25'
