/*
 * lookup-bench - time lookups through the maps.h library.
 *
 * usage: lookup-bench SPEC KEYFILE COUNT
 * Reads the keys (one a line) from KEYFILE, opens the table SPEC, looks up
 * COUNT keys picked at random from the file, and prints one line:
 *	SPEC lookups=N found=N seconds=S cpu=S wallrate=R/s rate=R/s
 * where rate is per second of CPU time, which a busy machine disturbs
 * less than the wall-clock wallrate.
 * Exits 1 on a lookup error (an error must never pass for "not found").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "exits.h"
#include "file.h"
#include "maps.h"
#include "mem.h"

#define KEYFILE_MAX	((size_t)1 << 30)	/* largest key file read */

/* now - seconds on a clock (CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID) */
static double
now(clockid_t clock)
{
	struct timespec	 ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* next_random - xorshift64, deterministic across runs */
static uint64_t
next_random(uint64_t *state)
{
	uint64_t	 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

int
main(int argc, char **argv)
{
	struct buf	 text = BUF_INIT, err = BUF_INIT, val = BUF_INIT;
	struct buf	 seq = BUF_INIT;
	const char	*key;
	char		**keys = NULL;
	size_t		 nkeys = 0, cap = 0, found = 0;
	long		 count;
	uint64_t	 rnd = 0x9e3779b97f4a7c15ULL;
	struct map	*m;
	double		 t0, t1, c0, c1;

	die_set_progname(argv[0]);
	if (argc != 4 || (count = strtol(argv[3], NULL, 10)) <= 0)
		die_usage("lookup-bench SPEC KEYFILE COUNT");
	if (file_read(argv[2], &text, KEYFILE_MAX) < 0)
		die_perm(EX_NOINPUT, "read %s", argv[2]);
	for (char *p = text.s, *nl; p < text.s + text.len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text.s + text.len - p));
		if (nl == NULL)
			nl = text.s + text.len;
		*nl = '\0';
		if (nkeys == cap) {
			cap = cap ? cap * 2 : 1024;
			keys = xreallocarray(keys, cap, sizeof(*keys));
		}
		keys[nkeys++] = p;
	}
	if (nkeys == 0)
		die_perm(EX_DATAERR, "%s: no keys", argv[2]);
	if ((m = map_open(argv[1], 0, &err)) == NULL)
		die_perm(EX_NOINPUT, "%s", buf_cstr(&err));

	/*
	 * Pick the keys first and lay them out in lookup order, so that we
	 * time the table and not the cache misses of finding a random key
	 * in a big array (a real caller has its key at hand).
	 */
	for (long i = 0; i < count; i++) {
		buf_adds(&seq, keys[next_random(&rnd) % nkeys]);
		buf_addc(&seq, '\0');
	}
	key = seq.s;
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (long i = 0; i < count; i++, key += strlen(key) + 1) {
		switch (map_lookup(m, key, &val, &err)) {
		case MAP_FOUND:
			found++;
			break;
		case MAP_NOTFOUND:
			break;
		case MAP_ERROR:
			die_perm(1, "%s", buf_cstr(&err));
		}
	}
	t1 = now(CLOCK_MONOTONIC);
	c1 = now(CLOCK_PROCESS_CPUTIME_ID);
	printf("%s lookups=%ld found=%zu seconds=%.3f cpu=%.3f "
	    "wallrate=%.0f/s rate=%.0f/s\n", argv[1], count, found, t1 - t0,
	    c1 - c0, (double)count / (t1 - t0), (double)count / (c1 - c0));
	map_close(m);
	free(keys);
	buf_free(&text);
	buf_free(&err);
	buf_free(&val);
	buf_free(&seq);
	return 0;
}
