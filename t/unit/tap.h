/*
 * tap - a tiny TAP producer for the C unit tests.
 *
 * ok(cond, fmt, ...) records one test; is_str()/is_int() compare and show
 * both sides on failure.  tap_done() prints the plan and returns the exit
 * status for main().  t/run-tests merges these streams with bats' output.
 */
#ifndef PIPEMAIL_TAP_H
#define PIPEMAIL_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 4, 5), unused)) static int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list	 ap;

	tap_count++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

#define ok(c, ...)	tap_ok(!!(c), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((unused)) static int
tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *name)
{
	int	 pass;

	if (got == NULL || want == NULL)
		pass = got == want;
	else
		pass = strcmp(got, want) == 0;
	tap_ok(pass, file, line, "%s", name);
	if (!pass)
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
		    want ? want : "(null)");
	return pass;
}

__attribute__((unused)) static int
tap_is_int(long long got, long long want, const char *file, int line,
    const char *name)
{
	int	 pass = got == want;

	tap_ok(pass, file, line, "%s", name);
	if (!pass)
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
	return pass;
}

#define is_str(g, w, n)	tap_is_str((g), (w), __FILE__, __LINE__, (n))
#define is_int(g, w, n)	tap_is_int((g), (w), __FILE__, __LINE__, (n))

__attribute__((unused)) static int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
