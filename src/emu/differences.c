/* kentry emu: notes on what is known to differ between the emulators. */
#include "emu.h"

void kemu_difference_notes(struct krun *run, const char *emulator)
{
	(void)run;
	(void)emulator;
}
