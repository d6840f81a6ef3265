/*
 * memfile - fuzz_memfile(), the memory file of fuzz.h, linked into every target.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "log.h"

int
fuzz_memfile(const void *p, size_t len, char *path, size_t pathsize)
{
	const char	*s = p;
	size_t		 off = 0;
	int		 fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	while (off < len) {
		ssize_t	 n = write(fd, s + off, len - off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	if (path != NULL)
		snprintf(path, pathsize, "/proc/self/fd/%d", fd);
	return fd;
}

/* fuzz_quiet - log lines go to /dev/null, not to the fuzzer's stderr */
void
fuzz_quiet(void)
{
	log_open("fuzz", "/dev/null");
}
