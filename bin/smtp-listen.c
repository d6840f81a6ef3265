/*
 * smtp-listen - the SMTP server: on standard input and output (inetd,
 * tcpserver), or listening itself with -l, a process per connection at a
 * time, kept for the next ones.
 * The session is smtpd.c's, the listener listen.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "exits.h"
#include "listen.h"
#include "log.h"
#include "priv.h"
#include "restrict.h"
#include "smtpd.h"

#define USAGE	"smtp-listen [-c DIR] [-l ADDR:PORT]..."
#define BUSY_MAX	512	/* the over-the-limit reply */

/* serve - one accepted connection, in a worker process */
static int
serve(const struct listen_conn *c, void *ctx)
{
	struct smtpd_client	 cl;
	struct smtpd_opts	 o;

	(void)ctx;
	smtpd_client_from_addr(c->peer, c->plen, c->local, c->llen, &cl);
	memset(&o, 0, sizeof(o));
	o.fd_in = c->fd;
	o.fd_out = c->fd;
	o.client = &cl;
	o.ctl = c->ctl;
	o.stress = c->stress;
	return smtpd_session(&o);
}

/* exempt - smtpd_client_event_limit_exceptions: never counted */
static int
exempt(const char *addr, void *ctx)
{
	struct buf	 err = BUF_INIT;
	int		 r = restrict_nets_match(ctx, addr, &err);

	if (r < 0)
		log_warnx("smtpd_client_event_limit_exceptions: %s",
		    buf_cstr(&err));
	buf_free(&err);
	return r > 0;
}

int
main(int argc, char **argv)
{
	struct listen_opts	 lo;
	struct smtpd_client	 cl;
	struct smtpd_opts	 so;
	struct buf		 err = BUF_INIT;
	char			 busy[BUSY_MAX];
	const char		*dir = NULL;
	int			 ch, status;

	die_set_progname(argv[0]);
	memset(&lo, 0, sizeof(lo));
	while ((ch = getopt(argc, argv, "c:l:")) != -1) {
		switch (ch) {
		case 'c':
			dir = optarg;
			break;
		case 'l':
			if (lo.naddr == LISTEN_ADDRS_MAX)
				die_usage(USAGE);
			if (listen_parse_addr(optarg, &lo.addr[lo.naddr],
			    &err) < 0) {
				warnx_stderr("%s", buf_cstr(&err));
				die_usage(USAGE);
			}
			lo.naddr++;
			break;
		default:
			die_usage(USAGE);
		}
	}
	if (optind != argc)
		die_usage(USAGE);

	cfg_load(dir);
	if (smtpd_config_check(&err) < 0)
		die_perm(EX_CONFIG, "5.3.5 %s", buf_cstr(&err));
	if (smtpd_spool_ready(&err) < 0)
		die_temp("4.3.0 %s", buf_cstr(&err));

	if (lo.naddr > 0) {
		/* Standalone: bind, drop root, accept. */
		snprintf(busy, sizeof(busy), "421 4.3.2 %s Error: too many "
		    "connections\r\n", cfg_get("myhostname"));
		lo.limit = cfg_get_int("default_process_limit");
		lo.max_use = cfg_get_int("max_use");
		lo.max_idle = cfg_get_time("max_idle");
		lo.user = cfg_get("mail_owner");
		lo.busy = busy;
		lo.host = cfg_get("myhostname");
		lo.count_limit =
		    cfg_get_int("smtpd_client_connection_count_limit");
		lo.conn_rate_limit =
		    cfg_get_int("smtpd_client_connection_rate_limit");
		lo.msg_rate_limit =
		    cfg_get_int("smtpd_client_message_rate_limit");
		lo.rate_unit = cfg_get_time("anvil_rate_time_unit");
		lo.ctx = restrict_nets_open(
		    "smtpd_client_event_limit_exceptions", &err);
		if (lo.ctx == NULL)
			die_perm(EX_CONFIG, "5.3.5 %s", buf_cstr(&err));
		lo.exempt = exempt;
		lo.serve = serve;
		if (listen_run(&lo, &err) < 0)
			die_temp("4.3.0 %s", buf_cstr(&err));
		restrict_nets_close(lo.ctx);
		status = EX_OK;
	} else {
		/* inetd / tcpserver: the client is on 0 and 1. */
		smtpd_client_from_env(STDIN_FILENO, &cl);
		if (priv_drop_user(cfg_get("mail_owner"), &err) < 0)
			die_temp("4.3.0 %s", buf_cstr(&err));
		/* As the listener: a client is never served as root. */
		if (geteuid() == 0 || getuid() == 0)
			die_perm(EX_CONFIG, "5.3.5 still root after dropping "
			    "to mail_owner %s: refusing to serve",
			    cfg_get("mail_owner"));
		memset(&so, 0, sizeof(so));
		so.config_dir = dir;
		so.fd_in = STDIN_FILENO;
		so.fd_out = STDOUT_FILENO;
		so.client = &cl;
		so.ctl = -1;
		status = smtpd_session(&so);
	}
	buf_free(&err);
	return status;
}
