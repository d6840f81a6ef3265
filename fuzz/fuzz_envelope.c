/*
 * fuzz_envelope - libFuzzer target for the envelope records sendmail and
 * smtp-listen send to queue-inject, queue_env_parse(): "Fsender",
 * "Rret", "Eenvid", "Trcpt[TAB orcpt TAB notify]", "H", each ending in
 * NUL, then an empty record.  The input is the records as queue-inject
 * reads them.
 *
 * Checked: the status is 0, EX_DATAERR or EX_TEMPFAIL, with a reason of
 * the matching class exactly when it is not 0; an envelope accepted
 * passes queue_env_check() (the same verdict again), has a sender and
 * recipients, every field within its bound and within the input, a
 * NOTIFY a valid set and hold 0 or 1; it is written again as records
 * (smtp-listen's form, and submit_envelope()'s when it applies) that
 * parse back the same, and queue_new_envelope() takes it into a queue
 * file that queue_env_read() reads back the same.
 */
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "fuzz.h"
#include "queue.h"
#include "submit.h"

#define MAGIC	"pipemail-queue 1\n"

/* opt - an optional field, NULL read as "" */
static const char *
opt(const char *s)
{
	return s != NULL ? s : "";
}

/* same - two envelopes hold the same submission */
static void
same(const struct queue_env *a, const struct queue_env *b)
{
	CHECK(strcmp(a->sender, b->sender) == 0);
	CHECK(strcmp(opt(a->ret), opt(b->ret)) == 0);
	CHECK(strcmp(opt(a->envid), opt(b->envid)) == 0);
	CHECK(a->nrcpt == b->nrcpt);
	for (size_t i = 0; i < a->nrcpt; i++) {
		CHECK(strcmp(a->rcpt[i].addr, b->rcpt[i].addr) == 0);
		CHECK(strcmp(opt(a->rcpt[i].orcpt), opt(b->rcpt[i].orcpt)) ==
		    0);
		CHECK(a->rcpt[i].notify == b->rcpt[i].notify);
	}
}

/* reparse - records in b parse to env and hold again */
static void
reparse(const struct buf *b, const struct queue_env *env, int hold)
{
	struct queue_env	 back;
	struct buf		 why = BUF_INIT;
	int			 h = 0;

	memset(&back, 0, sizeof(back));
	CHECK(queue_env_parse(b->s, b->len, &back, &h, &why) == 0);
	CHECK(h == hold);
	same(env, &back);
	queue_env_free(&back);
	buf_free(&why);
}

/* smtpd_form - env written as smtp-listen writes it, parsed back */
static void
smtpd_form(const struct queue_env *env, int hold)
{
	struct buf	 b = BUF_INIT;

	buf_printf(&b, "F%s%c", env->sender, 0);
	if (env->ret != NULL && *env->ret != '\0')
		buf_printf(&b, "R%s%c", env->ret, 0);
	if (env->envid != NULL)
		buf_printf(&b, "E%s%c", env->envid, 0);
	for (size_t i = 0; i < env->nrcpt; i++) {
		const struct queue_rcpt *rc = &env->rcpt[i];

		buf_printf(&b, "T%s", rc->addr);
		if (*opt(rc->orcpt) != '\0' || rc->notify != 0)
			buf_printf(&b, "\t%s\t%d", opt(rc->orcpt),
			    rc->notify);
		buf_addc(&b, '\0');
	}
	if (hold)
		buf_printf(&b, "H%c", 0);
	buf_addc(&b, '\0');
	reparse(&b, env, hold);
	buf_free(&b);
}

/* submit_form - env through submit_envelope(), when sendmail could have
 * sent it (one NOTIFY for all, no ORCPT, no hold), parsed back */
static void
submit_form(const struct queue_env *env, int hold)
{
	struct submit_rcpts	 l;
	struct buf		 b = BUF_INIT;

	if (hold)
		return;
	for (size_t i = 0; i < env->nrcpt; i++)
		if (*opt(env->rcpt[i].orcpt) != '\0' ||
		    env->rcpt[i].notify != env->rcpt[0].notify)
			return;
	submit_rcpts_init(&l);
	for (size_t i = 0; i < env->nrcpt; i++)
		submit_rcpts_add(&l, env->rcpt[i].addr);
	if (submit_envelope(&b, env->sender, env->ret, env->envid, &l,
	    env->rcpt[0].notify, NULL) == 0)
		reparse(&b, env, 0);
	submit_rcpts_free(&l);
	buf_free(&b);
}

/* queued - env into a queue file and read back, as queue-inject does */
static void
queued(const struct queue_env *env, int hold)
{
	struct queue_new	 qn;
	struct queue_env	 back, e = *env;
	char			 head[64];
	int			 n;

	n = snprintf(head, sizeof(head), MAGIC "size %020d\n", 0);
	memset(&qn, 0, sizeof(qn));
	qn.fd = fuzz_memfile(head, (size_t)n, NULL, 0);
	CHECK(lseek(qn.fd, 0, SEEK_END) == n);
	e.hold = hold;
	CHECK(queue_new_envelope(&qn, &e, NULL) == 0);
	CHECK(queue_env_read(qn.fd, &back, NULL) == 0);
	CHECK(back.hold == hold);
	same(env, &back);
	queue_env_free(&back);
	close(qn.fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const int		 all = QN_NEVER | QN_SUCCESS | QN_FAILURE |
	    QN_DELAY;
	struct queue_env	 env;
	struct buf		 why = BUF_INIT, again = BUF_INIT;
	size_t			 bytes;
	int			 hold = 0, r;

	memset(&env, 0, sizeof(env));
	r = queue_env_parse((const char *)data, size, &env, &hold, &why);
	CHECK(r == 0 || r == EX_DATAERR || r == EX_TEMPFAIL);
	CHECK(hold == 0 || hold == 1);
	if (r != 0) {
		CHECK(why.len > 0);
		CHECK(why.s[0] == (r == EX_TEMPFAIL ? '4' : '5'));
		queue_env_free(&env);
		buf_free(&why);
		return 0;
	}
	CHECK(why.len == 0);
	CHECK(queue_env_check(&env, &again) == 0 && again.len == 0);
	CHECK(env.sender != NULL && strlen(env.sender) <= QUEUE_ADDR_MAX);
	CHECK(env.ret == NULL || strlen(env.ret) <= 4);
	CHECK(env.envid == NULL || strlen(env.envid) <= QUEUE_ENVID_MAX);
	CHECK(env.nrcpt > 0 && env.nrcpt <= size / 2);
	bytes = strlen(env.sender) + strlen(opt(env.ret)) +
	    strlen(opt(env.envid));
	for (size_t i = 0; i < env.nrcpt; i++) {
		const struct queue_rcpt	*rc = &env.rcpt[i];

		CHECK(rc->addr != NULL && *rc->addr != '\0' &&
		    strlen(rc->addr) <= QUEUE_ADDR_MAX);
		CHECK(rc->orcpt != NULL &&
		    strlen(rc->orcpt) <= QUEUE_ORCPT_MAX);
		CHECK((rc->notify & ~all) == 0);
		CHECK(rc->state == QR_PENDING && rc->dsn == NULL &&
		    rc->transport == NULL);
		bytes += strlen(rc->addr) + strlen(rc->orcpt);
	}
	CHECK(bytes < size);
	smtpd_form(&env, hold);
	submit_form(&env, hold);
	queued(&env, hold);
	queue_env_free(&env);
	buf_free(&why);
	buf_free(&again);
	return 0;
}
