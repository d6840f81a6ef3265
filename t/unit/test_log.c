/*
 * test_log - log_sanitize(): what a log line may hold.
 */
#include "log.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"

static const struct {
	const char	*name, *in, *want;
} cases[] = {
	{ "plain", "to=<bob@example.org>", "to=<bob@example.org>" },
	{ "tab kept", "a\tb", "a\tb" },
	{ "CR LF", "a\r\nfake: line", "a??fake: line" },
	{ "ESC", "\033[2J", "?[2J" },
	{ "DEL", "a\177b", "a?b" },
	{ "UTF-8 kept", "caf\303\251 \342\202\254 \360\237\230\200",
	    "caf\303\251 \342\202\254 \360\237\230\200" },
	{ "C1 CSI as UTF-8", "\302\2332J", "??2J" },
	{ "C1 OSC as UTF-8", "\302\23552;c;x\302\234", "??52;c;x??" },
	{ "raw C1 byte", "\2332J", "?2J" },
	{ "latin-1", "caf\351", "caf?" },
	{ "overlong", "\300\257", "??" },
	{ "surrogate", "\355\240\200", "???" },
	{ "cut sequence", "x\342\202", "x??" },
	{ "beyond U+10FFFF", "\364\220\200\200", "????" },
};

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char	*s = strdup(cases[i].in);

		log_sanitize(s);
		is_str(s, cases[i].want, cases[i].name);
		free(s);
	}
	return tap_done();
}
