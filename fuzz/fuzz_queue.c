/*
 * fuzz_queue - libFuzzer target for the queue file reader,
 * queue_env_read(): the head, the envelope records after the message
 * and the state records queue-run appends.  An input that starts with
 * the queue file's magic line is the whole file; any other is message
 * bytes and records, a head in front of it saying the message is the
 * input's first (first byte) bytes.
 *
 * Checked: a file that reads has a sender, recipients, each with an
 * address, a known state and a parent that exists, and its message
 * inside the file; and the envelope read, when queue_new_envelope()
 * accepts it, is written and read back the same.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fuzz.h"
#include "queue.h"

#define MAGIC	"pipemail-queue 1\n"

/* same - two envelopes hold the same records */
static void
same(const struct queue_env *a, const struct queue_env *b)
{
	CHECK(strcmp(a->sender, b->sender) == 0);
	CHECK(strcmp(a->ret, b->ret) == 0);
	CHECK(strcmp(a->envid, b->envid) == 0);
	CHECK(a->arrival.tv_sec == b->arrival.tv_sec);
	CHECK(a->nrcpt == b->nrcpt);
	for (size_t i = 0; i < a->nrcpt; i++) {
		CHECK(strcmp(a->rcpt[i].addr, b->rcpt[i].addr) == 0);
		CHECK(strcmp(a->rcpt[i].orcpt, b->rcpt[i].orcpt) == 0);
		CHECK(a->rcpt[i].notify == b->rcpt[i].notify);
	}
}

/* rewrite - write env's envelope into a new file and read it back */
static void
rewrite(const struct queue_env *env)
{
	struct queue_new	 qn;
	struct queue_env	 back, first = *env;
	char			 head[64];
	int			 n;

	/* Only the envelope records: the state records are queue-run's. */
	n = snprintf(head, sizeof(head), MAGIC "size %020d\n", 0);
	memset(&qn, 0, sizeof(qn));
	qn.fd = fuzz_memfile(head, (size_t)n, NULL, 0);
	qn.arrival = env->arrival;
	qn.arrival.tv_nsec = 0;
	CHECK(lseek(qn.fd, 0, SEEK_END) == n);
	first.nrcpt = 0;
	for (size_t i = 0; i < env->nrcpt; i++)
		if (env->rcpt[i].parent < 0)
			first.nrcpt = i + 1;
	if (first.nrcpt > 0 && queue_new_envelope(&qn, &first, NULL) == 0) {
		CHECK(queue_env_read(qn.fd, &back, NULL) == 0);
		CHECK(back.nrcpt == first.nrcpt);
		same(&first, &back);
		queue_env_free(&back);
	}
	close(qn.fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct queue_env	 env;
	struct buf		 file = BUF_INIT, err = BUF_INIT;
	off_t			 total;
	int			 fd;

	if (size >= sizeof(MAGIC) - 1 &&
	    memcmp(data, MAGIC, sizeof(MAGIC) - 1) == 0)
		buf_add(&file, data, size);
	else if (size > 0) {
		buf_printf(&file, MAGIC "size %020zu\n",
		    (size_t)data[0] < size ? (size_t)data[0] : size - 1);
		buf_add(&file, data + 1, size - 1);
	} else
		return 0;
	total = (off_t)file.len;
	fd = fuzz_memfile(file.s, file.len, NULL, 0);
	if (queue_env_read(fd, &env, &err) == 0) {
		CHECK(env.sender != NULL && env.ret != NULL &&
		    env.envid != NULL);
		CHECK(env.nrcpt > 0);
		CHECK(env.data_off > 0 && env.size >= 0 &&
		    env.data_off + env.size <= total);
		for (size_t i = 0; i < env.nrcpt; i++) {
			const struct queue_rcpt	*rc = &env.rcpt[i];

			CHECK(rc->addr != NULL && rc->orcpt != NULL);
			if (rc->parent < 0)
				CHECK(*rc->addr != '\0');
			CHECK(rc->state >= QR_PENDING &&
			    rc->state <= QR_EXPANDED);
			CHECK(rc->parent >= -1 && rc->parent < (int)env.nrcpt);
			CHECK(rc->parent != (int)i);
		}
		rewrite(&env);
		queue_env_free(&env);
	} else
		CHECK(err.len > 0);
	close(fd);
	buf_free(&file);
	buf_free(&err);
	return 0;
}
