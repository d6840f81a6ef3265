/*
 * fuzz_config - libFuzzer target for config.c: main.cf text through
 * cfg_load_text() (the parser of cfg_load() without its I/O), every
 * parameter read back, lists split; and cfg_expand() of the input with
 * a lookup of the caller's names, as forward_path and mailbox_command
 * use it.
 *
 * Checked: a load either fails with a message or gives every table
 * parameter a value that is one line, within the value bound, and that
 * splits into non-empty list elements; a failed expansion leaves the
 * output as it was, a good one stays within its bound.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "fuzz.h"

#define VALUE_MAX	(512 * 1024)	/* config.c CFG_VALUE_MAX */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The host name, not the system's: no call per input. */
	setenv("PIPEMAIL_HOSTNAME", "host.example.com", 1);
	return 0;
}

/* names - the caller's values for cfg_expand() */
static const char *
names(const char *name, void *ctx)
{
	(void)ctx;
	if (strcmp(name, "user") == 0)
		return "bob";
	if (strcmp(name, "home") == 0)
		return "/home/bob";
	if (strcmp(name, "extension") == 0)
		return "";
	if (strcmp(name, "recursive") == 0)
		return "$user$home${user}";
	return NULL;
}

/* load - main.cf text, then every parameter */
static void
load(const char *s, size_t len)
{
	struct buf	 err = BUF_INIT;
	const char	*name, *v;

	if (cfg_load_text(s, len, "main.cf", &err) < 0) {
		CHECK(err.len > 0);
		buf_free(&err);
		return;
	}
	for (size_t i = 0; (name = cfg_param_name(i)) != NULL; i++) {
		struct cfg_list	 l;

		v = cfg_get(name);
		CHECK(v != NULL);
		CHECK(strchr(v, '\n') == NULL);
		CHECK(strlen(v) <= VALUE_MAX);
		cfg_split_list(v, &l);
		for (size_t j = 0; j < l.n; j++)
			CHECK(l.v[j] != NULL && *l.v[j] != '\0');
		cfg_list_free(&l);
	}
	for (size_t i = 0; i < cfg_warning_count(); i++)
		CHECK(cfg_warning(i) != NULL);
	buf_free(&err);
}

/* expand - the input as a text with the caller's $names */
static void
expand(const char *s, size_t len)
{
	struct buf	 text = BUF_INIT, out = BUF_INIT, err = BUF_INIT;

	if (memchr(s, '\0', len) != NULL)
		return;
	buf_set(&text, s, len);
	buf_adds(&out, "kept");
	if (cfg_expand(buf_cstr(&text), names, NULL, &out, &err) < 0) {
		CHECK(out.len == 4 && memcmp(out.s, "kept", 4) == 0);
		CHECK(err.len > 0);
	} else
		CHECK(out.len <= 4 + VALUE_MAX);
	buf_free(&text);
	buf_free(&out);
	buf_free(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load((const char *)data, size);
	expand((const char *)data, size);
	return 0;
}
