/* test_config - main.cf syntax, expansion, typed values, defaults, seed */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "exits.h"
#include "file.h"
#include "io.h"
#include "log.h"
#include "tap.h"

#define HOST		"mail.example.org"
#define CONFDIR		"/etc/pipemail-test"
#define LINE_MAX_CFG	262144		/* CFG_LINE_MAX in config.c */

/* load - cfg_load_text() on a C string, named "main.cf" */
static int
load(const char *text, struct buf *err)
{
	return cfg_load_text(text, strlen(text), "main.cf", err);
}

/* has_warning - did the last load warn with exactly this text? */
static int
has_warning(const char *want)
{
	for (size_t i = 0; i < cfg_warning_count(); i++)
		if (strcmp(cfg_warning(i), want) == 0)
			return 1;
	return 0;
}

/* joined - list elements joined with "|" (static buffer) */
static const char *
joined(const struct cfg_list *l)
{
	static struct buf	 b;

	buf_reset(&b);
	for (size_t i = 0; i < l->n; i++)
		buf_printf(&b, "%s%s", i ? "|" : "", l->v[i]);
	return buf_cstr(&b);
}

/* label - s with control characters escaped, for a one-line test name */
static const char *
label(struct buf *b, const char *s)
{
	buf_reset(b);
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20)
			buf_printf(b, "\\x%02x", (unsigned char)*s);
		else
			buf_addc(b, *s);
	}
	return buf_cstr(b);
}

/* Syntax and expansion: the value of param after loading input. */
static void
test_values(void)
{
	static const struct {
		const char	*name, *input, *param, *want;
	} cases[] = {
		{"name = value", "myorigin = example.com\n", "myorigin",
		    "example.com"},
		{"no white space, no newline at end", "myorigin=example.com",
		    "myorigin", "example.com"},
		{"tabs and trailing space trimmed",
		    "myorigin\t =\t example.com \t\n", "myorigin",
		    "example.com"},
		{"CRLF line ends", "myorigin = x\r\nrelayhost = y\r\n",
		    "myorigin", "x"},
		{"empty value", "relayhost =\n", "relayhost", ""},
		{"= inside the value", "x = a=b\nmyorigin = $x", "myorigin",
		    "a=b"},
		{"continuation lines join as Postfix",
		    "mydestination = a,\n  b,\n\tc\nmyorigin = o\n",
		    "mydestination", "a,  b,\tc"},
		{"comment lines", "# comment\nmyorigin = x\n  # indented\n",
		    "myorigin", "x"},
		{"comment inside a continued value",
		    "mydestination = a,\n# gone\n  b\n", "mydestination",
		    "a,  b"},
		{"blank line inside a continued value",
		    "mydestination = a,\n\n \t\n  b\n", "mydestination",
		    "a,  b"},
		{"# after the value is text",
		    "smtpd_banner = $myhostname # not a comment",
		    "smtpd_banner", HOST " # not a comment"},
		{"later setting overrides", "myorigin = a\nmyorigin = b\n",
		    "myorigin", "b"},
		{"no-break space is white space",
		    "myorigin\xc2\xa0=\xc2\xa0" "example.com\xc2\xa0\n",
		    "myorigin", "example.com"},
		{"no-break space starts a continuation",
		    "mydestination = a,\n\xc2\xa0\xc2\xa0" "b\n",
		    "mydestination", "a,  b"},
		{"orphan continuation line ignored",
		    "  stray text\nmyorigin = x\n", "myorigin", "x"},
		{"$name", "a = one\nmyorigin = $a", "myorigin", "one"},
		{"${name} and $(name)", "a = one\nmyorigin = <${a}|$(a)>",
		    "myorigin", "<one|one>"},
		{"name ends at a non-name character",
		    "a = one\nmyorigin = $a.$a-x", "myorigin", "one.one-x"},
		{"recursive expansion", "a = $b\nb = ${c}\nc = deep\n"
		    "myorigin = [$a]", "myorigin", "[deep]"},
		{"reference to a later line", "myorigin = $later\nlater = x",
		    "myorigin", "x"},
		{"undefined name is empty", "myorigin = [$nosuch${nosuch}]",
		    "myorigin", "[]"},
		{"${name?text}", "a = 1\nmyorigin = ${a?yes}${nosuch?no}",
		    "myorigin", "yes"},
		{"${name:text}", "a = 1\nmyorigin = ${a:no}${nosuch:yes}",
		    "myorigin", "yes"},
		{"empty value counts as unset",
		    "a =\nmyorigin = ${a?set}${a:empty}", "myorigin", "empty"},
		{"text in a branch is expanded",
		    "a = 1\nb = B\nmyorigin = ${a?x$b}${a?${b}y}", "myorigin",
		    "xBBy"},
		{"branch keeps its leading space", "a = 1\nmyorigin = ${a? x}",
		    "myorigin", " x"},
		{"${name?{text1}:{text2}}",
		    "a = 1\nmyorigin = ${a?{T}:{F}} ${nosuch?{T} : {F}}",
		    "myorigin", "T F"},
		{"logical ==", "a = x\nmyorigin = ${{$a} == {x}?{eq}:{ne}}",
		    "myorigin", "eq"},
		{"logical !=", "a = x\nmyorigin = ${{$a} != {x}?{ne}:{eq}}",
		    "myorigin", "eq"},
		{"branch not taken is never looked up",
		    "myorigin = ${nosuch?$myorigin}ok", "myorigin", "ok"},
		{"$$ is a dollar", "myorigin = a$$b$${c}$$$$", "myorigin",
		    "a$b${c}$$"},
		{"user-defined names expand",
		    "my_relay = [relay.example]:587\nrelayhost = $my_relay",
		    "relayhost", "[relay.example]:587"},
		{"default uses settings", "myhostname = h.example.com\n",
		    "mydestination", "h.example.com, localhost.example.com, "
		    "localhost"},
		{"mydomain from myhostname", "myhostname = mx.sub.example.net",
		    "mydomain", "sub.example.net"},
		{"myhostname from PIPEMAIL_HOSTNAME", "", "myhostname", HOST},
		{"mydomain default", "", "mydomain", "example.org"},
		{"local_transport default", "", "local_transport",
		    "local:" HOST},
		{"key file follows cert file", "smtp_tls_cert_file = /c.pem",
		    "smtp_tls_key_file", "/c.pem"},
		{"default list with a reference", "alias_maps = hash:/a",
		    "local_recipient_maps", "unix:passwd.byname hash:/a"},
		{"raw parameter is not expanded", "", "forward_path",
		    "$home/.forward${recipient_delimiter}${extension}, "
		    "$home/.forward"},
		{"raw parameter set in the file",
		    "mailbox_command = /usr/bin/procmail -a \"$EXTENSION\"",
		    "mailbox_command", "/usr/bin/procmail -a \"$EXTENSION\""},
		{"config_directory", "", "config_directory", CONFDIR},
		{"relative names use config_directory",
		    "header_checks = regexp:$config_directory/hc",
		    "header_checks", "regexp:" CONFDIR "/hc"},
		{"virtual_alias_maps from virtual_maps",
		    "virtual_maps = hash:/v", "virtual_alias_domains",
		    "hash:/v"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf	 err = BUF_INIT;
		int		 r = load(cases[i].input, &err);

		if (!ok(r == 0, "%s: loads", cases[i].name))
			printf("#   error: %s\n", buf_cstr(&err));
		else if (cases[i].param != NULL)
			is_str(cfg_get(cases[i].param), cases[i].want,
			    cases[i].name);
		buf_free(&err);
	}
}

/* Bad input: the exact message, naming file:line. */
static void
test_errors(void)
{
	static const struct {
		const char	*name, *input, *want;
	} cases[] = {
		{"no =", "myorigin\n", "main.cf:1: missing \"=\" after "
		    "parameter name \"myorigin\""},
		{"no = on a later line", "# c\n\nmy origin = x\n",
		    "main.cf:3: missing \"=\" after parameter name \"my\""},
		{"empty name", "= value\n",
		    "main.cf:1: missing parameter name before \"=\""},
		{"bad name character", "a = 1\nbad:name = x\n",
		    "main.cf:2: bad character in parameter name \"bad:name\""},
		{"two-name loop", "a = $b\nb = $a\nmyorigin = $a\n",
		    "main.cf:2: expansion loop: $a -> $b -> $a"},
		{"self loop", "x = 1\nmyorigin = ${myorigin}\n",
		    "main.cf:2: expansion loop: $myorigin -> $myorigin"},
		{"loop through a default", "myhostname = $myorigin\n",
		    "main.cf:1: expansion loop: $myhostname -> $myorigin -> "
		    "$myhostname"},
		{"loop in an unused name", "a = $b\nb = ${a:x}\n",
		    "main.cf:2: expansion loop: $a -> $b -> $a"},
		{"unterminated ${", "myorigin = ${a\n",
		    "main.cf:1: missing \"}\" in \"${a\""},
		{"lone $", "myorigin = cost $ 5\n", "main.cf:1: \"$\" not "
		    "followed by a parameter name (write \"$$\" for a dollar "
		    "sign)"},
		{"$ at the end", "myorigin = x$\n", "main.cf:1: \"$\" not "
		    "followed by a parameter name (write \"$$\" for a dollar "
		    "sign)"},
		{"bad name in ${}", "myorigin = ${a b}\n",
		    "main.cf:1: bad parameter name in \"${a b}\""},
		{"text after {text1}", "myorigin = ${a?{x}y}\n",
		    "main.cf:1: \":\" expected after \"{x}\""},
		{"text after {text2}", "myorigin = ${a?{x}:{y}z}\n",
		    "main.cf:1: unexpected text after \"{y}\""},
		{"bad logical operator", "myorigin = ${{a} = {b}}\n",
		    "main.cf:1: \"==\" or \"!=\" expected after \"{a}\""},
		{"syntax error in the branch not taken",
		    "myorigin = ${nosuch?$}\n", "main.cf:1: \"$\" not followed"
		    " by a parameter name (write \"$$\" for a dollar sign)"},
		{"bad bool", "biff = maybe\n",
		    "main.cf:1: bad value \"maybe\" for biff: not \"yes\" or "
		    "\"no\""},
		{"int below minimum", "smtpd_recipient_limit = 0\n",
		    "main.cf:1: bad value \"0\" for smtpd_recipient_limit: "
		    "must be at least 1"},
		{"int above maximum", "smtpd_tls_loglevel = 5\n",
		    "main.cf:1: bad value \"5\" for smtpd_tls_loglevel: must "
		    "be at most 4"},
		{"int not a number", "hopcount_limit = 5x\n",
		    "main.cf:1: bad value \"5x\" for hopcount_limit: not a "
		    "number"},
		{"int overflow", "default_process_limit = "
		    "99999999999999999999\n", "main.cf:1: bad value "
		    "\"99999999999999999999\" for default_process_limit: "
		    "number too large"},
		{"time unit", "queue_run_delay = 10x\n",
		    "main.cf:1: bad value \"10x\" for queue_run_delay: bad "
		    "time unit (use s, m, h, d or w)"},
		{"time not a number", "queue_run_delay = soon\n",
		    "main.cf:1: bad value \"soon\" for queue_run_delay: not a "
		    "time (a number with an optional unit s, m, h, d or w)"},
		{"time above maximum", "maximal_queue_lifetime = 101d\n",
		    "main.cf:1: bad value \"101d\" for maximal_queue_lifetime: "
		    "must be at most 8640000s"},
		{"time overflow", "smtpd_timeout = 99999999999999999w\n",
		    "main.cf:1: bad value \"99999999999999999w\" for "
		    "smtpd_timeout: time too large"},
		{"negative size", "message_size_limit = -1\n",
		    "main.cf:1: bad value \"-1\" for message_size_limit: must "
		    "not be negative"},
		{"size with a unit", "message_size_limit = 10M\n",
		    "main.cf:1: bad value \"10M\" for message_size_limit: not a"
		    " number"},
		{"empty int", "hopcount_limit =\n",
		    "main.cf:1: bad value \"\" for hopcount_limit: not a "
		    "number"},
		{"checked after expansion", "limit = abc\nsmtpd_timeout = "
		    "$limit\n", "main.cf:2: bad value \"abc\" for "
		    "smtpd_timeout: not a time (a number with an optional unit"
		    " s, m, h, d or w)"},
		{"line of a later setting", "# c\n\nbiff = yes\n\n# x\n"
		    "biff = perhaps\n", "main.cf:6: bad value \"perhaps\" for "
		    "biff: not \"yes\" or \"no\""},
		{"first line of a continued setting", "mydestination = a,\n"
		    "  b\nhopcount_limit =\n  abc\n", "main.cf:3: bad value "
		    "\"abc\" for hopcount_limit: not a number"},
		{"earliest bad line reported first",
		    "smtpd_timeout = x\nbiff = y\n", "main.cf:1: bad value "
		    "\"x\" for smtpd_timeout: not a time (a number with an "
		    "optional unit s, m, h, d or w)"},
		{"control bytes shown escaped", "biff = \x01\x1b[2J\n",
		    "main.cf:1: bad value \"\\x01\\x1b[2J\" for biff: not "
		    "\"yes\" or \"no\""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf	 err = BUF_INIT;

		ok(load(cases[i].input, &err) == -1, "%s: refused",
		    cases[i].name);
		is_str(buf_cstr(&err), cases[i].want, cases[i].name);
		buf_free(&err);
	}
}

/* Limits: NUL, huge lines, runaway expansion, deep nesting. */
static void
test_limits(void)
{
	struct buf	 t = BUF_INIT, err = BUF_INIT;

	ok(load("myorigin = kept", NULL) == 0, "load before failures");

	buf_set(&t, "a = 1\nmyorigin = a\0b\n", 20);
	ok(cfg_load_text(t.s, t.len, "main.cf", &err) == -1, "NUL refused");
	is_str(buf_cstr(&err), "main.cf:2: NUL byte in line", "NUL: where");
	is_str(cfg_get("myorigin"), "kept", "failed load keeps the old one");

	buf_sets(&t, "myorigin = ");
	for (int i = 0; i < 1024 * 1024; i++)
		buf_addc(&t, 'x');
	buf_adds(&t, "\nbiff = no\n");
	ok(load(buf_cstr(&t), &err) == -1, "1 MB line refused");
	is_str(buf_cstr(&err), "main.cf:1: line longer than 262144 bytes",
	    "1 MB line: message");

	buf_sets(&t, "# x\nmydestination = a");
	for (int k = 0; k < 3; k++) {
		buf_adds(&t, "\n ");
		for (int i = 0; i < 100000; i++)
			buf_addc(&t, 'y');
	}
	ok(load(buf_cstr(&t), &err) == -1, "long logical line refused");
	is_str(buf_cstr(&err), "main.cf:2: logical line longer than 262144 "
	    "bytes", "long logical line: message");

	/* Doubling: 64 KB, 128 KB, ..., 1 MB is over the 512 KB cap. */
	buf_sets(&t, "a0 = ");
	for (int i = 0; i < 65536; i++)
		buf_addc(&t, 'z');
	buf_adds(&t, "\na1 = $a0$a0\na2 = $a1$a1\na3 = $a2$a2\n"
	    "a4 = $a3$a3\na5 = $a4$a4\n");
	ok(load(buf_cstr(&t), &err) == -1, "exponential expansion refused");
	is_str(buf_cstr(&err), "main.cf:5: value longer than 524288 bytes "
	    "after expansion", "exponential expansion: message");

	/* 32 values of 512 KB: over the 16 MB total. */
	buf_sets(&t, "big = ");
	for (int i = 0; i < LINE_MAX_CFG - 10; i++)
		buf_addc(&t, 'w');
	for (int i = 1; i <= 32; i++)
		buf_printf(&t, "\nb%d = $big$big", i);
	ok(load(buf_cstr(&t), &err) == -1, "total expansion refused");
	is_str(buf_cstr(&err), "main.cf:33: expanded values exceed 16777216 "
	    "bytes in total", "total expansion: message");

	/* A chain of 50 references is fine, of 150 is not. */
	buf_reset(&t);
	for (int i = 1; i < 50; i++)
		buf_printf(&t, "c%d = $c%d\n", i, i + 1);
	buf_adds(&t, "c50 = end\nmyorigin = $c1\n");
	ok(load(buf_cstr(&t), &err) == 0, "chain of 50 loads");
	is_str(cfg_get("myorigin"), "end", "chain of 50 expands");
	buf_reset(&t);
	for (int i = 1; i < 150; i++)
		buf_printf(&t, "c%d = $c%d\n", i, i + 1);
	ok(load(buf_cstr(&t), &err) == -1, "chain of 150 refused");
	is_str(buf_cstr(&err), "main.cf:100: references nested more than "
	    "100 deep", "chain of 150: message");

	/* Nesting inside one value counts too. */
	buf_sets(&t, "myorigin = ");
	for (int i = 0; i < 200; i++)
		buf_adds(&t, "${a?");
	for (int i = 0; i < 200; i++)
		buf_addc(&t, '}');
	ok(load(buf_cstr(&t), &err) == -1, "200 nested ${a?...} refused");
	is_str(buf_cstr(&err), "main.cf:1: references nested more than 100 "
	    "deep", "nested ${}: message");

	/* Many unknown names: warnings are capped, loading is not slow. */
	buf_reset(&t);
	for (int i = 0; i < 50000; i++)
		buf_printf(&t, "user_%d = %d\n", i, i);
	ok(load(buf_cstr(&t), &err) == 0, "50000 user-defined names load");
	is_int((long long)cfg_warning_count(), 100, "warnings are capped");
	is_str(cfg_lookup("user_49999"), "49999", "last user name kept");

	ok(cfg_load_text("", (size_t)4 * 1024 * 1024 + 1, "main.cf",
	    &err) == -1, "text over 4 MB refused");
	is_str(buf_cstr(&err), "main.cf: larger than 4194304 bytes",
	    "text over 4 MB: message");
	buf_free(&t);
	buf_free(&err);
}

/* Typed getters, units and defaults. */
static void
test_typed(void)
{
	static const struct {
		const char	*input, *param;
		char		 kind;		/* b, i, t or s */
		long long	 want;
	} cases[] = {
		{"", "maximal_queue_lifetime", 't', 5 * 86400},
		{"maximal_queue_lifetime = 5", "maximal_queue_lifetime", 't',
		    5 * 86400},
		{"maximal_queue_lifetime = 2d", "maximal_queue_lifetime", 't',
		    172800},
		{"maximal_queue_lifetime = 3h", "maximal_queue_lifetime", 't',
		    10800},
		{"maximal_queue_lifetime = 1w", "maximal_queue_lifetime", 't',
		    604800},
		{"maximal_queue_lifetime = 0", "maximal_queue_lifetime", 't',
		    0},
		{"maximal_queue_lifetime = 100d", "maximal_queue_lifetime",
		    't', 8640000},
		{"bounce_queue_lifetime = 1", "bounce_queue_lifetime", 't',
		    86400},
		{"delay_warning_time = 4", "delay_warning_time", 't', 14400},
		{"queue_run_delay = 90", "queue_run_delay", 't', 90},
		{"queue_run_delay = 2m", "queue_run_delay", 't', 120},
		{"queue_run_delay = 3600s", "queue_run_delay", 't', 3600},
		{"t = 7m\nsmtpd_timeout = $t", "smtpd_timeout", 't', 420},
		{"biff = YES", "biff", 'b', 1},
		{"biff = No", "biff", 'b', 0},
		{"smtpd_helo_required = yes", "smtpd_helo_required", 'b', 1},
		{"message_size_limit = 0", "message_size_limit", 's', 0},
		{"message_size_limit = 80000000", "message_size_limit", 's',
		    80000000},
		{"message_size_limit = 80000000", "message_size_limit", 'i',
		    80000000},
		{"default_destination_concurrency_limit = 7",
		    "smtp_destination_concurrency_limit", 'i', 7},
		{"smtpd_soft_error_limit = 0", "smtpd_soft_error_limit", 'i',
		    0},
		{"reject_code = 450", "reject_code", 'i', 450},
		/* Postfix defaults. */
		{"", "bounce_queue_lifetime", 't', 5 * 86400},
		{"", "queue_run_delay", 't', 300},
		{"", "minimal_backoff_time", 't', 300},
		{"", "maximal_backoff_time", 't', 4000},
		{"", "message_size_limit", 's', 10240000},
		{"", "mailbox_size_limit", 's', 51200000},
		{"", "smtpd_recipient_limit", 'i', 1000},
		{"", "smtpd_timeout", 't', 300},
		{"", "default_process_limit", 'i', 100},
		{"", "default_destination_concurrency_limit", 'i', 20},
		{"", "default_destination_recipient_limit", 'i', 50},
		{"", "local_destination_recipient_limit", 'i', 1},
		{"", "delay_warning_time", 't', 0},
		{"", "hopcount_limit", 'i', 50},
		{"", "line_length_limit", 'i', 2048},
		{"", "header_size_limit", 's', 102400},
		{"", "smtpd_error_sleep_time", 't', 1},
		{"", "smtpd_soft_error_limit", 'i', 10},
		{"", "smtpd_hard_error_limit", 'i', 20},
		{"", "command_time_limit", 't', 1000},
		{"", "smtp_connect_timeout", 't', 30},
		{"", "reject_code", 'i', 554},
		{"", "defer_code", 'i', 450},
		{"", "biff", 'b', 1},
		{"", "disable_vrfy_command", 'b', 0},
		{"", "smtpd_helo_required", 'b', 0},
		{"", "ignore_mx_lookup_error", 'b', 0},
		{"", "smtp_always_send_ehlo", 'b', 1},
		{"", "smtpd_delay_reject", 'b', 1},
		{"", "smtpd_sasl_auth_enable", 'b', 0},
		{"", "smtpd_tls_auth_only", 'b', 0},
		{"", "allow_percent_hack", 'b', 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf	 err = BUF_INIT, name = BUF_INIT, in = BUF_INIT;
		long long	 got = -12345;

		buf_printf(&name, "%s from \"%s\"", cases[i].param,
		    label(&in, cases[i].input));
		buf_free(&in);
		if (load(cases[i].input, &err) < 0) {
			ok(0, "%s: %s", buf_cstr(&name), buf_cstr(&err));
			goto next;
		}
		switch (cases[i].kind) {
		case 'b':
			got = cfg_get_bool(cases[i].param);
			break;
		case 'i':
			got = cfg_get_int(cases[i].param);
			break;
		case 't':
			got = cfg_get_time(cases[i].param);
			break;
		default:
			got = cfg_get_size(cases[i].param);
			break;
		}
		is_int(got, cases[i].want, buf_cstr(&name));
next:
		buf_free(&err);
		buf_free(&name);
	}
}

/* Default strings, as Postfix (or pipemail where documented). */
static void
test_defaults(void)
{
	static const struct {
		const char	*param, *want;
	} cases[] = {
		{"myhostname", HOST},
		{"mydomain", "example.org"},
		{"myorigin", HOST},
		{"mydestination", HOST ", localhost.example.org, localhost"},
		{"mynetworks", "127.0.0.0/8 [::1]/128"},
		{"mynetworks_style", "host"},
		{"relay_domains", ""},
		{"relayhost", ""},
		{"smtpd_banner", HOST " ESMTP"},
		{"mail_name", "pipemail"},
		{"queue_directory", "/var/spool/pipemail"},
		{"mail_spool_directory", "/var/mail"},
		{"home_mailbox", ""},
		{"alias_maps", "hash:/etc/aliases"},
		{"alias_database", "hash:/etc/aliases"},
		{"local_recipient_maps",
		    "unix:passwd.byname hash:/etc/aliases"},
		{"transport_maps", ""},
		{"default_privs", "nobody"},
		{"mail_owner", "postfix"},
		{"setgid_group", "postdrop"},
		{"maillog_file", ""},
		{"sendmail_path", ""},
		{"default_transport", "smtp"},
		{"relay_transport", "relay"},
		{"smtp_helo_name", HOST},
		{"smtpd_relay_restrictions", "permit_mynetworks, "
		    "permit_sasl_authenticated, defer_unauth_destination"},
		{"smtpd_recipient_restrictions", ""},
		{"smtpd_sasl_security_options", "noanonymous"},
		{"smtpd_sasl_tls_security_options", "noanonymous"},
		{"smtp_sasl_security_options", "noplaintext, noanonymous"},
		{"smtpd_tls_security_level", ""},
		{"smtp_tls_security_level", ""},
		{"smtpd_tls_protocols", ">=TLSv1"},
		{"notify_classes", "resource, software"},
		{"bounce_notice_recipient", "postmaster"},
		{"double_bounce_sender", "double-bounce"},
		{"empty_address_recipient", "MAILER-DAEMON"},
		{"allow_mail_to_commands", "alias, forward"},
		{"inet_interfaces", "all"},
		{"mime_header_checks", ""},
		{"readme_directory", "no"},
	};

	ok(load("", NULL) == 0, "empty main.cf loads");
	is_int((long long)cfg_warning_count(), 0, "no warnings");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf	 name = BUF_INIT;

		buf_printf(&name, "default %s", cases[i].param);
		is_str(cfg_get(cases[i].param), cases[i].want,
		    buf_cstr(&name));
		buf_free(&name);
	}

	/* A host name without a dot, as Postfix: append $mydomain. */
	setenv("PIPEMAIL_HOSTNAME", "bare", 1);
	ok(load("", NULL) == 0, "bare host name loads");
	is_str(cfg_get("myhostname"), "bare.localdomain", "bare host name");
	is_str(cfg_get("mydomain"), "localdomain", "bare host: mydomain");
	ok(load("mydomain = example.com", NULL) == 0, "bare + mydomain");
	is_str(cfg_get("myhostname"), "bare.example.com",
	    "bare host name gets $mydomain");
	setenv("PIPEMAIL_HOSTNAME", "cost$5.example", 1);
	ok(load("", NULL) == 0, "host name with $ loads");
	is_str(cfg_get("myhostname"), "cost$5.example", "$ in host name kept");
	setenv("PIPEMAIL_HOSTNAME", HOST, 1);
}

/* Warnings kept for the log. */
static void
test_warnings(void)
{
	ok(load("foo = bar\nmyorigin = $foo\nfoo = baz\n", NULL) == 0,
	    "unknown name loads");
	is_str(cfg_get("myorigin"), "baz", "unknown name expands");
	is_int((long long)cfg_warning_count(), 1, "one warning per name");
	ok(has_warning("main.cf:1: unknown parameter foo"),
	    "unknown name warning");
	is_str(cfg_lookup("foo"), "baz", "cfg_lookup: user-defined name");
	ok(cfg_lookup("nosuch") == NULL, "cfg_lookup: undefined is NULL");
	is_str(cfg_lookup("biff"), "yes", "cfg_lookup: table name");

	ok(load("a = 1\nmyorigin\xc2\xa0= x\nbiff =\xc2\xa0no\n", NULL) == 0,
	    "no-break spaces load");
	is_int((long long)cfg_warning_count(), 2, "one NBSP warning");
	ok(has_warning("main.cf:2: no-break space (U+00A0) read as white "
	    "space"), "NBSP warning names the first line");
	ok(cfg_warning(2) == NULL, "cfg_warning past the end");

	ok(load(" orphan\n  more\nbiff = no\n", NULL) == 0,
	    "orphan continuation loads");
	ok(has_warning("main.cf:1: continuation line with no parameter "
	    "before it: ignored"), "orphan continuation warning");
	is_int((long long)cfg_warning_count(), 1, "one orphan warning");
}

/* cfg_set: -o name=value. */
static void
test_set(void)
{
	struct buf	 err = BUF_INIT;
	const char	*before;

	ok(load("x = 1\n", NULL) == 0, "load for cfg_set");
	before = cfg_get("myorigin");
	is_int(cfg_set("smtpd_timeout", "10m", &err), 0, "set a time");
	is_int(cfg_get_time("smtpd_timeout"), 600, "set time read back");
	is_str(before, HOST, "value from before cfg_set still valid");
	is_int(cfg_set("smtpd_timeout", "bogus", &err), -1, "bad set refused");
	is_str(buf_cstr(&err), "command line: bad value \"bogus\" for "
	    "smtpd_timeout: not a time (a number with an optional unit s, m,"
	    " h, d or w)", "bad set: message");
	is_int(cfg_get_time("smtpd_timeout"), 600, "bad set keeps old value");
	is_int(cfg_set("myhostname", "other.example", &err), 0,
	    "set myhostname");
	is_str(cfg_get("mydestination"), "other.example, "
	    "localhost.example, localhost", "defaults follow a set");
	is_int(cfg_set("bad name", "x", &err), -1, "bad name refused");
	is_str(buf_cstr(&err), "command line: bad character in parameter "
	    "name \"bad name\"", "bad name: message");
	is_int(cfg_set("relayhost", "a\nb", &err), -1, "newline refused");
	is_int(cfg_set("ua", "$ub", &err), 0, "set a user name");
	is_int(cfg_set("ub", "$ua", &err), -1, "loop through a set refused");
	is_str(buf_cstr(&err), "command line: expansion loop: $ua -> $ub -> "
	    "$ua", "loop through a set: message");
	ok(cfg_lookup("ub") == NULL, "refused user name stays undefined");
	is_int(cfg_set("x", "2", &err), 0, "set overrides a file value");
	is_str(cfg_lookup("x"), "2", "file value overridden");
	buf_free(&err);
}

/* cfg_split_list and list parameters. */
static void
test_lists(void)
{
	static const struct {
		const char	*input;
		size_t		 n;
		const char	*want;
	} cases[] = {
		{"a, b c,,d", 4, "a|b|c|d"},
		{"", 0, ""},
		{"  , \t ,", 0, ""},
		{"a\tb\nc\r\nd", 4, "a|b|c|d"},
		{"check_sender_access inline:{ a = b, c = d }, permit", 3,
		    "check_sender_access|inline:{ a = b, c = d }|permit"},
		{"x:{ a = { b, c } }, y", 2, "x:{ a = { b, c } }|y"},
		{"{ a b }", 1, "{ a b }"},
		{"x:{ a, b", 1, "x:{ a, b"},
		{"a}, b", 2, "a}|b"},
	};
	struct cfg_list	 l;
	struct buf	 name = BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		label(&name, cases[i].input);
		cfg_split_list(cases[i].input, &l);
		is_int((long long)l.n, (long long)cases[i].n, buf_cstr(&name));
		is_str(joined(&l), cases[i].want, buf_cstr(&name));
		ok(l.v[l.n] == NULL, "list is NULL-terminated");
		cfg_list_free(&l);
		ok(l.v == NULL && l.n == 0, "list freed");
	}
	ok(load("a = x, y\nmydestination = $a,\n  z", NULL) == 0,
	    "list parameter loads");
	cfg_get_list("mydestination", &l);
	is_str(joined(&l), "x|y|z", "cfg_get_list expands then splits");
	cfg_list_free(&l);
	buf_free(&name);
}

/* cfg_parse_time, cfg_parse_bool. */
static void
test_parsers(void)
{
	static const struct {
		const char	*s;
		char		 unit;
		int		 r;
		long long	 want;
	} times[] = {
		{"10", 's', 0, 10}, {"10", 'd', 0, 864000},
		{"10s", 'd', 0, 10}, {"2m", 's', 0, 120}, {"1h", 's', 0, 3600},
		{"1w", 's', 0, 604800},
		{"0", 'h', 0, 0}, {"", 's', -1, 0}, {"s", 's', -1, 0},
		{"-5", 's', -1, 0}, {"5S", 's', -1, 0}, {"5 m", 's', -1, 0},
		{"1.5h", 's', -1, 0}, {"5", 'x', -1, 0},
	};
	static const struct {
		const char	*s;
		int		 r, want;
	} bools[] = {
		{"yes", 0, 1}, {"YES", 0, 1}, {"no", 0, 0}, {"nO", 0, 0},
		{"true", -1, 0}, {"1", -1, 0}, {"", -1, 0}, {"yes ", -1, 0},
	};

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		long long	 v = 0;

		is_int(cfg_parse_time(times[i].s, times[i].unit, &v),
		    times[i].r, times[i].s);
		if (times[i].r == 0)
			is_int(v, times[i].want, times[i].s);
	}
	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		int	 v = -1;

		is_int(cfg_parse_bool(bools[i].s, &v), bools[i].r, bools[i].s);
		if (bools[i].r == 0)
			is_int(v, bools[i].want, bools[i].s);
	}
}

/* lookup_attr - cfg_expand() test attributes */
static const char *
lookup_attr(const char *name, void *ctx)
{
	const char *const	*kv = ctx;

	for (; kv[0] != NULL; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	return NULL;
}

/* cfg_expand with the caller's values, as local delivery will. */
static void
test_expand(void)
{
	const char	*attrs[] = {"user", "joe", "home", "/home/joe",
	    "extension", "foo", "recipient_delimiter", "+", "evil", "$home",
	    NULL, NULL};
	const char	*noext[] = {"home", "/h", "extension", "", NULL, NULL};
	struct buf	 out = BUF_INIT, err = BUF_INIT;

	ok(load("", NULL) == 0, "load for cfg_expand");
	is_int(cfg_expand(cfg_get("forward_path"), lookup_attr, attrs, &out,
	    &err), 0, "forward_path expands");
	is_str(buf_cstr(&out), "/home/joe/.forward+foo, /home/joe/.forward",
	    "forward_path with an extension");
	buf_reset(&out);
	is_int(cfg_expand(cfg_get("forward_path"), lookup_attr, noext, &out,
	    &err), 0, "forward_path without extension");
	is_str(buf_cstr(&out), "/h/.forward, /h/.forward",
	    "forward_path without an extension");
	buf_sets(&out, "kept:");
	is_int(cfg_expand("[$evil]", lookup_attr, attrs, &out, &err), 0,
	    "values are not expanded again");
	is_str(buf_cstr(&out), "kept:[$home]", "value text kept, appended");
	is_int(cfg_expand("x${user", lookup_attr, attrs, &out, &err), -1,
	    "cfg_expand syntax error");
	is_str(buf_cstr(&out), "kept:[$home]", "output unchanged on error");
	is_str(buf_cstr(&err), "missing \"}\" in \"${user\"",
	    "cfg_expand error text");
	buf_free(&out);
	buf_free(&err);
}

/* The seed's main.cf, unchanged. */
static void
test_seed(void)
{
	struct buf	 text = BUF_INIT, err = BUF_INIT;
	struct cfg_list	 l;

	if (!ok(file_read("t/data/seed-main.cf", &text, 1 << 20) == 0,
	    "read t/data/seed-main.cf"))
		return;
	if (!ok(cfg_load_text(text.s, text.len, "seed-main.cf", &err) == 0,
	    "seed main.cf loads"))
		printf("#   error: %s\n", buf_cstr(&err));
	is_int((long long)cfg_warning_count(), 0, "seed: no unknown names");
	is_str(cfg_get("mydestination"), "hostname.domain.com, "
	    "localhost.domain.com, hash:/etc/postfix/transport",
	    "seed mydestination (second setting)");
	is_str(cfg_get("alias_database"), "hash:/etc/aliases",
	    "seed alias_database (second setting)");
	is_str(cfg_get("mynetworks"), "10.0.0.0/8, 127.0.0.0/8",
	    "seed mynetworks");
	is_str(cfg_get("myorigin"), "hostname.domain.com", "seed myorigin");
	is_str(cfg_get("smtpd_banner"), "hostname.domain.com ESMTP",
	    "seed smtpd_banner");
	is_str(cfg_get("relay_domains"), "hash:/etc/postfix/transport",
	    "seed relay_domains");
	is_str(cfg_get("queue_directory"), "/var/spool/postfix",
	    "seed queue_directory");
	is_str(cfg_get("best_mx_transport"), "local", "seed best_mx_transport");
	is_int(cfg_get_size("message_size_limit"), 80000000,
	    "seed message_size_limit");
	is_int(cfg_get_size("mailbox_size_limit"), 1000000000,
	    "seed mailbox_size_limit");
	is_int(cfg_get_time("maximal_queue_lifetime"), 172800,
	    "seed maximal_queue_lifetime 2d");
	is_int(cfg_get_time("queue_run_delay"), 3600, "seed queue_run_delay");
	is_int(cfg_get_int("default_destination_concurrency_limit"), 10,
	    "seed concurrency limit");
	is_int(cfg_get_int("default_destination_recipient_limit"), 20,
	    "seed recipient limit");
	is_int(cfg_get_int("default_process_limit"), 150,
	    "seed default_process_limit");
	is_int(cfg_get_bool("biff"), 0, "seed biff");
	is_int(cfg_get_bool("smtpd_helo_required"), 1, "seed helo required");
	is_int(cfg_get_bool("disable_vrfy_command"), 1, "seed vrfy");
	is_int(cfg_get_bool("ignore_mx_lookup_error"), 1, "seed mx error");
	cfg_get_list("smtpd_recipient_restrictions", &l);
	is_int((long long)l.n, 10, "seed recipient restrictions: 10 words");
	is_str(joined(&l), "hash:/etc/postfix/access|reject_rbl_client|"
	    "bl.spamcop.net|reject_non_fqdn_recipient|reject_non_fqdn_sender|"
	    "reject_unknown_sender_domain|reject_unknown_recipient_domain|"
	    "permit_mynetworks|reject_unauth_destination|"
	    "reject_multi_recipient_bounce", "seed recipient restrictions");
	cfg_list_free(&l);
	cfg_get_list("smtpd_sender_restrictions", &l);
	is_str(joined(&l), "reject_unknown_sender_domain|"
	    "hash:/etc/postfix/access", "seed sender restrictions");
	cfg_list_free(&l);
	buf_free(&text);
	buf_free(&err);
}

/* Every table parameter is documented in man/main.cf.5. */
static void
test_manpage(void)
{
	struct buf	 man = BUF_INIT, want = BUF_INIT;
	size_t		 missing = 0, i;

	if (!ok(file_read("man/main.cf.5", &man, 1 << 20) == 0,
	    "read man/main.cf.5"))
		return;
	for (i = 0; cfg_param_name(i) != NULL; i++) {
		buf_reset(&want);
		buf_printf(&want, "\n.B %s\n", cfg_param_name(i));
		if (strstr(buf_cstr(&man), buf_cstr(&want)) == NULL) {
			printf("#   not documented: %s\n", cfg_param_name(i));
			missing++;
		}
	}
	ok(i > 150, "the table has %zu parameters", i);
	is_int((long long)missing, 0, "every parameter is in main.cf.5");
	buf_free(&man);
	buf_free(&want);
}

/* run_child - run fn in a child; its exit status and stderr */
static int
run_child(void (*fn)(const char *), const char *arg, struct buf *errout)
{
	int	 p[2], status;
	pid_t	 pid;

	if (pipe(p) < 0)
		abort();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], STDERR_FILENO);
		fn(arg);
		_exit(0);
	}
	close(p[1]);
	buf_reset(errout);
	fd_read_file(p[0], errout, 1 << 16);
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* child_load - cfg_load(dir) in a child */
static void
child_load(const char *dir)
{
	cfg_load(dir);
}

/* write_file - create path with text */
static void
write_file(const char *path, const char *text)
{
	if (file_replace(path, text, strlen(text), 0644) < 0)
		abort();
}

/* cfg_load: directories, files, the log, dying with EX_CONFIG. */
static void
test_load(void)
{
	char		 dir[] = "/tmp/pmcfgXXXXXX";
	struct buf	 p = BUF_INIT, b = BUF_INIT;
	char		*s;

	if (mkdtemp(dir) == NULL)
		abort();
	cfg_load(dir);
	is_str(cfg_dir(), dir, "cfg_load without main.cf: dir");
	is_str(cfg_get("config_directory"), dir, "config_directory is DIR");
	is_int(cfg_get_time("maximal_queue_lifetime"), 432000,
	    "no main.cf: defaults");
	s = cfg_path("access");
	buf_printf(&b, "%s/access", dir);
	is_str(s, buf_cstr(&b), "cfg_path relative");
	free(s);
	s = cfg_path("/etc/x");
	is_str(s, "/etc/x", "cfg_path absolute");
	free(s);

	buf_printf(&p, "%s/main.cf", dir);
	write_file(buf_cstr(&p), "maillog_file = maillog\nnosuch_param = 1\n"
	    "myorigin = example.net\n");
	cfg_load(dir);
	is_str(cfg_get("myorigin"), "example.net", "cfg_load reads main.cf");
	log_close();
	buf_reset(&p);
	buf_printf(&p, "%s/maillog", dir);
	ok(file_read(buf_cstr(&p), &b, 1 << 16) == 0, "maillog_file relative"
	    " to DIR was opened");
	ok(strstr(buf_cstr(&b), "warning: ") != NULL &&
	    strstr(buf_cstr(&b), "/main.cf:2: unknown parameter "
	    "nosuch_param") != NULL, "unknown name logged with file:line");

	setenv("MAIL_CONFIG", dir, 1);
	cfg_load(NULL);
	log_close();
	is_str(cfg_dir(), dir, "$MAIL_CONFIG used without an argument");
	setenv("MAIL_CONFIG", CONFDIR, 1);

	if (chdir("/tmp") < 0)
		abort();
	cfg_load(dir + 5);		/* "pmcfgXXXXXX", relative */
	log_close();
	is_str(cfg_dir(), dir, "relative directory made absolute");
	if (chdir(getenv("PIPEMAIL_TEST_CWD")) < 0)
		abort();

	is_int(run_child(child_load, "/nonexistent/pipemail", &b), EX_CONFIG,
	    "missing directory: exit 78");
	ok(strstr(buf_cstr(&b), "fatal: 5.3.5 configuration directory "
	    "/nonexistent/pipemail: No such file or directory") != NULL,
	    "missing directory: message");

	buf_reset(&p);
	buf_printf(&p, "%s/main.cf", dir);
	write_file(buf_cstr(&p), "biff = yes\nsmtpd_timeout = forever\n");
	is_int(run_child(child_load, dir, &b), EX_CONFIG,
	    "bad value: exit 78");
	ok(strstr(buf_cstr(&b), "/main.cf:2: bad value \"forever\" for "
	    "smtpd_timeout") != NULL, "bad value: file:line on stderr");

	if (geteuid() != 0) {
		chmod(buf_cstr(&p), 0);
		is_int(run_child(child_load, dir, &b), EX_CONFIG,
		    "unreadable main.cf: exit 78");
		ok(strstr(buf_cstr(&b), "Permission denied") != NULL,
		    "unreadable main.cf: message");
	} else {
		ok(1, "# skip unreadable main.cf: running as root");
		ok(1, "# skip unreadable main.cf: running as root");
	}
	unlink(buf_cstr(&p));
	mkdir(buf_cstr(&p), 0755);
	is_int(run_child(child_load, dir, &b), EX_CONFIG,
	    "main.cf a directory: exit 78");
	ok(strstr(buf_cstr(&b), "cannot read") != NULL,
	    "main.cf a directory: message");
	rmdir(buf_cstr(&p));

	buf_reset(&b);
	buf_printf(&b, "rm -rf %s", dir);
	(void)!system(buf_cstr(&b));
	buf_free(&p);
	buf_free(&b);
}

int
main(void)
{
	char	*cwd = getcwd(NULL, 0);

	die_set_progname("test_config");
	setenv("PIPEMAIL_TEST_CWD", cwd, 1);
	free(cwd);
	setenv("PIPEMAIL_HOSTNAME", HOST, 1);
	setenv("MAIL_CONFIG", CONFDIR, 1);
	test_values();
	test_errors();
	test_limits();
	test_typed();
	test_defaults();
	test_warnings();
	test_set();
	test_lists();
	test_parsers();
	test_expand();
	test_seed();
	test_manpage();
	test_load();
	return tap_done();
}
