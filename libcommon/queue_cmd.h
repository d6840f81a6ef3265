/*
 * queue_cmd - the engine behind postsuper(1): delete queued messages, put
 * them on hold, release them, one queue id at a time.
 *
 * queue_cmd_apply() moves or removes one message: QUEUE_CMD_DELETE
 * unlinks active/ID, hold/ID or maildrop/ID (a user's submission not yet
 * picked up); QUEUE_CMD_HOLD renames active/ID to hold/ID;
 * QUEUE_CMD_RELEASE renames hold/ID to active/ID and wakes
 * queue-run(8) through the trigger FIFO; QUEUE_CMD_DELETE_CORRUPT unlinks
 * a file queue-run set aside, corrupt/ID, or corrupt/SUB.ID for SUB
 * active, hold or maildrop (the id it had in its queue).  Each change is
 * made durable (the directories are fsynced) before the function returns.
 * It returns
 * 1 when the message was changed, 0 when there was no such message where
 * the operation looks for it, -1 on a system error (the reason in err).
 *
 * queue_cmd_ids() fills out, which starts empty ({ NULL, 0 }), with the
 * ids of every message in one queue subdirectory ("active", "hold",
 * "corrupt"),
 * sorted; a missing directory is an empty queue; free with
 * cfg_list_free().  queue_cmd_id_ok() says whether a text can be a queue id
 * (no "/", no leading ".", not empty, shorter than QUEUE_ID_MAX).
 */
#ifndef PIPEMAIL_QUEUE_CMD_H
#define PIPEMAIL_QUEUE_CMD_H

#include "buf.h"
#include "config.h"

enum queue_cmd_op {
	QUEUE_CMD_DELETE,
	QUEUE_CMD_HOLD,
	QUEUE_CMD_RELEASE,
	QUEUE_CMD_DELETE_CORRUPT,
};

int	 queue_cmd_id_ok(const char *);
int	 queue_cmd_apply(const char *, enum queue_cmd_op, const char *,
	    struct buf *);
int	 queue_cmd_ids(const char *, const char *, struct cfg_list *,
	    struct buf *);

#endif
