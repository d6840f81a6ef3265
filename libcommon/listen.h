/*
 * listen - a standalone TCP server: bind, drop root, accept, and fork one
 * process per connection, up to a limit.
 *
 * listen_parse_addr() reads "ADDR:PORT" (IPv4, "[v6]:PORT", or
 * "localhost:PORT") into a socket address: 0, or -1 with the reason in
 * err.  Pure: no I/O.
 *
 * listen_run() binds every address of o (as root when it was started as
 * root), then becomes o->user (priv.h) and checks that root is gone
 * before it accepts anything.  Each connection runs o->serve in a
 * worker process, forked when no idle one is left and kept for up to
 * o->max_use connections, one at a time, or o->max_idle seconds without
 * one (as Postfix's master keeps its smtpd processes): a connection costs
 * no fork.  A worker gets default signal dispositions and none of the
 * listening sockets; the return value of its last o->serve is its exit
 * status.  Past o->limit live connections, o->busy (a ready reply line
 * with CRLF) is written to the client, which is closed.  SIGTERM, SIGINT
 * and SIGHUP stop the accepting; connections in progress go on to their
 * natural end in their own processes.  Exited workers are reaped as they
 * go.  listen_run() returns 0 after such a stop, or -1 with the
 * reason in err when it could not start.
 *
 * Per client address, as Postfix's anvil(8) counts for smtpd: past
 * o->count_limit live connections, or o->conn_rate_limit connections in
 * o->rate_unit seconds, a connection gets "421 4.7.0 HOST Error: too
 * many connections from ADDR" and is closed; an address for which
 * o->exempt(addr, o->ctx) says 1 is never limited.  A worker asks "m"
 * on its control socket before each message and gets "y", or "n" past
 * o->msg_rate_limit messages in o->rate_unit.  When every one of the
 * o->limit processes is busy the listener is under stress: each busy
 * worker gets "S" on its control socket, and connections handed out
 * while it lasts carry the flag (listen_conn.stress).  The counts live
 * in a table of 2 x o->limit + 256 addresses; an address with no live
 * connection may be forgotten (the oldest first) when it is full.
 */
#ifndef PIPEMAIL_LISTEN_H
#define PIPEMAIL_LISTEN_H

#include <stddef.h>
#include <sys/socket.h>

#include "buf.h"

#define LISTEN_ADDRS_MAX	8	/* -l options */
#define LISTEN_BACKLOG		128

struct listen_addr {
	struct sockaddr_storage	 sa;
	socklen_t		 len;
	char			 text[80];	/* as given, for the log */
};

/* One connection, as a worker's serve() gets it. */
struct listen_conn {
	int			 fd;		/* the client */
	const struct sockaddr	*peer, *local;	/* local: NULL if unknown */
	socklen_t		 plen, llen;
	int			 ctl;		/* the listener */
	int			 stress;	/* the limit was reached */
};

struct listen_opts {
	struct listen_addr	 addr[LISTEN_ADDRS_MAX];
	size_t			 naddr;
	long long		 limit;		/* live connections */
	long long		 max_use;	/* connections per worker */
	long long		 max_idle;	/* seconds a worker idles */
	const char		*user;		/* drop root to this user */
	const char		*busy;		/* reply when over the limit */
	const char		*host;		/* our name, for refusals */
	long long		 count_limit;	/* live per client; 0: none */
	long long		 conn_rate_limit; /* per rate_unit; 0: none */
	long long		 msg_rate_limit;  /* per rate_unit; 0: none */
	long long		 rate_unit;	/* seconds */
	int			(*exempt)(const char *, void *);
	int			(*serve)(const struct listen_conn *, void *);
	void			*ctx;
};

int	 listen_parse_addr(const char *, struct listen_addr *, struct buf *);
int	 listen_run(const struct listen_opts *, struct buf *);

#endif
