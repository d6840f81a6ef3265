/*
 * qspace - room in the queue's file system, and what a full one is called.
 *
 * Postfix's rule (smtpd_check_queue, smtpd_check_size): a new message is
 * refused before its data, with 452 4.3.1 Insufficient system storage,
 * when the queue file system has less free space than 1.5 times
 * message_size_limit, or than queue_minfree when that is larger; a
 * client's declared size (RFC 1870 SIZE=) must leave queue_minfree free
 * and fit 1.5 times over.  A file system with no free inode is full too.
 *
 * qspace_check() returns 0 when there is room, 1 when there is not (with
 * "4.3.1 Insufficient system storage" and the figures in why), and -1
 * when the file system cannot be asked (errno set; callers go on, since
 * the write itself still fails safely).  qspace_dsn() names an errno's
 * enhanced status: 4.3.1 (RFC 3463: mail system full) for ENOSPC and
 * EDQUOT, 4.3.0 otherwise.  qspace_warn() logs a full queue at most once
 * per QSPACE_WARN_INTERVAL across every process that writes the queue
 * (the stamp is tmp/.space, which queue-run's clean-up leaves alone).
 */
#ifndef PIPEMAIL_QSPACE_H
#define PIPEMAIL_QSPACE_H

#include "buf.h"

#define QSPACE_WARN_INTERVAL	60	/* s between full-disk lines */
#define QSPACE_INODES_MIN	1	/* free inodes a new file needs */

int		 qspace_check(const char *, long long, struct buf *);
int		 qspace_full(int);
const char	*qspace_dsn(int);
void		 qspace_warn(const char *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

#endif
