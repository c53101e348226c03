/* kentry: program entry. Everything lives in kentry_main() (app.c) so the
 * unit tests can link the rest of the program. */
#include "cli.h"

int main(int argc, char **argv)
{
	return kentry_main(argc, argv);
}
