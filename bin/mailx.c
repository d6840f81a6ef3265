/*
 * mailx - send and read mail (POSIX mailx); also run as "mail".
 *
 * Send mode: mailx [-s subject] [-c addrs] [-b addrs] [-r from] addr...
 * Receive mode: mailx [-e | -H] [-NnRi] [-f [file] | -u user]
 * See mailx(1).  The engine is in libcommon/mailx_*.c and mailbox.c.
 */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "exits.h"
#include "mailbox.h"
#include "mailx_cmd.h"
#include "mailx_send.h"
#include "mailx_show.h"
#include "mailx_tilde.h"
#include "proc.h"

#define USAGE	"usage: mailx [-~] [-s subject] [-c addrs] [-b addrs] [-r from] " \
		"addr...\n       mailx [-e | -H] [-NnRi~] [-f [file] | -u user]"

struct opts {
	const char	*subject, *cc, *bcc, *from, *user;
	int		 f, e, H, i, N, R;
	int		 tilde;		/* -~: obey escapes from a pipe too */
};

/* user_name - who we are: $USER, $LOGNAME, else the passwd entry */
static const char *
user_name(void)
{
	const char	*u = getenv("USER");
	struct passwd	*pw;

	if (u == NULL || *u == '\0')
		u = getenv("LOGNAME");
	if ((u == NULL || *u == '\0') && (pw = getpwuid(getuid())) != NULL)
		u = pw->pw_name;
	return u != NULL && *u != '\0' ? u : "nobody";
}

/*
 * load_config - main.cf for mail_spool_directory and sendmail_path; a
 * user's mailx must work on a host without pipemail's configuration
 * directory, so without $MAIL_CONFIG a missing one means the defaults
 */
static void
load_config(void)
{
	const char	*dir = getenv("MAIL_CONFIG");
	struct buf	 err = BUF_INIT;

	if ((dir == NULL || *dir == '\0') &&
	    access(PIPEMAIL_SYSCONFDIR, F_OK) < 0) {
		if (cfg_load_text("", 0, "main.cf", &err) < 0)
			die_perm(EX_CONFIG, "5.3.5 %s", err.s);
		buf_free(&err);
		return;
	}
	cfg_load(NULL);
}

/* start_files - $MAILRC, else ~/.mailrc */
static void
start_files(struct mailx *mx)
{
	struct buf	 rc = BUF_INIT;
	const char	*env = getenv("MAILRC"), *home = getenv("HOME");

	if (env != NULL && *env)
		buf_sets(&rc, env);
	else if (home != NULL && *home)
		buf_printf(&rc, "%s/.mailrc", home);
	if (rc.len > 0)
		mailx_source(mx, rc.s);
	buf_free(&rc);
}

/* send_mode - compose from stdin and send; the exit status */
static int
send_mode(struct mailx *mx, const struct opts *o, int argc, char **argv)
{
	struct mailx_draft d;
	struct mailx_send_env env = {
		.sendmail = mx->sendmail,
		.vars = &mx->vars,
		.aliases = &mx->aliases,
		.read = mailx_read_line,
		.read_ctx = mx,
		.interactive = mx->interactive,
		.escapes = mx->escapes,
		.typeahead = mailx_typeahead,
	};
	int		 status;

	mailx_draft_init(&d);
	for (int i = 0; i < argc; i++)
		mailx_add_list(&d.to, argv[i]);
	if (o->cc)
		mailx_add_list(&d.cc, o->cc);
	if (o->bcc)
		mailx_add_list(&d.bcc, o->bcc);
	if (o->from)
		buf_sets(&d.from, o->from);
	if (o->subject)
		buf_sets(&d.subject, o->subject);
	if (mailx_collect(&env, &d) == MAILX_SEND_ABORT)
		status = EX_OK;
	else
		status = mailx_deliver(&env, &d);
	mailx_draft_free(&d);
	return status;
}

/* list_all - -H: one summary line per message, nothing else */
static int
list_all(struct mailx *mx)
{
	struct buf	 out = BUF_INIT;
	long		 cols = MAILX_SHOW_COLUMNS;
	const char	*c = getenv("COLUMNS");

	if (c != NULL && atol(c) > 0)
		cols = atol(c);
	for (size_t i = 0; i < mx->mb.n; i++) {
		mailx_show_summary(&mx->mb, i, i == mx->dot, NULL, cols, &out);
		if (out.len >= 65536) {
			fwrite(out.s, 1, out.len, stdout);
			buf_reset(&out);
		}
	}
	fwrite(out.s ? out.s : "", 1, out.len, stdout);
	buf_free(&out);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/* read_mode - open the mailbox and run commands; the exit status */
static int
read_mode(struct mailx *mx, const struct opts *o, const char *file)
{
	const char	*env = getenv("MAIL");
	struct buf	 path = BUF_INIT;
	int		 status;

	if (file != NULL)
		buf_sets(&path, file);
	else if (o->user == NULL && env != NULL && *env)
		buf_sets(&path, env);
	else
		buf_set(&path, mx->spool.s, mx->spool.len);
	if (file == NULL && o->user == NULL && env != NULL && *env)
		buf_sets(&mx->spool, env);
	if (mailx_open(mx, path.s, 1) < 0) {
		buf_free(&path);
		return o->e ? 1 : EX_NOINPUT;
	}
	if (o->e) {
		buf_free(&path);
		return mx->mb.n > 0 ? EX_OK : 1;
	}
	if (file == NULL && mx->mb.n == 0) {
		fprintf(stderr, "No mail for %s\n", o->user ? o->user :
		    mx->user);
		buf_free(&path);
		return 1;
	}
	if (o->H) {
		buf_free(&path);
		return list_all(mx);
	}
	mx->readonly = o->R;
	if (!o->N) {
		mailx_banner(mx);
		if (mx->mb.n > 0 && mailx_table_has(&mx->vars, "header"))
			mailx_headers(mx, mx->screen_at);
	}
	status = mailx_run(mx);
	buf_free(&path);
	return status;
}

int
main(int argc, char **argv)
{
	struct mailx	 mx;
	struct opts	 o;
	struct buf	 sendmail = BUF_INIT, mbox = BUF_INIT;
	const char	*file = NULL, *sp, *home;
	int		 ch, status;

	die_set_progname("mailx");
	memset(&o, 0, sizeof(o));
	while ((ch = getopt(argc, argv, "b:c:efHinNRr:s:u:~")) != -1) {
		switch (ch) {
		case 'b': o.bcc = optarg; break;
		case 'c': o.cc = optarg; break;
		case 'e': o.e = 1; break;
		case 'f': o.f = 1; break;
		case 'H': o.H = 1; break;
		case 'i': o.i = 1; break;
		case 'n': break;	/* no system-wide start-up file */
		case 'N': o.N = 1; break;
		case 'R': o.R = 1; break;
		case 'r': o.from = optarg; break;
		case 's': o.subject = optarg; break;
		case 'u': o.user = optarg; break;
		case '~': o.tilde = 1; break;
		default: die_usage(USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (o.f && argc > 1)
		die_usage(USAGE);
	if (o.f)
		file = argc == 1 ? argv[0] : NULL;
	if (!o.f && !o.e && !o.H && o.user == NULL && argc == 0 &&
	    (o.subject || o.cc || o.bcc || o.from))
		die_usage(USAGE);

	/* A write past a file size limit must fail, not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	load_config();
	sp = cfg_get("sendmail_path");
	if (sp == NULL || *sp == '\0')
		proc_bin(&sendmail, "sendmail");
	else
		buf_sets(&sendmail, sp);

	mailx_session_init(&mx);
	mx.sendmail = sendmail.s;
	mx.user = user_name();
	mx.interactive = isatty(STDIN_FILENO);
	/* Text piped in (a form, a log) is sent as it is: a line "~!cmd" in
	 * it must not run cmd.  Escapes are for a person at a terminal, or
	 * for a script that asks for them (-~), as in BSD mail and s-nail. */
	mx.escapes = mx.interactive || o.tilde;
	buf_printf(&mx.spool, "%s/%s", cfg_get("mail_spool_directory"),
	    o.user ? o.user : mx.user);
	if (o.f && file == NULL) {
		/* POSIX: -f without a file reads the mbox. */
		if ((home = getenv("MBOX")) != NULL && *home)
			buf_sets(&mbox, home);
		else {
			home = getenv("HOME");
			buf_printf(&mbox, "%s/mbox", home ? home : ".");
		}
		file = mbox.s;
	}
	if (o.i)
		mailx_table_set(&mx.vars, "ignore", "");
	if (mx.interactive)
		mailx_catch_interrupts(&mx);
	start_files(&mx);
	if (argc > 0 && !o.f && !o.e && !o.H)
		status = send_mode(&mx, &o, argc, argv);
	else
		status = read_mode(&mx, &o, file);
	buf_free(&mbox);
	mailx_session_free(&mx);
	buf_free(&sendmail);
	return status;
}
