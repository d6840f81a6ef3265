/*
 * test_lspawn - the agent protocol: typed requests to a real agent, and
 * what it does with each (a command runs only as the kind command, from
 * an origin allow_mail_to_commands names; a request it cannot read is
 * refused, not guessed).
 */
#include "lspawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "fdpass.h"
#include "local.h"
#include "tap.h"

static char	 dir[] = "/tmp/test_lspawn.XXXXXX";
static int	 msg_fd = -1;

/* reply - wait for the agent's reply to one request: its status, or -1 */
static int
reply(int sock, struct buf *why)
{
	struct pollfd	 p = { sock, POLLIN, 0 };
	char		 pkt[LSPAWN_REPLY_MAX];
	ssize_t		 n;

	if (poll(&p, 1, 20000) != 1)
		return -1;
	if ((n = recv(sock, pkt, sizeof(pkt), 0)) <= 0)
		return -1;
	return lspawn_reply(pkt, (size_t)n, why);
}

/* ask - one request to a new agent: its status and reason */
static int
ask(const struct local_conf *c, enum local_kind kind,
    enum local_origin origin, const char *target, struct buf *why)
{
	struct lspawn_req	 r;
	int			 sock, status = -1, ws;
	pid_t			 pid;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.origin = origin;
	r.target = target;
	r.sender = "s@example.test";
	r.fd = msg_fd;
	r.start = 0;
	r.len = 10;
	if ((pid = lspawn_fork(c, &sock)) < 0)
		return -1;
	if (lspawn_send(sock, &r) == 0)
		status = reply(sock, why);
	close(sock);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* raw - a hand-made request packet to a new agent: its status */
static int
raw(const struct local_conf *c, const char *pkt, size_t len, struct buf *why)
{
	int	 sock, status = -1, ws;
	pid_t	 pid;

	if ((pid = lspawn_fork(c, &sock)) < 0)
		return -1;
	if (fdpass_send(sock, pkt, len, msg_fd) == (ssize_t)len)
		status = reply(sock, why);
	close(sock);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* exists - does dir/name exist? */
static int
exists(const char *name)
{
	char		 path[256];
	struct stat	 st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

static void
test_kinds(void)
{
	struct local_conf	 c;
	struct buf		 why = BUF_INIT, cmd = BUF_INIT;
	struct buf		 file = BUF_INIT;

	memset(&c, 0, sizeof(c));
	c.spool_dir = dir;
	c.home_mailbox = "";
	c.default_privs = "nobody";
	c.origin = "example.test";
	c.command_time_limit = 10;
	c.lock_timeout = 1000;
	c.allow_commands = LOCAL_ALLOW(LOCAL_FROM_ALIAS);
	c.allow_files = LOCAL_ALLOW(LOCAL_FROM_ALIAS);

	/* A command from an alias runs; from the recipient it never does. */
	buf_printf(&cmd, "touch %s/ran", dir);
	is_int(ask(&c, LOCAL_COMMAND, LOCAL_FROM_RECIPIENT, cmd.s, &why),
	    EX_NOPERM, "command from the recipient: refused");
	ok(!exists("ran"), "and nothing ran");
	is_int(ask(&c, LOCAL_COMMAND, LOCAL_FROM_FORWARD, cmd.s, &why),
	    EX_NOPERM, "command from a .forward not allowed: refused");
	ok(!exists("ran"), "and nothing ran");
	is_int(ask(&c, LOCAL_COMMAND, LOCAL_FROM_ALIAS, cmd.s, &why), EX_OK,
	    "command from an alias: delivered");
	ok(exists("ran"), "and it ran");

	/* A mailbox is a mailbox whatever its bytes say. */
	buf_reset(&cmd);
	buf_printf(&cmd, "|touch %s/ran2", dir);
	is_int(ask(&c, LOCAL_MAILBOX, LOCAL_FROM_RECIPIENT, cmd.s, &why),
	    EX_NOUSER, "a mailbox named |command: no such user");
	ok(!exists("ran2"), "and nothing ran");
	buf_printf(&file, "%s/f", dir);
	is_int(ask(&c, LOCAL_MAILBOX, LOCAL_FROM_ALIAS, file.s, &why),
	    EX_NOUSER, "a mailbox named /file: no such user");
	ok(!exists("f"), "and no file was written");

	/* Files: by origin, as commands. */
	is_int(ask(&c, LOCAL_FILE, LOCAL_FROM_RECIPIENT, file.s, &why),
	    EX_NOPERM, "file from the recipient: refused");
	ok(!exists("f"), "and not written");
	is_int(ask(&c, LOCAL_FILE, LOCAL_FROM_ALIAS, file.s, &why), EX_OK,
	    "file from an alias: delivered");
	ok(exists("f"), "and written");
	is_int(ask(&c, LOCAL_FILE, LOCAL_FROM_ALIAS, "relative", &why),
	    EX_CONFIG, "a file name that is not absolute: refused");
	buf_free(&why);
	buf_free(&cmd);
	buf_free(&file);
}

static void
test_malformed(void)
{
	static const char	 unknown[] = "pipe\0alias\0true\0\0\0s\0" "0\0"
	    "10";
	static const char	 noorigin[] = "command\0\0true\0\0\0s\0" "0\0"
	    "10";
	static const char	 old[] = "|true\0\0\0s\0" "0\0" "10";
	struct local_conf	 c;
	struct buf		 why = BUF_INIT;

	memset(&c, 0, sizeof(c));
	c.spool_dir = dir;
	c.home_mailbox = "";
	c.default_privs = "nobody";
	c.origin = "example.test";
	c.allow_commands = ~0;
	c.allow_files = ~0;
	is_int(raw(&c, unknown, sizeof(unknown), &why), EX_SOFTWARE,
	    "an unknown kind is refused");
	is_int(raw(&c, noorigin, sizeof(noorigin), &why), EX_SOFTWARE,
	    "a missing origin is refused");
	is_int(raw(&c, old, sizeof(old), &why), EX_SOFTWARE,
	    "a request of the old untyped form is refused");
	buf_free(&why);
}

/* test_slots - a delivery's outcome in the agent's slot, for the
 * delivery queue-run named in PID.job and no other */
static void
test_slots(void)
{
	struct local_conf	 c;
	struct lspawn_req	 r;
	struct buf		 why = BUF_INIT;
	char			 sd[256], file[256], id[48], path[300];
	size_t			 rcpt = 0;
	int			 sock, jfd, ws;
	pid_t			 pid;

	memset(&c, 0, sizeof(c));
	c.spool_dir = dir;
	c.home_mailbox = "";
	c.default_privs = "nobody";
	c.origin = "example.test";
	c.lock_timeout = 1000;
	c.allow_files = LOCAL_ALLOW(LOCAL_FROM_ALIAS);
	snprintf(sd, sizeof(sd), "%s/agents", dir);
	snprintf(file, sizeof(file), "%s/slotted", dir);
	if (mkdir(sd, 0700) < 0) {
		ok(0, "mkdir %s: %s", sd, strerror(errno));
		return;
	}
	lspawn_slot_dir(sd);
	if ((pid = lspawn_fork(&c, &sock)) < 0) {
		ok(0, "fork an agent: %s", strerror(errno));
		return;
	}
	jfd = lspawn_slot_job(sd, pid);
	ok(jfd >= 0, "queue-run makes PID.job");
	lspawn_slot_assign(jfd, "4F2A1C3B", 2, 7);
	is_int(lspawn_slot_outcome(sd, pid, id, sizeof(id), &rcpt), -1,
	    "no outcome before the delivery");
	memset(&r, 0, sizeof(r));
	r.kind = LOCAL_FILE;
	r.origin = LOCAL_FROM_ALIAS;
	r.target = file;
	r.sender = "s@example.test";
	r.fd = msg_fd;
	r.len = 10;
	r.seq = 7;
	ok(lspawn_send(sock, &r) == 0, "request sent");
	is_int(reply(sock, &why), EX_OK, "delivered");
	is_int(lspawn_slot_outcome(sd, pid, id, sizeof(id), &rcpt), EX_OK,
	    "the slot holds the outcome of delivery 7");
	is_str(id, "4F2A1C3B", "for the queue id queue-run wrote");
	is_int((long long)rcpt, 2, "and its recipient");
	/* The next delivery assigned: the last outcome is not taken for it. */
	lspawn_slot_assign(jfd, "4F2A1C3B", 3, 8);
	is_int(lspawn_slot_outcome(sd, pid, id, sizeof(id), &rcpt), -1,
	    "an outcome of another delivery is not taken");
	lspawn_slot_assign(jfd, "4F2A1C3B", 2, 7);
	snprintf(path, sizeof(path), "%s/%ld.done", sd, (long)pid);
	chmod(path, 0644);
	is_int(lspawn_slot_outcome(sd, pid, id, sizeof(id), &rcpt), -1,
	    "a slot file others may read is not read");
	close(sock);
	close(jfd);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	lspawn_slot_remove(sd, pid);
	ok(access(path, F_OK) < 0 && rmdir(sd) == 0, "the slot removed");
	lspawn_slot_dir(NULL);
	unlink(file);
	buf_free(&why);
}

int
main(void)
{
	char	 path[256];

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL || chmod(dir, 01777) < 0) {
		ok(0, "set-up: %s", strerror(errno));
		return tap_done();
	}
	snprintf(path, sizeof(path), "%s/msg", dir);
	msg_fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (msg_fd < 0 || write(msg_fd, "Subject: x", 10) != 10) {
		ok(0, "set-up: %s", strerror(errno));
		return tap_done();
	}
	test_kinds();
	test_malformed();
	test_slots();
	close(msg_fd);
	{
		static const char *const made[] = { "msg", "ran", "f" };

		for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, made[i]);
			(void)unlink(path);
		}
		if (rmdir(dir) < 0)
			ok(0, "clean-up of %s: %s", dir, strerror(errno));
	}
	return tap_done();
}
