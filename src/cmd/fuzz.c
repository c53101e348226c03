/* kentry boot --fuzz: placeholder until the fuzzer's command lands. */
#include "cmd.h"
int cmd_fuzz(const struct kcli *c)
{
	(void)c;
	return KEXIT_USAGE;
}
