/* test_showq - the mailq layout, from envelopes made by hand */
#include "showq.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "mem.h"
#include "tap.h"

/* rcpt - one recipient in state st with an optional reason */
static void
rcpt(struct queue_env *e, const char *addr, enum queue_rcpt_state st,
    const char *reason, const char *expanded_to)
{
	struct queue_rcpt	*rc;

	e->rcpt = xreallocarray(e->rcpt, e->nrcpt + 1, sizeof(*e->rcpt));
	rc = &e->rcpt[e->nrcpt++];
	memset(rc, 0, sizeof(*rc));
	rc->addr = xstrdup(addr);
	rc->orcpt = xstrdup("");
	rc->state = st;
	rc->reason = reason ? xstrdup(reason) : NULL;
	rc->recipient = expanded_to ? xstrdup(expanded_to) : NULL;
	rc->parent = -1;
}

/* msg - a new message in the listing */
static struct queue_env *
msg(struct showq *q, const char *id, int hold, time_t t, long size,
    const char *sender)
{
	struct showq_msg	*m;

	q->v = xreallocarray(q->v, q->n + 1, sizeof(*q->v));
	m = &q->v[q->n++];
	memset(m, 0, sizeof(*m));
	memcpy(m->id, id, strlen(id) + 1);
	m->hold = hold;
	m->env.arrival.tv_sec = t;
	m->env.size = size;
	m->env.sender = xstrdup(sender);
	m->env.ret = xstrdup("");
	m->env.envid = xstrdup("");
	return &m->env;
}

static const char want[] =
    "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
    "AAA1" "           2048 Tue Nov 14 22:13:20  alice@example.org\n"
    "                                         bob@example.org\n"
    "\n"
    "BBB2!" "           512 Tue Nov 14 22:13:21  MAILER-DAEMON\n"
    "\n"
    "CCC3" "            100 Sun Jan  7 03:04:05  carol@example.org\n"
    /* 76 - 34 = 42 spaces, as Postfix pads reasons */
    "                                          "
    "(connect to mx.example.org: refused)\n"
    "                                         d1@example.org\n"
    "                                         d2@example.org\n"
    "                                                          "
    "(reason unavailable)\n"
    "                                         d3@example.org\n"
    "                                         /var/mail/box\n"
    "                                         |/usr/bin/procmail -a x\n"
    "\n"
    "-- 2 Kbytes in 3 Requests.\n";

int
main(void)
{
	struct showq		 q;
	struct buf		 out = BUF_INIT;
	struct queue_env	*e;

	setenv("TZ", "UTC", 1);
	tzset();
	showq_init(&q);
	showq_format(&out, &q);
	is_str(buf_cstr(&out), "Mail queue is empty\n", "empty queue");

	/* Added out of order: the listing sorts by arrival. */
	e = msg(&q, "CCC3", 0, 1704596645, 100, "carol@example.org");
	rcpt(e, "sent@example.org", QR_SENT, "delivered", NULL);
	rcpt(e, "d1@example.org", QR_DEFERRED,
	    "connect to mx.example.org: refused", NULL);
	rcpt(e, "d2@example.org", QR_DEFERRED,
	    "connect to mx.example.org: refused", NULL);
	rcpt(e, "d3@example.org", QR_PENDING, NULL, NULL);
	rcpt(e, "gone@example.org", QR_BOUNCED, "5.1.1 no such user", NULL);
	rcpt(e, "alias@example.org", QR_EXPANDED, NULL, NULL);
	rcpt(e, "alias@example.org", QR_PENDING, NULL, "/var/mail/box");
	rcpt(e, "alias@example.org", QR_PENDING, NULL,
	    "/usr/bin/procmail -a x");
	e->rcpt[e->nrcpt - 1].transport = xstrdup("command");
	e = msg(&q, "BBB2", 1, 1700000001, 512, "");
	rcpt(e, "done@example.org", QR_SENT, NULL, NULL);
	e = msg(&q, "AAA1", 0, 1700000000, 2048, "alice@example.org");
	rcpt(e, "bob@example.org", QR_PENDING, NULL, NULL);

	showq_sort(&q);
	buf_reset(&out);
	showq_format(&out, &q);
	is_str(buf_cstr(&out), want, "Postfix layout: ids, hold mark, "
	    "reasons, expanded and finished recipients");

	showq_free(&q);
	msg(&q, "ONE", 0, 1700000000, 10, "a@b");
	buf_reset(&out);
	showq_format(&out, &q);
	ok(strstr(buf_cstr(&out), "\n-- 0 Kbytes in 1 Request.\n") != NULL,
	    "one request: singular");
	showq_free(&q);
	buf_free(&out);
	return tap_done();
}
