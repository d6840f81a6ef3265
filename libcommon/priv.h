/*
 * priv - giving up root.
 *
 * priv_drop_user() looks NAME up in passwd and becomes that user (groups,
 * gid, uid, in that order), then checks that root cannot be regained.
 * It returns 0, or -1 with a reason in err (unknown user, or a failed
 * call).  A caller that is not root is left as it is and gets 0.
 */
#ifndef PIPEMAIL_PRIV_H
#define PIPEMAIL_PRIV_H

#include <sys/types.h>

#include "buf.h"

int	 priv_drop_user(const char *, struct buf *);
int	 priv_drop(uid_t, gid_t, const char *, struct buf *);

#endif
