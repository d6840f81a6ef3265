/* test_buf - growable strings, line reading, durable files */
#include "buf.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exits.h"
#include "file.h"
#include "io.h"
#include "tap.h"

static void
test_buf(void)
{
	struct buf	 b = BUF_INIT;

	is_str(buf_cstr(&b), "", "empty buffer is an empty string");
	buf_adds(&b, "abc");
	buf_addc(&b, '\0');
	buf_adds(&b, "def");
	is_int((long long)b.len, 7, "NUL bytes are kept");
	ok(memcmp(b.s, "abc\0def", 8) == 0, "contents and trailing NUL");
	buf_reset(&b);
	for (int i = 0; i < 10000; i++)
		buf_printf(&b, "%04d", i % 10000);
	is_int((long long)b.len, 40000, "growth through printf");
	buf_sets(&b, "  Mixed CASE \t");
	buf_trim(&b);
	buf_lower(&b);
	is_str(buf_cstr(&b), "mixed case", "trim and lower");
	buf_truncate(&b, 5);
	is_str(buf_cstr(&b), "mixed", "truncate");
	buf_free(&b);
}

static void
test_getline(void)
{
	static const struct {
		const char	*input;
		size_t		 max;
		int		 want[4];
		const char	*lines[4];
	} cases[] = {
		{"a\nbb\n", 10, {IO_OK, IO_OK, IO_EOF}, {"a", "bb"}},
		{"no newline", 100, {IO_OK, IO_EOF}, {"no newline"}},
		{"toolong\nok\n", 4, {IO_TOOLONG, IO_OK, IO_EOF}, {"", "ok"}},
		{"exact\n", 5, {IO_OK, IO_EOF}, {"exact"}},
		{"", 5, {IO_EOF}, {NULL}},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int		 p[2];
		struct io	 io;
		struct buf	 line = BUF_INIT;

		if (pipe(p) < 0)
			abort();
		fd_write_all(p[1], cases[i].input, strlen(cases[i].input));
		close(p[1]);
		io_init(&io, p[0]);
		for (int j = 0; j < 4; j++) {
			int	 r = io_getline(&io, &line, cases[i].max);

			is_int(r, cases[i].want[j], "getline result");
			if (r == IO_OK)
				is_str(buf_cstr(&line), cases[i].lines[j],
				    "getline text");
			if (r == IO_EOF)
				break;
		}
		io_free(&io);
		close(p[0]);
		buf_free(&line);
	}
}

static void
test_huge_line(void)
{
	/* A 1 MB line with a 1000-byte cap: discarded, stream in step. */
	int		 p[2];
	struct io	 io;
	struct buf	 line = BUF_INIT;
	pid_t		 pid;

	if (pipe(p) < 0)
		abort();
	pid = fork();
	if (pid == 0) {
		char	*big = malloc(1 << 20);

		close(p[0]);
		memset(big, 'x', 1 << 20);
		big[(1 << 20) - 1] = '\n';
		fd_write_all(p[1], big, 1 << 20);
		fd_write_all(p[1], "next\n", 5);
		_exit(0);
	}
	close(p[1]);
	io_init(&io, p[0]);
	is_int(io_getline(&io, &line, 1000), IO_TOOLONG, "1 MB line refused");
	ok(line.cap < 4096, "1 MB line never buffered whole");
	is_int(io_getline(&io, &line, 1000), IO_OK, "next line read");
	is_str(buf_cstr(&line), "next", "next line intact");
	io_free(&io);
	close(p[0]);
	buf_free(&line);
}

static void
test_file(void)
{
	char		 dir[] = "/tmp/pmtestXXXXXX";
	struct buf	 path = BUF_INIT, b = BUF_INIT;
	struct stat	 st;

	if (mkdtemp(dir) == NULL)
		abort();
	buf_printf(&path, "%s/a/b/c", dir);
	is_int(file_mkdirs(buf_cstr(&path), 0755), 0, "mkdirs");
	ok(stat(buf_cstr(&path), &st) == 0 && S_ISDIR(st.st_mode),
	    "mkdirs made the tree");
	buf_adds(&path, "/f");
	is_int(file_replace(buf_cstr(&path), "one", 3, 0600), 0, "replace");
	is_int(file_replace(buf_cstr(&path), "two", 3, 0600), 0, "replace 2");
	is_int(file_read(buf_cstr(&path), &b, 100), 0, "read back");
	is_str(buf_cstr(&b), "two", "replaced content");
	is_int(file_read(buf_cstr(&path), &b, 2), -1, "read over limit");
	buf_reset(&b);
	buf_printf(&b, "rm -rf %s", dir);
	(void)!system(buf_cstr(&b));
	buf_free(&b);
	buf_free(&path);
}

static void
test_exits(void)
{
	is_str(exit_info(EX_NOUSER)->dsn, "5.1.1", "EX_NOUSER is 5.1.1");
	ok(exit_is_soft(EX_TEMPFAIL), "EX_TEMPFAIL is soft");
	ok(!exit_is_soft(EX_NOUSER), "EX_NOUSER is hard");
	ok(exit_is_soft(12345), "unknown status is soft");
	is_int(exit_from_wait(9), EX_TEMPFAIL, "killed by signal is temp");
	is_int(exit_from_wait(67 << 8), 67, "exit status passed through");
}

int
main(void)
{
	test_buf();
	test_getline();
	test_huge_line();
	test_file();
	test_exits();
	return tap_done();
}
