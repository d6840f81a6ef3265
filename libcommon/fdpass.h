/*
 * fdpass - one packet and one open descriptor over an AF_UNIX socket
 * (SCM_RIGHTS), as between queue-run and its delivery agents, and
 * smtp-listen and its serving processes.
 *
 * fdpass_send() returns like send(2), never raising SIGPIPE.
 * fdpass_recv() returns like recv(2), with the descriptor that came
 * (close-on-exec) in *fd, or -1 when none did; a packet or descriptor
 * that did not fit is dropped: -1 with EMSGSIZE.
 */
#ifndef PIPEMAIL_FDPASS_H
#define PIPEMAIL_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

ssize_t	 fdpass_send(int, const void *, size_t, int);
ssize_t	 fdpass_recv(int, void *, size_t, int *);

#endif
