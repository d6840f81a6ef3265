/*
 * pickup - users' submissions from maildrop/ into the queue, re-written
 * by the queue's owner (Postfix's pickup(8) and cleanup(8) in one step).
 *
 * A user's set-group-id queue-inject cannot write the queue: it leaves a
 * file in maildrop/ (queue.h's format, owned by the user).  The pickup,
 * run by queue-run as the queue's owner, reads it through a descriptor
 * opened without following a link (a regular file with one link), keeps
 * only its message and envelope, checks the envelope with
 * queue_env_check() (a submission carrying state records is refused),
 * writes a fresh queue file under tmp/ (fsync, rename into active/ or
 * hold/, fsync) with the maildrop file's name as its queue id, and only
 * then removes the maildrop file.  A file that fails is set aside to
 * corrupt/ with its bytes, logged once and never read again.
 *
 * After a crash between the rename and the removal the maildrop file is
 * found again; its id is then in active/ or hold/ already, and the file
 * is only removed: nothing is lost and nothing is queued twice.
 *
 * pickup_one() returns 1 with the new id in id (QUEUE_ID_MAX bytes) and
 * *held set when it went to hold/, 0 when the file is not there (or not
 * complete yet), -1 when it was set aside or could not be handled now
 * (logged).  pickup_scan() picks up every file in maildrop/; it also
 * removes submissions abandoned half-written (older than a day).
 */
#ifndef PIPEMAIL_PICKUP_H
#define PIPEMAIL_PICKUP_H

int	 pickup_one(const char *, const char *, char *, int *);
void	 pickup_scan(const char *);

#endif
