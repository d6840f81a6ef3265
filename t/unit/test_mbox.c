/* test_mbox - mboxrd encoding, locking, the all-or-nothing append */
#include "mbox.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "io.h"
#include "tap.h"

#define GOLDEN		"t/data/mbox-quote.txt"
#define GOLDEN_MAX	(1 << 20)

static char	 dir[] = "/tmp/pmmboxXXXXXX";

/* unescape - decode the golden file's \n \r \t \0 \\ \e escapes */
static void
unescape(const char *s, size_t n, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			buf_addc(out, s[i]);
			continue;
		}
		switch (s[++i]) {
		case 'n':
			buf_addc(out, '\n');
			break;
		case 'r':
			buf_addc(out, '\r');
			break;
		case 't':
			buf_addc(out, '\t');
			break;
		case '0':
			buf_addc(out, '\0');
			break;
		case 'e':
			break;
		default:
			buf_addc(out, s[i]);
			break;
		}
	}
}

/* encode - run the encoder over in, step bytes at a time */
static void
encode(const struct buf *in, int flags, size_t step, struct buf *out)
{
	struct mbox_enc	 e;

	buf_reset(out);
	mbox_enc_init(&e, flags);
	for (size_t i = 0; i < in->len; i += step)
		mbox_enc_push(&e, in->s + i,
		    in->len - i < step ? in->len - i : step, out);
	mbox_enc_end(&e, out);
}

/* show - a printable copy of a byte string for diagnostics */
static const char *
show(const struct buf *b, struct buf *tmp)
{
	buf_reset(tmp);
	for (size_t i = 0; i < b->len; i++) {
		unsigned char	 c = (unsigned char)b->s[i];

		if (c == '\n')
			buf_adds(tmp, "\\n");
		else if (c == '\r')
			buf_adds(tmp, "\\r");
		else if (c < 0x20)
			buf_printf(tmp, "\\x%02x", c);
		else
			buf_addc(tmp, c);
	}
	return buf_cstr(tmp);
}

/* test_golden - every case of the golden file, whole and byte by byte */
static void
test_golden(void)
{
	struct buf	 file = BUF_INIT, in = BUF_INIT, want = BUF_INIT;
	struct buf	 got = BUF_INIT, t1 = BUF_INIT, t2 = BUF_INIT;
	struct mbox_enc	 e;
	size_t		 ncases = 0;
	char		*line, *next;

	if (file_read(GOLDEN, &file, GOLDEN_MAX) < 0) {
		ok(0, "read %s: %s", GOLDEN, strerror(errno));
		return;
	}
	for (line = file.s; line < file.s + file.len; line = next) {
		char	*f[4], *nl = strchr(line, '\n');
		int	 nf = 0, flags = 0;

		next = nl ? nl + 1 : file.s + file.len;
		if (nl)
			*nl = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		for (char *p = line; nf < 4; nf++) {
			f[nf] = p;
			if ((p = strchr(p, '\t')) == NULL) {
				nf++;
				break;
			}
			*p++ = '\0';
		}
		if (!ok(nf == 4, "golden line has four fields: %s", line))
			continue;
		ncases++;
		flags |= strchr(f[1], 'q') ? MBOX_F_QUOTE : 0;
		flags |= strchr(f[1], 'b') ? MBOX_F_BLANK : 0;
		unescape(f[2], strlen(f[2]), &in);
		unescape(f[3], strlen(f[3]), &want);

		encode(&in, flags, in.len ? in.len : 1, &got);
		if (!ok(got.len == want.len &&
		    memcmp(got.s, want.s, got.len) == 0, "%s", f[0]))
			printf("#   got:  '%s'\n#   want: '%s'\n",
			    show(&got, &t1), show(&want, &t2));
		encode(&in, flags, 1, &got);
		ok(got.len == want.len && memcmp(got.s, want.s, got.len) == 0,
		    "%s (byte by byte)", f[0]);

		/* Counting alone gives the same length. */
		mbox_enc_init(&e, flags);
		mbox_enc_push(&e, in.s, in.len, NULL);
		mbox_enc_end(&e, NULL);
		is_int((long long)e.total, (long long)want.len,
		    "count without output");
	}
	ok(ncases >= 20, "golden file has its cases (%zu)", ncases);
	buf_free(&file);
	buf_free(&in);
	buf_free(&want);
	buf_free(&got);
	buf_free(&t1);
	buf_free(&t2);
}

/* test_envelope - the From line, Return-Path and Delivered-To */
static void
test_envelope(void)
{
	struct mbox_msg	 m = {0};
	struct buf	 b = BUF_INIT;

	setenv("TZ", "UTC", 1);
	tzset();
	m.sender = "alice@example.org";
	m.recipient = "bob@mx.example.test";
	m.when = 1700000000;
	mbox_envelope(&b, &m, MBOX_F_MBOX);
	is_str(buf_cstr(&b), "From alice@example.org Tue Nov 14 22:13:20 2023\n"
	    "Return-Path: <alice@example.org>\n"
	    "Delivered-To: bob@mx.example.test\n", "envelope lines");
	buf_reset(&b);
	m.sender = "";
	m.recipient = NULL;
	m.when = 1000000;
	mbox_envelope(&b, &m, MBOX_F_MBOX);
	is_str(buf_cstr(&b), "From MAILER-DAEMON Mon Jan 12 13:46:40 1970\n"
	    "Return-Path: <>\n", "null sender, day padded as asctime");
	buf_reset(&b);
	mbox_envelope(&b, &m, 0);
	is_str(buf_cstr(&b), "Return-Path: <>\n", "no From line without flag");
	ok(mbox_sender_ok("a@b"), "plain sender accepted");
	ok(!mbox_sender_ok("a\n@b"), "newline in sender refused");
	ok(!mbox_sender_ok("a\r@b"), "CR in sender refused");
	buf_free(&b);
}

/* path - dir/name in a static buffer of the caller's */
static const char *
path(struct buf *b, const char *name)
{
	buf_reset(b);
	buf_printf(b, "%s/%s", dir, name);
	return buf_cstr(b);
}

/* msgfile - a message in a file, ready as a struct mbox_msg */
static void
msgfile(struct mbox_msg *m, const char *name, const char *text)
{
	struct buf	 p = BUF_INIT;
	int		 fd;

	fd = open(path(&p, name), O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || fd_write_all(fd, text, strlen(text)) < 0)
		abort();
	memset(m, 0, sizeof(*m));
	m->fd = fd;
	m->len = (off_t)strlen(text);
	m->sender = "s@example.org";
	m->recipient = "r@example.test";
	m->when = 0;
	buf_free(&p);
}

/* contents - the whole of a file */
static const char *
contents(const char *file, struct buf *b)
{
	buf_reset(b);
	if (file_read(file, b, GOLDEN_MAX) < 0)
		buf_sets(b, "(unreadable)");
	return buf_cstr(b);
}

/* dead_pid - a pid that has just exited and been reaped */
static pid_t
dead_pid(void)
{
	pid_t	 pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

/* want_msg - the mbox form of a message that msgfile() wrote */
static void
want_msg(struct buf *want, const char *body)
{
	buf_printf(want, "From s@example.org Thu Jan  1 00:00:00 1970\n"
	    "Return-Path: <s@example.org>\nDelivered-To: r@example.test\n%s",
	    body);
}

/* same - is the mailbox exactly want? */
static int
same(const char *mb, const struct buf *want, const char *name)
{
	struct buf	 b = BUF_INIT, t1 = BUF_INIT, t2 = BUF_INIT;
	int		 pass;

	contents(mb, &b);
	pass = ok(b.len == want->len && memcmp(b.s, want->s, b.len) == 0,
	    "%s", name);
	if (!pass)
		printf("#   got:  '%s'\n#   want: '%s'\n", show(&b, &t1),
		    show(want, &t2));
	buf_free(&b);
	buf_free(&t1);
	buf_free(&t2);
	return pass;
}

/* put_lock - plant a dotlock with the given text */
static void
put_lock(const char *lock, const char *text, time_t mtime)
{
	struct timespec	 ts[2];
	int		 fd;

	fd = open(lock, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || fd_write_all(fd, text, strlen(text)) < 0)
		abort();
	if (mtime != 0) {
		ts[0].tv_sec = ts[1].tv_sec = mtime;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		futimens(fd, ts);
	}
	close(fd);
}

/* elapsed_ms - milliseconds since t0 (from elapsed_ms(0)) */
static long long
elapsed_ms(long long t0)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - t0;
}

/* size_of - a file's size, -1 if none */
static long long
size_of(const char *file)
{
	struct stat	 st;

	return stat(file, &st) < 0 ? -1 : (long long)st.st_size;
}

/* test_append - appends, limits, stale and live locks, roll-back */
static void
test_append(void)
{
	struct buf	 p = BUF_INIT, why = BUF_INIT, want = BUF_INIT;
	struct buf	 big = BUF_INIT, enc = BUF_INIT;
	struct mbox_msg	 m;
	char		 mb[256], lock[300], text[128];
	long long	 t0, before;
	int		 fd, r, up[2], down[2], status;
	pid_t		 pid;

	snprintf(mb, sizeof(mb), "%s", path(&p, "mbox"));
	snprintf(lock, sizeof(lock), "%s.lock", mb);

	/* Two messages: mboxrd quoting, CRLF, a missing final newline. */
	is_int(mbox_open(mb, MBOX_O_CREATE | MBOX_O_OWNER, &fd, &why), EX_OK,
	    "open creates the mailbox");
	msgfile(&m, "msg1", "Subject: one\n\nFrom here\n>From there\n");
	is_int(mbox_append(fd, mb, &m, 0, 1000, &why), EX_OK, "first append");
	want_msg(&want, "Subject: one\n\n>From here\n>>From there\n\n");
	same(mb, &want, "first message in mbox form");
	ok(access(lock, F_OK) < 0, "lock removed after append");
	close(m.fd);
	msgfile(&m, "msg2", "Subject: two\r\n\r\nbody");
	is_int(mbox_append(fd, mb, &m, 0, 1000, &why), EX_OK, "second append");
	want_msg(&want, "Subject: two\n\nbody\n\n");
	same(mb, &want, "two messages");

	/* A message bigger than the copy buffer, quoted across chunks. */
	for (int i = 0; i < 20000; i++)
		buf_printf(&big, "%sFrom line %d\r\n", i % 3 ? "" : ">", i);
	encode(&big, MBOX_F_QUOTE | MBOX_F_BLANK, big.len, &enc);
	close(m.fd);
	msgfile(&m, "big", buf_cstr(&big));
	is_int(mbox_append(fd, mb, &m, 0, 1000, &why), EX_OK, "large append");
	want_msg(&want, "");
	buf_add(&want, enc.s, enc.len);
	same(mb, &want, "large message encoded across chunks");

	/* mailbox_size_limit: refused before a byte is written. */
	close(m.fd);
	msgfile(&m, "msg3", "Subject: three\n\nhello\n");
	r = mbox_append(fd, mb, &m, (off_t)want.len + 10, 1000, &why);
	is_int(r, EX_CANTCREAT, "over mailbox_size_limit");
	ok(strncmp(buf_cstr(&why), "5.2.2 ", 6) == 0, "5.2.2: %s",
	    buf_cstr(&why));
	same(mb, &want, "mailbox unchanged after limit");
	ok(access(lock, F_OK) < 0, "lock removed after limit");

	/* A write error midway (RLIMIT_FSIZE): rolled back. */
	pid = fork();
	if (pid == 0) {
		struct rlimit	 rl;

		signal(SIGXFSZ, SIG_IGN);
		rl.rlim_cur = rl.rlim_max = (rlim_t)want.len + 100;
		setrlimit(RLIMIT_FSIZE, &rl);
		close(m.fd);
		msgfile(&m, "big", buf_cstr(&big));
		_exit(mbox_append(fd, mb, &m, 0, 1000, &why));
	}
	waitpid(pid, &status, 0);
	is_int(WEXITSTATUS(status), EX_CANTCREAT, "EFBIG midway: 5.2.2");
	same(mb, &want, "mailbox unchanged after a failed write");
	ok(access(lock, F_OK) < 0, "lock removed after roll-back");

	/* A stale lock with a partial message: cut off, fast. */
	before = (long long)want.len;
	snprintf(text, sizeof(text), "%ld %lld %lld\n", (long)dead_pid(),
	    before, before + 500);
	put_lock(lock, text, 0);
	fd_write_all(fd, "From partial Thu", 16);
	t0 = elapsed_ms(0);
	is_int(mbox_append(fd, mb, &m, 0, 5000, &why), EX_OK,
	    "append after a dead holder");
	ok(elapsed_ms(t0) < 1000, "stale lock broken at once");
	want_msg(&want, "Subject: three\n\nhello\n\n");
	same(mb, &want, "partial message removed, new one appended");

	/* A stale lock whose append completed: nothing removed. */
	before = (long long)want.len;
	snprintf(text, sizeof(text), "%ld %lld %lld\n", (long)dead_pid(),
	    before - 100, before);
	put_lock(lock, text, 0);
	is_int(mbox_append(fd, mb, &m, 0, 5000, &why), EX_OK,
	    "append after a holder that finished");
	want_msg(&want, "Subject: three\n\nhello\n\n");
	same(mb, &want, "completed message kept");

	/* Locks that are not a killed append of ours: nothing is cut. */
	{
		static const struct {
			const char	*name;
			int		 how;	/* 0 file, 1 symlink, 2 hard link */
			long long	 before, after;	/* -1: the size */
		} forged[] = {
			{ "lock claiming the whole mailbox", 0, 0, 99999999999LL },
			{ "lock claiming the last message", 0, -2, 99999999999LL },
			{ "lock larger than the mailbox", 0, -3, -4 },
			{ "lock with before > after", 0, 5, 3 },
			{ "lock reached by a symbolic link", 1, 0, 99999999999LL },
			{ "hard-linked lock", 2, 0, 99999999999LL },
		};
		char	 other[300];
		long long size = (long long)want.len, last;

		last = size - (long long)strlen("From s@example.org Thu Jan  1 "
		    "00:00:00 1970\nReturn-Path: <s@example.org>\nDelivered-To: "
		    "r@example.test\nSubject: three\n\nhello\n\n");
		snprintf(other, sizeof(other), "%s.other", mb);
		for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
			long long b1 = forged[i].before, a1 = forged[i].after;

			b1 = b1 == -2 ? last : b1 == -3 ? size + 10 : b1;
			a1 = a1 == -4 ? size + 20 : a1;
			snprintf(text, sizeof(text), "%ld %lld %lld\n",
			    (long)dead_pid(), b1, a1);
			unlink(other);
			if (forged[i].how == 0) {
				put_lock(lock, text, 0);
			} else {
				put_lock(other, text, 0);
				if ((forged[i].how == 1 ? symlink(other, lock) :
				    link(other, lock)) < 0)
					abort();
			}
			ok(mbox_append(fd, mb, &m, 0, 100, &why) == EX_TEMPFAIL,
			    "%s: waited for", forged[i].name);
			ok(strstr(buf_cstr(&why), "not ours") != NULL,
			    "%s: %s", forged[i].name, buf_cstr(&why));
			same(mb, &want, forged[i].name);
			unlink(lock);
		}
		unlink(other);

		/* Written before the mailbox changed, but over two whole
		 * messages: no append of ours, which holds one From line. */
		snprintf(text, sizeof(text), "%ld %lld %lld\n",
		    (long)dead_pid(), size, size + 100000);
		put_lock(lock, text, 0);
		static const char two[] = "From a@x Thu Jan  1 00:00:00 1970\n"
		    "\none\n\nFrom b@x Thu Jan  1 00:00:00 1970\n\ntwo\n\n";
		fd_write_all(fd, two, sizeof(two) - 1);
		buf_add(&want, two, sizeof(two) - 1);
		ok(mbox_append(fd, mb, &m, 0, 100, &why) == EX_TEMPFAIL,
		    "lock over two whole messages: waited for");
		same(mb, &want, "two whole messages kept");
		unlink(lock);
	}

	/* A live holder (our parent): wait, then 4.2.0. */
	snprintf(text, sizeof(text), "%ld 0 0\n", (long)getppid());
	put_lock(lock, text, 0);
	t0 = elapsed_ms(0);
	is_int(mbox_append(fd, mb, &m, 0, 300, &why), EX_TEMPFAIL,
	    "live holder: temporary failure");
	ok(elapsed_ms(t0) >= 300, "waited for the live holder");
	ok(strncmp(buf_cstr(&why), "4.2.0 ", 6) == 0, "4.2.0: %s",
	    buf_cstr(&why));
	ok(access(lock, F_OK) == 0, "live holder's lock left alone");
	same(mb, &want, "mailbox unchanged after lock timeout");

	/* A foreign lock: waited for while fresh, broken when old. */
	put_lock(lock, "", 0);
	is_int(mbox_append(fd, mb, &m, 0, 100, &why), EX_TEMPFAIL,
	    "fresh foreign lock waited for");
	put_lock(lock, "", time(NULL) - 3600);
	is_int(mbox_append(fd, mb, &m, 0, 100, &why), EX_OK,
	    "old foreign lock broken");
	want_msg(&want, "Subject: three\n\nhello\n\n");
	same(mb, &want, "appended after the foreign lock");

	/* An fcntl lock held by another process (one pipe each way). */
	if (pipe(up) < 0 || pipe(down) < 0)
		abort();
	pid = fork();
	if (pid == 0) {
		struct flock	 fl = {0};
		char		 c = 'x';

		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLK, &fl) < 0)
			c = 'e';
		(void)!write(up[1], &c, 1);
		(void)!read(down[0], &c, 1);
		_exit(0);
	}
	ok(read(up[0], text, 1) == 1 && text[0] == 'x', "holder has the lock");
	is_int(mbox_append(fd, mb, &m, 0, 200, &why), EX_TEMPFAIL,
	    "fcntl lock held: temporary failure");
	(void)!write(down[1], "x", 1);
	waitpid(pid, NULL, 0);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	is_int(mbox_append(fd, mb, &m, 0, 1000, &why), EX_OK,
	    "fcntl lock released: appended");
	want_msg(&want, "Subject: three\n\nhello\n\n");
	same(mb, &want, "mailbox after the fcntl holder");

	/* kill -9 midway through an append, then the next delivery. */
	pid = fork();
	if (pid == 0) {
		close(m.fd);
		msgfile(&m, "big", buf_cstr(&big));
		m.pause_midway = 1;
		_exit(mbox_append(fd, mb, &m, 0, 1000, &why));
	}
	for (int i = 0; i < 500 && size_of(mb) <= (long long)want.len; i++)
		usleep(10000);
	ok(size_of(mb) > (long long)want.len, "half a message written");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status), "appending process killed");
	ok(access(lock, F_OK) == 0, "killed process left its lock");
	is_int(mbox_append(fd, mb, &m, 0, 1000, &why), EX_OK,
	    "append after kill -9");
	want_msg(&want, "Subject: three\n\nhello\n\n");
	same(mb, &want, "earlier messages plus the new one, exactly");
	close(fd);
	close(m.fd);
	buf_free(&p);
	buf_free(&why);
	buf_free(&want);
	buf_free(&big);
	buf_free(&enc);
}

/* test_open - what mbox_open() refuses */
static void
test_open(void)
{
	struct buf	 p = BUF_INIT, q = BUF_INIT, why = BUF_INIT;
	int		 fd;

	fd = open(path(&p, "target"), O_WRONLY | O_CREAT, 0600);
	close(fd);
	if (symlink(path(&p, "target"), path(&q, "symlink")) < 0)
		abort();
	is_int(mbox_open(buf_cstr(&q), MBOX_O_CREATE, &fd, &why), EX_NOPERM,
	    "symbolic link refused");
	ok(strstr(buf_cstr(&why), "symbolic link") != NULL, "says why: %s",
	    buf_cstr(&why));
	if (symlink(path(&p, "nowhere"), path(&q, "dangling")) < 0)
		abort();
	is_int(mbox_open(buf_cstr(&q), MBOX_O_CREATE, &fd, &why), EX_NOPERM,
	    "dangling symbolic link refused");
	ok(access(path(&p, "nowhere"), F_OK) < 0, "nothing created through it");
	if (link(path(&p, "target"), path(&q, "hardlink")) < 0)
		abort();
	is_int(mbox_open(buf_cstr(&q), 0, &fd, &why), EX_NOPERM,
	    "hard link refused");
	ok(strstr(buf_cstr(&why), "2 links") != NULL, "says why: %s",
	    buf_cstr(&why));
	if (mkfifo(path(&p, "fifo"), 0600) < 0)
		abort();
	is_int(mbox_open(buf_cstr(&p), 0, &fd, &why), EX_NOPERM,
	    "FIFO refused without hanging");
	is_int(mbox_open(path(&p, "missing"), 0, &fd, &why), EX_CANTCREAT,
	    "missing without MBOX_O_CREATE");
	is_int(mbox_open(path(&p, "no/dir"), MBOX_O_CREATE, &fd, &why),
	    EX_CANTCREAT, "missing directory");
	ok(strncmp(buf_cstr(&why), "5.2.0 ", 6) == 0, "5.2.0: %s",
	    buf_cstr(&why));
	if (geteuid() == 0) {
		if (chown(path(&p, "target"), 1, 1) < 0)
			abort();
		unlink(path(&q, "hardlink"));
		is_int(mbox_open(buf_cstr(&p), MBOX_O_OWNER, &fd, &why),
		    EX_NOPERM, "someone else's mailbox refused");
	}
	buf_free(&p);
	buf_free(&q);
	buf_free(&why);
}

int
main(void)
{
	struct buf	 cmd = BUF_INIT;

	if (mkdtemp(dir) == NULL)
		abort();
	test_golden();
	test_envelope();
	test_append();
	test_open();
	buf_printf(&cmd, "rm -rf %s", dir);
	(void)!system(buf_cstr(&cmd));
	buf_free(&cmd);
	return tap_done();
}
