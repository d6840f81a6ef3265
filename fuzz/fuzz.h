/*
 * fuzz.h - what the libFuzzer targets share: the entry point's
 * prototype, CHECK (an invariant that must hold: abort, which libFuzzer
 * reports as a crash with the input saved), and a memory file for the
 * parsers that read a descriptor or a path.
 */
#ifndef PIPEMAIL_FUZZ_H
#define PIPEMAIL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	 LLVMFuzzerInitialize(int *, char ***);

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

/*
 * fuzz_memfile - a memory file (memfd) holding len bytes of p, offset 0;
 * path gets "/proc/self/fd/N" for the parsers that open by name.  The
 * descriptor is the caller's to close.  Aborts when the system refuses.
 */
int	 fuzz_memfile(const void *, size_t, char *, size_t);

/* fuzz_quiet - send log lines to /dev/null (call it once, at start) */
void	 fuzz_quiet(void);

#endif
