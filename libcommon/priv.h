/*
 * priv - giving up root.
 *
 * priv_drop_user() looks NAME up in passwd and becomes that user (groups,
 * gid, uid, in that order), then checks that root cannot be regained.
 * It returns 0, or -1 with a reason in err (unknown user, or a failed
 * call).  A caller that is not root is left as it is and gets 0.
 *
 * priv_assume() takes on uid/gid as the effective identity (one group, no
 * supplementary groups) for a while, keeping the real uid root, and
 * priv_restore() goes back to the identity it saved; both return 0, or -1
 * with a reason in err.  A caller that is not root is left as it is.
 */
#ifndef PIPEMAIL_PRIV_H
#define PIPEMAIL_PRIV_H

#include <sys/types.h>

#include "buf.h"

#define PRIV_GROUPS_MAX	256	/* groups priv_assume() can restore */

struct priv_saved {
	int	 active;		/* priv_assume() changed ids */
	gid_t	 egid;
	int	 ngroups;
	gid_t	 groups[PRIV_GROUPS_MAX];
};

int	 priv_drop_user(const char *, struct buf *);
int	 priv_drop(uid_t, gid_t, const char *, struct buf *);
int	 priv_assume(uid_t, gid_t, struct priv_saved *, struct buf *);
int	 priv_restore(struct priv_saved *, struct buf *);

#endif
