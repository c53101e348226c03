/* Text for people and shells (src/results/text.c): every control character
 * escaped, valid UTF-8 kept, long arguments shortened in the middle, shell
 * words that survive a round trip. */
#include "unit/t.h"
#include "results/text.h"

#include <stdlib.h>

int main(void)
{
	char buf[256];

	T_STREQ(ktext_escape(buf, sizeof(buf), "syscall-32"), "syscall-32");
	T_STREQ(ktext_escape(buf, sizeof(buf), "a\x1b[31mred"), "a\\e[31mred");
	T_STREQ(ktext_escape(buf, sizeof(buf), "tab\there\nnl\rcr\x7f\x01"),
		"tab\\there\\nnl\\rcr\\x7f\\x01");
	T_STREQ(ktext_escape(buf, sizeof(buf), "caf\xc3\xa9 \xe2\x80\x94 ok"), "caf\xc3\xa9 \xe2\x80\x94 ok");
	/* C1 controls (U+009B is an 8-bit CSI) and broken UTF-8 */
	T_STREQ(ktext_escape(buf, sizeof(buf), "x\xc2\x9b" "31m"), "x\\xc2\\x9b31m");
	T_STREQ(ktext_escape(buf, sizeof(buf), "\x9b\xff\xc3"), "\\x9b\\xff\\xc3");
	T_STREQ(ktext_escape(buf, sizeof(buf), "\xed\xa0\x80"), "\\xed\\xa0\\x80"); /* a surrogate */
	T_STREQ(ktext_escape(buf, sizeof(buf), "\xe0\x80\xaf"), "\\xe0\\x80\\xaf"); /* overlong */
	T_STREQ(ktext_escape(buf, sizeof(buf), NULL), "");
	T_CHECK(ktext_needs_escape("a\x1b") && !ktext_needs_escape("plain \xc3\xa9"));
	/* a copy that does not fit stops before an escape, never in one */
	char small[5];
	T_STREQ(ktext_escape(small, sizeof(small), "abc\x1bxyz"), "abc");
	T_STREQ(ktext_escape(small, sizeof(small), "ab\xc3\xa9\xc3\xa9"), "ab\xc3\xa9");

	/* shortening keeps both ends and says where it cut */
	T_STREQ(ktext_short("short", 40), "short");
	char *longarg = malloc(5001);
	memset(longarg, 'a', 5000);
	longarg[0] = 'H';
	longarg[4999] = 'T';
	longarg[5000] = '\0';
	const char *s = ktext_short(longarg, 40);
	T_CHECK(strlen(s) == 40);
	T_CHECK(s[0] == 'H' && s[39] == 'T' && strstr(s, "...") != NULL);
	T_CHECK(strlen(ktext_arg(longarg)) == 120);
	/* escaped before it is shortened: no raw control byte survives */
	memset(longarg, '\x1b', 5000);
	s = ktext_short(longarg, 60);
	T_CHECK(strchr(s, '\x1b') == NULL && strlen(s) <= 60);
	free(longarg);
	/* several results in one printf stay distinct */
	const char *a = ktext_arg("one"), *b = ktext_arg("two");
	T_STREQ(a, "one");
	T_STREQ(b, "two");

	/* shell words */
	const char *argv[] = { "/usr/bin/qemu-system-x86_64", "-append", "samples=200 quick",
			       "it's", "", "a\"b", "-cpu", "Skylake-Client,+x2apic" };
	char *line = ktext_shell_join(argv, 8);
	T_STREQ(line, "/usr/bin/qemu-system-x86_64 -append 'samples=200 quick' 'it'\\''s' '' "
		      "'a\"b' -cpu Skylake-Client,+x2apic");
	char **w;
	T_CHECK(ktext_shell_split(line, &w) == 8);
	int same = 1;
	for (int i = 0; i < 8; i++)
		same &= strcmp(w[i], argv[i]) == 0;
	T_CHECK(same);
	T_CHECK(w[8] == NULL);
	ktext_words_free(w);
	free(line);
	T_CHECK(ktext_shell_split("a \"b \\\"c\" d\\ e", &w) == 3);
	T_STREQ(w[1], "b \"c");
	T_STREQ(w[2], "d e");
	ktext_words_free(w);
	T_CHECK(ktext_shell_split("'open", &w) == -1 && w == NULL);
	T_CHECK(ktext_shell_split("   ", &w) == 0);
	ktext_words_free(w);
	return T_DONE();
}
