/*
 * priv - giving up root, checked.
 */
#include "priv.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <unistd.h>

/*
 * keep_pdeathsig - Linux clears the parent-death signal when the user
 * changes: set again what was set (and send it now when the parent died
 * in between), so that a process told to die with its parent still does
 * once it is the recipient
 */
static void
keep_pdeathsig(int sig, pid_t parent)
{
#ifdef __linux__
	if (sig <= 0)
		return;
	prctl(PR_SET_PDEATHSIG, sig);
	if (getppid() != parent)
		raise(sig);
#else
	(void)sig;
	(void)parent;
#endif
}

/* priv_drop - become uid/gid with name's supplementary groups */
int
priv_drop(uid_t uid, gid_t gid, const char *name, struct buf *err)
{
	int	 sig = 0;
	pid_t	 parent = getppid();

	if (geteuid() != 0 && getuid() != 0)
		return 0;
#ifdef __linux__
	prctl(PR_GET_PDEATHSIG, &sig);
#endif
	if ((name ? initgroups(name, gid) : setgroups(1, &gid)) < 0 ||
	    setgid(gid) < 0 || setuid(uid) < 0) {
		buf_printf(err, "cannot change to uid %ld: %s", (long)uid,
		    strerror(errno));
		keep_pdeathsig(sig, parent);
		return -1;
	}
	keep_pdeathsig(sig, parent);
	/* Paranoia: root must be gone for good. */
	if (uid != 0 && (setuid(0) == 0 || geteuid() == 0)) {
		buf_printf(err, "could regain root after dropping to uid %ld",
		    (long)uid);
		return -1;
	}
	return 0;
}

/* priv_drop_user - become the passwd user name */
int
priv_drop_user(const char *name, struct buf *err)
{
	struct passwd	*pw;

	if (geteuid() != 0 && getuid() != 0)
		return 0;
	errno = 0;
	pw = getpwnam(name);
	if (pw == NULL) {
		buf_printf(err, "unknown user %s", name);
		return -1;
	}
	return priv_drop(pw->pw_uid, pw->pw_gid, pw->pw_name, err);
}

/* priv_assume - run with the effective identity uid/gid until
 * priv_restore(), as root only (see priv.h) */
int
priv_assume(uid_t uid, gid_t gid, struct priv_saved *sv, struct buf *err)
{
	sv->active = 0;
	if (geteuid() != 0)
		return 0;
	sv->egid = getegid();
	sv->ngroups = getgroups(PRIV_GROUPS_MAX, sv->groups);
	if (sv->ngroups < 0) {
		buf_printf(err, "cannot get groups: %s", strerror(errno));
		return -1;
	}
	sv->active = 1;
	if (setgroups(1, &gid) < 0 || setegid(gid) < 0 || seteuid(uid) < 0) {
		int	 saved = errno;
		struct buf	 ignored = BUF_INIT;

		(void)priv_restore(sv, &ignored);
		buf_free(&ignored);
		buf_printf(err, "cannot change to uid %ld: %s", (long)uid,
		    strerror(saved));
		return -1;
	}
	return 0;
}

/* priv_restore - back to the identity priv_assume() saved */
int
priv_restore(struct priv_saved *sv, struct buf *err)
{
	if (!sv->active)
		return 0;
	if (seteuid(0) < 0 || setegid(sv->egid) < 0 ||
	    setgroups((size_t)sv->ngroups, sv->groups) < 0) {
		buf_printf(err, "cannot restore privileges: %s",
		    strerror(errno));
		return -1;
	}
	sv->active = 0;
	return 0;
}
