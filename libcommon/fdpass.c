/*
 * fdpass - a packet with a descriptor over an AF_UNIX socket.
 */
#include "fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room for one descriptor, aligned for a control message. */
union fd_ctl {
	struct cmsghdr	 h;
	char		 space[CMSG_SPACE(sizeof(int))];
};

/* fdpass_send - n bytes of p, with fd attached */
ssize_t
fdpass_send(int sock, const void *p, size_t n, int fd)
{
	union fd_ctl	 c;
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*h;
	ssize_t		 r;

	memset(&mh, 0, sizeof(mh));
	memset(&c, 0, sizeof(c));
	iov.iov_base = (void *)p;
	iov.iov_len = n;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = c.space;
	mh.msg_controllen = sizeof(c.space);
	h = CMSG_FIRSTHDR(&mh);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	do
		r = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r;
}

/* fdpass_recv - a packet into p (at most n bytes), its descriptor in fd */
ssize_t
fdpass_recv(int sock, void *p, size_t n, int *fd)
{
	union fd_ctl	 c;
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*h;
	ssize_t		 r;

	*fd = -1;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = p;
	iov.iov_len = n;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = c.space;
	mh.msg_controllen = sizeof(c.space);
	do
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return r;
	h = CMSG_FIRSTHDR(&mh);
	if (h != NULL && h->cmsg_level == SOL_SOCKET &&
	    h->cmsg_type == SCM_RIGHTS && h->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(h), sizeof(int));
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		errno = EMSGSIZE;
		return -1;
	}
	return r;
}
