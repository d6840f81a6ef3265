/*
 * route - resolve an address to its deliveries (see route.h).
 *
 * The order is Postfix's: trivial-rewrite(8) qualifies the address and
 * picks the transport (the address class, then transport_maps); for the
 * local transport, local(8) expands aliases, then the user's .forward,
 * then delivers to the mailbox, and smtpd(8)'s local_recipient_maps check
 * decides about names no one knows.
 *
 * Loops.  Sendmail and Postfix allow an alias that names itself
 * ("root: root, admin"): the inner "root" skips the alias and goes to
 * the user.  The same holds for a user named in his own .forward.  Every
 * other repetition is found with a table of what this query has expanded:
 * reaching an alias, .forward or :include: file again while it is still
 * being expanded is a loop, answered with one "5.4.6 alias database loop"
 * error for that branch (Postfix reaches the same answer by bouncing at
 * depth 100); reaching one that is finished adds nothing, its deliveries
 * are in the answer already.  Identical deliveries are answered once.  So
 * the work per query is bounded by the size of the tables it reaches, and
 * capped besides by ROUTE_WORK_MAX items and ROUTE_RESULTS_MAX deliveries.
 */
#include "route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "config.h"
#include "domain.h"
#include "exits.h"
#include "file.h"
#include "io.h"
#include "log.h"
#include "maps.h"
#include "mem.h"

#define ROUTE_REOPEN_DELAY	1	/* seconds between table open retries */
#define ROUTE_DEST_FILE_MAX	(1024 * 1024)	/* mydestination /file */
#define SET_MIN_SLOTS		64

/* Every field of an answer line is capped (route_format()). */
_Static_assert(ROUTE_QUERY_MAX + ROUTE_TEXT_MAX + ROUTE_ITEM_MAX + 1 + 32 <=
    ROUTE_ANSWER_MAX, "an answer line fits ROUTE_ANSWER_MAX");

/* Characters allowed in forward_path expansions (Postfix's default). */
#define FWD_FILTER	"1234567890!@%-_=+:,./abcdefghijklmnopqrstuvwxyz" \
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ"

/* Where an item came from, for allow_mail_to_commands and _files. */
#define EXP_ALIAS	0x1
#define EXP_FORWARD	0x2
#define EXP_INCLUDE	0x4

/* States in the table of what a query has seen. */
#define SEEN_ACTIVE	1	/* being expanded */
#define SEEN_DONE	2	/* expanded */
#define SEEN_OUT	3	/* a delivery already answered */

/*
 * A list of lookup tables, opened once; when it cannot be opened its
 * lookups fail (temporarily) and the open is retried later.
 */
struct tables {
	const char	*param;		/* parameter name, for messages */
	char		*specs;
	int		 empty;		/* no table at all */
	struct map_list	*list;		/* NULL: not open */
	struct buf	 err;		/* why not */
	time_t		 tried;
};

/* One element of mydestination. */
struct dest {
	int		 neg;		/* "!pattern" */
	char		*name;		/* a domain, ".domain"; NULL: table */
	struct tables	 tab;
};

struct route_engine {
	char		*myorigin;	/* lower case, no trailing dot */
	int		 append_at_myorigin;
	char		*delim;		/* recipient_delimiter */
	char		*default_privs;
	char		*relayhost;
	char		*forward_path;
	struct buf	 local_tr, local_nh;	/* local_transport */
	struct buf	 default_tr, default_nh;	/* default_transport */
	int		 allow_cmd, allow_file;	/* EXP_* bits */
	struct dest	*dest;
	size_t		 ndest;
	struct domain_hosts *hosts;	/* this host's addresses (domain.h) */
	struct tables	 transport, aliases, recipients;
	int		 root;		/* running as root */
	gid_t		 egid;
	gid_t		*groups;	/* supplementary groups to restore */
	int		 ngroups;
};

/* A set of strings with a small state each (open addressing). */
struct set_slot {
	char		*key;
	uint64_t	 hash;
	int		 state;
};

struct set {
	struct set_slot	*v;
	size_t		 nslots;	/* a power of two, or 0 */
	size_t		 count;
};

/* Where the items being expanded came from. */
struct origin {
	int		 type;		/* EXP_*; 0 for the query itself */
	const char	*privs;		/* user for |command and /file */
	const char	*alias;		/* alias being expanded, or NULL */
	const char	*owner;		/* user whose .forward, or NULL */
	const char	*addr;		/* address being expanded (internal) */
	int		 as_user;	/* open files as uid/gid */
	uid_t		 uid;
	gid_t		 gid;
};

struct query {
	struct route_engine	*e;
	struct route_answer	*ans;
	struct set		 seen;
	size_t			 work;	/* items handled */
	size_t			 bytes;	/* bytes of files read */
	int			 full;	/* a cap was reached */
	int			 defer;	/* a temporary failure */
	struct buf		 why;	/* its reason */
};

/* A passwd entry, copied out of getpwnam()'s static storage. */
struct user {
	char		*name;
	char		*home;
	char		*shell;
	uid_t		 uid;
	gid_t		 gid;
};

static void	 resolve_addr(struct query *, const char *,
		    const struct origin *, int, int);

/*
 * Small helpers.
 */

/* is_ctl - a control character (never allowed in an answer field) */
static int
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* origin_of - the route_origin of an origin's EXP_* type */
static enum route_origin
origin_of(int type)
{
	switch (type) {
	case EXP_ALIAS:
		return ROUTE_FROM_ALIAS;
	case EXP_FORWARD:
		return ROUTE_FROM_FORWARD;
	case EXP_INCLUDE:
		return ROUTE_FROM_INCLUDE;
	default:
		return ROUTE_FROM_RECIPIENT;
	}
}

/* has_ctl - any control character in s[0..len)? */
static int
has_ctl(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (is_ctl((unsigned char)s[i]))
			return 1;
	return 0;
}

/* lower - ASCII lower case copy of s into out */
static void
lower(struct buf *out, const char *s, size_t len)
{
	buf_set(out, s, len);
	buf_lower(out);
}

/* dsn_valid - does s start with an RFC 3463 code of class 4 or 5? */
static int
dsn_valid(const char *s)
{
	size_t	 i = 1;

	if (s[0] != '4' && s[0] != '5')
		return 0;
	for (int part = 0; part < 2; part++) {
		size_t	 n = 0;

		if (s[i++] != '.')
			return 0;
		while (s[i] >= '0' && s[i] <= '9' && n < 3) {
			i++;
			n++;
		}
		if (n == 0)
			return 0;
	}
	return s[i] == '\0' || s[i] == ' ';
}

/* user_free - release a copied passwd entry */
static void
user_free(struct user *u)
{
	free(u->name);
	free(u->home);
	free(u->shell);
	memset(u, 0, sizeof(*u));
}

/* user_copy - copy what we need of a passwd entry */
static void
user_copy(struct user *u, const struct passwd *pw)
{
	u->name = xstrdup(pw->pw_name);
	u->home = xstrdup(pw->pw_dir != NULL ? pw->pw_dir : "");
	u->shell = xstrdup(pw->pw_shell != NULL ? pw->pw_shell : "");
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
}

/* pw_notfound - does errno after a failed getpw*() mean "no such user"? */
static int
pw_notfound(int e)
{
	return e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM;
}

/*
 * The set.
 */

/* set_hash - FNV-1a */
static uint64_t
set_hash(const char *s, size_t len)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* set_find - the slot of key, or the empty slot where it would go */
static struct set_slot *
set_find(struct set *s, const char *key, uint64_t h)
{
	size_t	 mask = s->nslots - 1;

	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		struct set_slot	*sl = &s->v[i];

		if (sl->key == NULL ||
		    (sl->hash == h && strcmp(sl->key, key) == 0))
			return sl;
	}
}

/* set_grow - double the slots */
static void
set_grow(struct set *s)
{
	struct set_slot	*old = s->v;
	size_t		 n = s->nslots;

	s->nslots = n ? n * 2 : SET_MIN_SLOTS;
	s->v = xcalloc(s->nslots, sizeof(*s->v));
	for (size_t i = 0; i < n; i++) {
		size_t	 mask = s->nslots - 1, j;

		if (old[i].key == NULL)
			continue;
		for (j = (size_t)old[i].hash & mask; s->v[j].key != NULL;
		    j = (j + 1) & mask)
			;
		s->v[j] = old[i];
	}
	free(old);
}

/* set_state - the state of key: 0 when absent; with create, add it as 0 */
static int *
set_state(struct set *s, const char *key, int create)
{
	uint64_t	 h = set_hash(key, strlen(key));
	struct set_slot	*sl;

	if (s->nslots == 0 || (create && (s->count + 1) * 2 > s->nslots)) {
		if (!create)
			return NULL;
		set_grow(s);
	}
	sl = set_find(s, key, h);
	if (sl->key == NULL) {
		if (!create)
			return NULL;
		sl->key = xstrdup(key);
		sl->hash = h;
		sl->state = 0;
		s->count++;
	}
	return &sl->state;
}

/* set_free - release every key */
static void
set_free(struct set *s)
{
	for (size_t i = 0; i < s->nslots; i++)
		free(s->v[i].key);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/*
 * Tables.
 */

/* tables_init - remember a list of tables; open it now if we can */
static void
tables_init(struct tables *t, const char *param, const char *specs)
{
	struct cfg_list	 l;

	memset(t, 0, sizeof(*t));
	t->param = param;
	t->specs = xstrdup(specs);
	cfg_split_list(specs, &l);
	t->empty = l.n == 0;
	cfg_list_free(&l);
	buf_init(&t->err);
}

/* tables_get - the open list, or NULL with the reason in err */
static struct map_list *
tables_get(struct tables *t, struct buf *err)
{
	time_t		 now;
	struct buf	 e = BUF_INIT;
	struct map_list	*l;

	if (t->list != NULL)
		return t->list;
	now = time(NULL);
	if (t->tried != 0 && now >= t->tried &&
	    now - t->tried < ROUTE_REOPEN_DELAY) {
		buf_set(err, t->err.s, t->err.len);
		return NULL;
	}
	t->tried = now;
	/* Postfix local(8): no $1 from a sender's address in alias_maps. */
	if ((l = map_list_open(t->specs, MAP_CONFIG |
	    (strcmp(t->param, "alias_maps") == 0 ? MAP_NO_REGSUB : 0),
	    &e)) == NULL) {
		if (e.len != t->err.len || memcmp(e.s, t->err.s, e.len) != 0)
			log_warnx("%s: %s", t->param, buf_cstr(&e));
		buf_set(&t->err, e.s, e.len);
		buf_set(err, e.s, e.len);
		buf_free(&e);
		return NULL;
	}
	if (t->err.len > 0)
		log_info("%s: tables open again", t->param);
	buf_reset(&t->err);
	buf_free(&e);
	t->list = l;
	return l;
}

/* tables_free - close the list */
static void
tables_free(struct tables *t)
{
	map_list_close(t->list);
	free(t->specs);
	buf_free(&t->err);
	memset(t, 0, sizeof(*t));
}

/* tables_find - map_find() on the list; an unopened list is an error */
static enum map_result
tables_find(struct tables *t, enum map_order order, const char *query,
    int flags, struct buf *value, struct buf *err)
{
	struct map_list	*l;

	if (t->empty)
		return MAP_NOTFOUND;
	if ((l = tables_get(t, err)) == NULL)
		return MAP_ERROR;
	return map_find(l, order, query, flags, value, NULL, err);
}

/* tables_lookup - one key, every table of the list */
static enum map_result
tables_lookup(struct tables *t, const char *key, struct buf *value,
    struct buf *err)
{
	struct map_list	*l;

	if (t->empty)
		return MAP_NOTFOUND;
	if ((l = tables_get(t, err)) == NULL)
		return MAP_ERROR;
	return map_list_lookup(l, key, value, err);
}

/*
 * Pure helpers (exported for tests).
 */

/* route_parse_transport - "transport:nexthop" into its two parts */
void
route_parse_transport(const char *value, struct buf *transport,
    struct buf *nexthop)
{
	const char	*colon = strchr(value, ':');
	size_t		 tlen = colon ? (size_t)(colon - value) : strlen(value);

	buf_set(transport, value, tlen);
	buf_trim(transport);
	buf_lower(transport);
	buf_sets(nexthop, colon ? colon + 1 : "");
	buf_trim(nexthop);
}

/* route_domain_norm - lower case, one trailing dot dropped; -1 if empty */
int
route_domain_norm(struct buf *d)
{
	buf_lower(d);
	if (d->len > 0 && d->s[d->len - 1] == '.')
		buf_truncate(d, d->len - 1);
	return d->len > 0 ? 0 : -1;
}

/* route_literal_ip - parse "[address]" (see route.h) */
int
route_literal_ip(const char *domain, int *af, unsigned char addr[16])
{
	size_t		 len = strlen(domain);
	char		 tmp[INET6_ADDRSTRLEN + 8];
	const char	*p;

	if (len < 3 || domain[0] != '[' || domain[len - 1] != ']' ||
	    len - 2 >= sizeof(tmp))
		return 0;
	memcpy(tmp, domain + 1, len - 2);
	tmp[len - 2] = '\0';
	if (strncasecmp(tmp, "ipv6:", 5) == 0) {
		p = tmp + 5;
		*af = AF_INET6;
		return inet_pton(AF_INET6, p, addr) == 1;
	}
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, tmp, addr) == 1) {
		*af = AF_INET;
		return 1;
	}
	/* Postfix also takes a bare IPv6 address between brackets. */
	if (inet_pton(AF_INET6, tmp, addr) == 1) {
		*af = AF_INET6;
		return 1;
	}
	return 0;
}

/*
 * Engine set-up.
 */

/* add_dest_name - one domain pattern of mydestination */
static void
add_dest_name(struct route_engine *e, const char *name, size_t len, int neg)
{
	struct buf	 b = BUF_INIT;
	struct dest	*d;

	lower(&b, name, len);
	if (route_domain_norm(&b) < 0) {
		buf_free(&b);
		return;
	}
	e->dest = xreallocarray(e->dest, e->ndest + 1, sizeof(*e->dest));
	d = &e->dest[e->ndest++];
	memset(d, 0, sizeof(*d));
	d->neg = neg;
	d->name = buf_release(&b);
}

/* add_dest_file - the names in a mydestination "/file/name" element */
static int
add_dest_file(struct route_engine *e, const char *path, int neg,
    struct buf *err)
{
	struct buf	 text = BUF_INIT;
	const char	*p, *end;

	if (file_read(path, &text, ROUTE_DEST_FILE_MAX) < 0) {
		buf_reset(err);
		buf_printf(err, "mydestination: cannot read %s: %s", path,
		    errno == EFBIG ? "file too large" : strerror(errno));
		buf_free(&text);
		return -1;
	}
	p = text.s;
	end = text.s + text.len;
	while (p < end) {
		const char	*nl = memchr(p, '\n', (size_t)(end - p));
		const char	*eol = nl ? nl : end, *w = p;

		while (w < eol) {
			const char	*s;

			while (w < eol && strchr(" \t\r,", *w) != NULL)
				w++;
			if (w == eol || *w == '#')
				break;
			for (s = w; w < eol && strchr(" \t\r,", *w) == NULL;
			    w++)
				;
			add_dest_name(e, s, (size_t)(w - s), neg);
		}
		p = nl ? nl + 1 : end;
	}
	buf_free(&text);
	return 0;
}

/* load_dest - mydestination: names, ".names", /files and tables */
static int
load_dest(struct route_engine *e, struct buf *err)
{
	struct cfg_list	 l;
	int		 rc = 0;

	cfg_get_list("mydestination", &l);
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		const char	*p = l.v[i];
		int		 neg = 0;
		struct dest	*d;

		while (*p == '!') {
			neg = !neg;
			p++;
		}
		if (*p == '/')
			rc = add_dest_file(e, p, neg, err);
		else if (*p != '[' && strchr(p, ':') != NULL) {
			e->dest = xreallocarray(e->dest, e->ndest + 1,
			    sizeof(*e->dest));
			d = &e->dest[e->ndest++];
			memset(d, 0, sizeof(*d));
			d->neg = neg;
			tables_init(&d->tab, "mydestination", p);
			(void)tables_get(&d->tab, err);
		} else if (*p != '\0')
			add_dest_name(e, p, strlen(p), neg);
	}
	cfg_list_free(&l);
	return rc;
}

/* load_allow - allow_mail_to_commands/files as EXP_* bits */
static int
load_allow(const char *param)
{
	struct cfg_list	 l;
	int		 bits = 0;

	cfg_get_list(param, &l);
	for (size_t i = 0; i < l.n; i++) {
		if (strcasecmp(l.v[i], "alias") == 0)
			bits |= EXP_ALIAS;
		else if (strcasecmp(l.v[i], "forward") == 0)
			bits |= EXP_FORWARD;
		else if (strcasecmp(l.v[i], "include") == 0)
			bits |= EXP_INCLUDE;
		else
			log_warnx("%s: unknown keyword \"%s\" ignored "
			    "(expected alias, forward or include)", param,
			    l.v[i]);
	}
	cfg_list_free(&l);
	return bits;
}

/* load_groups - our supplementary groups, restored after reading as a user */
static int
load_groups(struct route_engine *e, struct buf *err)
{
	int	 n;

	e->root = geteuid() == 0;
	e->egid = getegid();
	if (!e->root)
		return 0;
	if ((n = getgroups(0, NULL)) < 0) {
		buf_printf(err, "getgroups: %s", strerror(errno));
		return -1;
	}
	e->groups = xreallocarray(NULL, (size_t)n + 1, sizeof(*e->groups));
	if ((n = getgroups(n, e->groups)) < 0) {
		buf_printf(err, "getgroups: %s", strerror(errno));
		return -1;
	}
	e->ngroups = n;
	return 0;
}

/* route_open - snapshot the configuration and open the tables */
struct route_engine *
route_open(struct buf *err)
{
	struct route_engine	*e = xcalloc(1, sizeof(*e));
	struct buf		 b = BUF_INIT;

	buf_reset(err);
	lower(&b, cfg_get("myorigin"), strlen(cfg_get("myorigin")));
	if (route_domain_norm(&b) < 0) {
		buf_printf(err, "myorigin is empty");
		buf_free(&b);
		route_close(e);
		return NULL;
	}
	e->myorigin = buf_release(&b);
	e->append_at_myorigin = cfg_get_bool("append_at_myorigin");
	e->delim = xstrdup(cfg_get("recipient_delimiter"));
	e->default_privs = xstrdup(cfg_get("default_privs"));
	if (*e->default_privs == '\0' || has_ctl(e->default_privs,
	    strlen(e->default_privs))) {
		buf_printf(err, "default_privs: bad user name \"%s\"",
		    e->default_privs);
		route_close(e);
		return NULL;
	}
	e->relayhost = xstrdup(cfg_get("relayhost"));
	e->forward_path = xstrdup(cfg_get("forward_path"));
	route_parse_transport(cfg_get("local_transport"), &e->local_tr,
	    &e->local_nh);
	route_parse_transport(cfg_get("default_transport"), &e->default_tr,
	    &e->default_nh);
	if (e->local_tr.len == 0 || e->default_tr.len == 0) {
		buf_printf(err, "%s: no transport name",
		    e->local_tr.len == 0 ? "local_transport" :
		    "default_transport");
		route_close(e);
		return NULL;
	}
	e->allow_cmd = load_allow("allow_mail_to_commands");
	e->allow_file = load_allow("allow_mail_to_files");

	/*
	 * Tables: opened now; one that cannot be opened is retried on use.
	 */
	tables_init(&e->transport, "transport_maps", cfg_get("transport_maps"));
	tables_init(&e->aliases, "alias_maps", cfg_get("alias_maps"));
	tables_init(&e->recipients, "local_recipient_maps",
	    cfg_get("local_recipient_maps"));
	(void)tables_get(&e->transport, err);
	(void)tables_get(&e->aliases, err);
	(void)tables_get(&e->recipients, err);
	buf_reset(err);
	if (load_dest(e, err) < 0 || load_groups(e, err) < 0) {
		route_close(e);
		return NULL;
	}
	buf_reset(err);
	return e;
}

/* route_close - close every table and free the engine */
void
route_close(struct route_engine *e)
{
	if (e == NULL)
		return;
	free(e->myorigin);
	free(e->delim);
	free(e->default_privs);
	free(e->relayhost);
	free(e->forward_path);
	buf_free(&e->local_tr);
	buf_free(&e->local_nh);
	buf_free(&e->default_tr);
	buf_free(&e->default_nh);
	for (size_t i = 0; i < e->ndest; i++) {
		if (e->dest[i].name == NULL)
			tables_free(&e->dest[i].tab);
		free(e->dest[i].name);
	}
	free(e->dest);
	domain_hosts_free(e->hosts);
	if (e->transport.specs != NULL)
		tables_free(&e->transport);
	if (e->aliases.specs != NULL)
		tables_free(&e->aliases);
	if (e->recipients.specs != NULL)
		tables_free(&e->recipients);
	free(e->groups);
	free(e);
}

/*
 * Answers.
 */

/* route_answer_init - an empty answer */
void
route_answer_init(struct route_answer *a)
{
	a->v = NULL;
	a->n = a->cap = 0;
}

/* route_answer_reset - drop the deliveries, keep the storage */
static void
route_answer_reset(struct route_answer *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].nexthop);
		free(a->v[i].recipient);
	}
	a->n = 0;
}

/* route_answer_free - release the deliveries */
void
route_answer_free(struct route_answer *a)
{
	route_answer_reset(a);
	free(a->v);
	route_answer_init(a);
}

/* route_kind_name - the TRANSPORT column for a kind */
const char *
route_kind_name(enum route_kind k)
{
	switch (k) {
	case ROUTE_LOCAL:
		return "local";
	case ROUTE_SMTP:
		return "smtp";
	case ROUTE_PIPE:
		return "pipe";
	case ROUTE_FILE:
	case ROUTE_MAILDIR:
		return "file";
	case ROUTE_ERROR:
		return "error";
	case ROUTE_DISCARD:
		return "discard";
	case ROUTE_DEFER:
		return "defer";
	}
	return "defer";
}

/* The words of the typed protocol, by kind and by origin (route.h). */
static const char *const kind_words[] = {
	[ROUTE_LOCAL] = "mailbox",
	[ROUTE_SMTP] = "smtp",
	[ROUTE_PIPE] = "command",
	[ROUTE_FILE] = "file",
	[ROUTE_ERROR] = "error",
	[ROUTE_DISCARD] = "discard",
	[ROUTE_DEFER] = "defer",
	[ROUTE_MAILDIR] = "maildir",
};
static const char *const origin_words[] = {
	[ROUTE_FROM_RECIPIENT] = "recipient",
	[ROUTE_FROM_ALIAS] = "alias",
	[ROUTE_FROM_FORWARD] = "forward",
	[ROUTE_FROM_INCLUDE] = "include",
};
#define NWORDS(a)	(sizeof(a) / sizeof((a)[0]))

/* route_kind_word - the KIND field of the typed protocol */
const char *
route_kind_word(enum route_kind k)
{
	return (size_t)k < NWORDS(kind_words) ? kind_words[k] : "defer";
}

/* route_kind_parse - a KIND word back into a kind; 0 or -1 */
int
route_kind_parse(const char *word, enum route_kind *k)
{
	for (size_t i = 0; i < NWORDS(kind_words); i++)
		if (strcmp(word, kind_words[i]) == 0) {
			*k = (enum route_kind)i;
			return 0;
		}
	return -1;
}

/* route_origin_name - the ORIGIN field of the typed protocol */
const char *
route_origin_name(enum route_origin o)
{
	return (size_t)o < NWORDS(origin_words) ? origin_words[o] :
	    "recipient";
}

/* route_origin_parse - an ORIGIN word back into an origin; 0 or -1 */
int
route_origin_parse(const char *word, enum route_origin *o)
{
	for (size_t i = 0; i < NWORDS(origin_words); i++)
		if (strcmp(word, origin_words[i]) == 0) {
			*o = (enum route_origin)i;
			return 0;
		}
	return -1;
}

/* add_field - append s with control characters as '?', at most max bytes */
static void
add_field(struct buf *out, const char *s, size_t len, size_t max)
{
	if (len > max)
		len = max;
	if (len == 0) {
		buf_addc(out, '-');
		return;
	}
	for (size_t i = 0; i < len; i++)
		buf_addc(out, is_ctl((unsigned char)s[i]) ? '?' : s[i]);
}

/* route_format - one answer line, user-facing form (see route.h) */
void
route_format(struct buf *out, const char *query, size_t qlen,
    const struct route_result *r)
{
	add_field(out, query, qlen, ROUTE_QUERY_MAX);
	buf_addc(out, '\t');
	buf_adds(out, route_kind_name(r->kind));
	buf_addc(out, '\t');
	add_field(out, r->nexthop, strlen(r->nexthop), ROUTE_TEXT_MAX);
	buf_addc(out, '\t');
	if (r->kind == ROUTE_PIPE)
		buf_addc(out, '|');
	add_field(out, r->recipient, strlen(r->recipient), ROUTE_ITEM_MAX);
	buf_addc(out, '\n');
}

/* route_format_typed - one answer line of the typed protocol (route.h) */
void
route_format_typed(struct buf *out, const char *query, size_t qlen,
    const struct route_result *r)
{
	add_field(out, query, qlen, ROUTE_QUERY_MAX);
	buf_addc(out, '\t');
	buf_adds(out, route_kind_word(r->kind));
	buf_addc(out, '\t');
	add_field(out, r->nexthop, strlen(r->nexthop), ROUTE_TEXT_MAX);
	buf_addc(out, '\t');
	add_field(out, r->recipient, strlen(r->recipient), ROUTE_ITEM_MAX);
	buf_addc(out, '\t');
	buf_adds(out, route_origin_name(r->origin));
	buf_addc(out, '\n');
}

/* field_word - a KIND or ORIGIN field as a string into w; 0 or -1 */
static int
field_word(char *w, size_t wsize, const char *s, size_t len)
{
	if (len >= wsize)
		return -1;
	memcpy(w, s, len);
	w[len] = '\0';
	return 0;
}

/*
 * route_parse_typed - one line of the typed protocol, without its
 * newline, back into r (route.h); 0, or -1 when it is not one
 */
int
route_parse_typed(const char *line, size_t len, struct buf *query,
    struct route_result *r)
{
	const char	*f[5], *p = line, *end = line + len, *tab;
	size_t		 flen[5];
	char		 kind[16], origin[16];
	enum route_kind	 k;
	enum route_origin o;

	if (line == NULL || memchr(line, '\0', len) != NULL)
		return -1;
	for (int i = 0; i < 5; i++) {
		if (p == NULL)
			return -1;		/* a field missing */
		tab = memchr(p, '\t', (size_t)(end - p));
		f[i] = p;
		flen[i] = (size_t)((tab != NULL ? tab : end) - p);
		p = tab != NULL ? tab + 1 : NULL;
	}
	if (p != NULL || field_word(kind, sizeof(kind), f[1], flen[1]) < 0 ||
	    field_word(origin, sizeof(origin), f[4], flen[4]) < 0 ||
	    route_kind_parse(kind, &k) < 0 ||
	    route_origin_parse(origin, &o) < 0)
		return -1;		/* a field too many, or a bad word */
	r->kind = k;
	r->origin = o;
	r->nexthop = xstrndup(f[2], flen[2]);
	r->recipient = xstrndup(f[3], flen[3]);
	if (query != NULL)
		buf_set(query, f[0], flen[0]);
	return 0;
}

/*
 * One query: answers and failures.
 */

/* add_result - append a delivery to the answer */
static void
add_result(struct route_answer *a, enum route_kind kind,
    enum route_origin origin, const char *nexthop, const char *recipient)
{
	struct route_result	*r;

	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 4;
		a->v = xreallocarray(a->v, a->cap, sizeof(*a->v));
	}
	r = &a->v[a->n++];
	r->kind = kind;
	r->origin = origin;
	r->nexthop = xstrdup(*nexthop != '\0' ? nexthop : "-");
	r->recipient = xstrdup(*recipient != '\0' ? recipient : "-");
}

/* external - the external (quoted) form of an internal-form address */
static void
external(struct buf *out, const char *addr)
{
	if (addr_quote(addr, out) < 0)
		buf_sets(out, addr);
}

/* printable - s with control characters as '?', cut at max bytes */
static void
printable(struct buf *out, const char *s, size_t len, size_t max)
{
	buf_reset(out);
	for (size_t i = 0; i < len && i < max; i++)
		buf_addc(out, is_ctl((unsigned char)s[i]) ? '?' : s[i]);
}

/* emit - answer one delivery, once */
static void
emit(struct query *q, enum route_kind kind, enum route_origin origin,
    const char *nexthop, const char *recipient)
{
	struct buf	 key = BUF_INIT, nh = BUF_INIT, rc = BUF_INIT;
	int		*st;

	if (q->defer || q->full)
		return;
	printable(&nh, nexthop, strlen(nexthop), ROUTE_QUERY_MAX);
	printable(&rc, recipient, strlen(recipient), ROUTE_QUERY_MAX);
	buf_printf(&key, "O\t%d\t%s\t%s", (int)kind, buf_cstr(&nh),
	    buf_cstr(&rc));
	st = set_state(&q->seen, buf_cstr(&key), 1);
	if (*st != SEEN_OUT) {
		if (q->ans->n >= ROUTE_RESULTS_MAX)
			q->full = 1;
		else {
			*st = SEEN_OUT;
			add_result(q->ans, kind, origin, buf_cstr(&nh),
			    buf_cstr(&rc));
		}
	}
	buf_free(&key);
	buf_free(&nh);
	buf_free(&rc);
}

/* fail_perm - answer an error delivery for addr (internal form) */
static void __attribute__((format(printf, 3, 4)))
fail_perm(struct query *q, const char *addr, const char *fmt, ...)
{
	struct buf	 text = BUF_INIT, ext = BUF_INIT;
	va_list		 ap;

	va_start(ap, fmt);
	buf_vprintf(&text, fmt, ap);
	va_end(ap);
	buf_truncate(&text, ROUTE_TEXT_MAX);
	external(&ext, addr);
	emit(q, ROUTE_ERROR, ROUTE_FROM_RECIPIENT, buf_cstr(&text),
	    buf_cstr(&ext));
	buf_free(&text);
	buf_free(&ext);
}

/* fail_temp - stop: the answer becomes one defer (first reason wins) */
static void __attribute__((format(printf, 2, 3)))
fail_temp(struct query *q, const char *fmt, ...)
{
	va_list	 ap;

	if (q->defer)
		return;
	q->defer = 1;
	buf_reset(&q->why);
	va_start(ap, fmt);
	buf_vprintf(&q->why, fmt, ap);
	va_end(ap);
	buf_truncate(&q->why, ROUTE_TEXT_MAX);
}

/* stopped - has a failure or a cap ended the query? */
static int
stopped(const struct query *q)
{
	return q->defer || q->full;
}

/* seen_set - set the state of a key in the query's table */
static void
seen_set(struct query *q, const char *key, int state)
{
	*set_state(&q->seen, key, 1) = state;
}

/* seen_get - the state of a key, 0 when unseen */
static int
seen_get(struct query *q, const char *key)
{
	int	*st = set_state(&q->seen, key, 0);

	return st != NULL ? *st : 0;
}

/*
 * Files read on behalf of users.
 */

/* restore_ids - back to our own identity after open_as() */
static void
restore_ids(struct route_engine *e)
{
	if (seteuid(0) < 0 || setegid(e->egid) < 0 ||
	    setgroups((size_t)e->ngroups, e->groups) < 0)
		die_temp("4.3.0 cannot restore privileges: %s",
		    strerror(errno));
}

/*
 * open_as - open path for reading, with the effective identity uid/gid
 * when as_user is set and we run as root, so a user cannot make us read
 * what he could not read himself.  Never blocks (a FIFO opens at once
 * and is refused by the caller's S_ISREG check).  -1 and errno on error.
 */
static int
open_as(struct route_engine *e, const char *path, int as_user, uid_t uid,
    gid_t gid)
{
	const int	 flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	int		 fd, saved;

	if (!as_user || !e->root || uid == 0)
		return open(path, flags);
	if (setgroups(1, &gid) < 0 || setegid(gid) < 0 || seteuid(uid) < 0) {
		saved = errno;
		restore_ids(e);
		errno = saved;
		return -1;
	}
	fd = open(path, flags);
	saved = errno;
	restore_ids(e);
	errno = saved;
	return fd;
}

/* open_missing - does an open() errno mean "not there / not for us"? */
static int
open_missing(int e)
{
	return e == ENOENT || e == ENOTDIR || e == EACCES || e == ELOOP ||
	    e == ENAMETOOLONG;
}

/*
 * collect_lines - the items of a .forward or :include: file: items
 * separated by commas or newlines, "#" comment lines, blank lines.
 * Returns 0, or -1 with a reason in err.
 */
static int
collect_lines(const char *text, size_t len, struct alias_items *items,
    struct buf *err)
{
	size_t	 start = 0, lineno = 0;

	while (start < len) {
		const char	*p = text + start;
		const char	*nl = memchr(p, '\n', len - start);
		size_t		 n = nl ? (size_t)(nl - p) : len - start, i = 0;
		struct buf	 e = BUF_INIT;

		start += n + (nl != NULL);
		lineno++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i == n || p[i] == '#')
			continue;
		if (memchr(p, '\0', n) != NULL) {
			buf_reset(err);
			buf_printf(err, "line %zu: NUL byte", lineno);
			return -1;
		}
		if (alias_split(p, n, items, &e) < 0) {
			buf_reset(err);
			buf_printf(err, "line %zu: %s", lineno, buf_cstr(&e));
			buf_free(&e);
			return -1;
		}
		buf_free(&e);
	}
	return 0;
}

/*
 * read_items - read an open file into items.  Returns 0, or -1 after
 * fail_temp() (a read error, a file too large, bad syntax) or when the
 * query has read ROUTE_READ_MAX bytes of files (q->full).
 */
static int
read_items(struct query *q, int fd, const char *path,
    struct alias_items *items)
{
	struct buf	 text = BUF_INIT, err = BUF_INIT;
	int		 rc = 0;

	if (q->bytes >= ROUTE_READ_MAX) {
		q->full = 1;
		rc = -1;
	} else if (fd_read_file(fd, &text, ROUTE_FILE_MAX) < 0) {
		int	 e = errno;

		if (e == EFBIG)
			buf_printf(&err, "%s is larger than %d bytes", path,
			    ROUTE_FILE_MAX);
		else
			buf_printf(&err, "cannot read %s: %s", path,
			    strerror(e));
		log_warnx("%s", buf_cstr(&err));
		fail_temp(q, "%s %s", e == EFBIG ? "4.3.5" : "4.3.0",
		    buf_cstr(&err));
		rc = -1;
	} else if ((q->bytes += text.len) > ROUTE_READ_MAX) {
		q->full = 1;
		rc = -1;
	} else if (collect_lines(text.s != NULL ? text.s : "", text.len, items,
	    &err) < 0) {
		log_warnx("%s: %s", path, buf_cstr(&err));
		fail_temp(q, "4.3.5 %s: %s", path, buf_cstr(&err));
		rc = -1;
	}
	buf_free(&text);
	buf_free(&err);
	return rc;
}

/*
 * Expansion: aliases, :include: files, .forward files.
 */

/* handle_item - one item of an alias, .forward or :include: file */
static void
handle_item(struct query *q, const struct alias_item *it,
    const struct origin *o, int depth);

/* handle_items - every item, until the query stops */
static void
handle_items(struct query *q, const struct alias_items *items,
    const struct origin *o, int depth)
{
	for (size_t i = 0; i < items->n && !stopped(q); i++)
		handle_item(q, &items->v[i], o, depth);
}

/* expand_include - the items of a :include: file */
static void
expand_include(struct query *q, const char *path, const struct origin *from,
    int depth)
{
	struct route_engine	*e = q->e;
	struct alias_items	 items;
	struct origin		 o = *from;
	struct buf		 key = BUF_INIT;
	struct user		 owner = { NULL, NULL, NULL, 0, 0 };
	struct stat		 st;
	int			 fd;

	/*
	 * Sanity checks.
	 */
	if (*path != '/' || strlen(path) > ROUTE_ITEM_MAX ||
	    has_ctl(path, strlen(path))) {
		fail_perm(q, from->addr, "5.3.5 bad :include: file name "
		    "\"%.64s\"", path);
		return;
	}
	if ((fd = open_as(e, path, from->as_user, from->uid,
	    from->gid)) < 0) {
		int	 err = errno;

		if (open_missing(err))
			fail_perm(q, from->addr, "5.3.5 cannot open include "
			    "file %s: %s", path, strerror(err));
		else
			fail_temp(q, "4.3.0 cannot open include file %s: %s",
			    path, strerror(err));
		return;
	}
	if (fstat(fd, &st) < 0) {
		fail_temp(q, "4.3.0 cannot stat include file %s: %s", path,
		    strerror(errno));
		close(fd);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		fail_perm(q, from->addr, "5.3.5 include file %s is not a "
		    "regular file", path);
		close(fd);
		return;
	}
	if (st.st_mode & S_IWOTH) {
		fail_perm(q, from->addr, "5.7.1 include file %s is "
		    "world-writable", path);
		close(fd);
		return;
	}

	/*
	 * A file owned by a user runs its commands and writes its files
	 * with that user's rights, as Postfix; root's file keeps ours.
	 */
	if (st.st_uid != 0) {
		struct passwd	*pw;

		errno = 0;
		if ((pw = getpwuid(st.st_uid)) == NULL) {
			fail_temp(q, "4.3.0 cannot find the owner (uid %ld) of "
			    "include file %s", (long)st.st_uid, path);
			close(fd);
			return;
		}
		user_copy(&owner, pw);
		o.privs = owner.name;
		o.as_user = 1;
		o.uid = owner.uid;
		o.gid = owner.gid;
	}
	o.type = EXP_INCLUDE;

	/*
	 * Loops: this file, read with these rights, is being expanded.
	 */
	buf_printf(&key, "I\t%s\t%s", path, o.privs);
	switch (seen_get(q, buf_cstr(&key))) {
	case SEEN_ACTIVE:
		fail_perm(q, from->addr, "5.4.6 alias database loop for "
		    ":include:%s", path);
		goto out;
	case SEEN_DONE:
		goto out;
	default:
		break;
	}
	alias_items_init(&items);
	if (read_items(q, fd, path, &items) == 0) {
		seen_set(q, buf_cstr(&key), SEEN_ACTIVE);
		handle_items(q, &items, &o, depth);
		seen_set(q, buf_cstr(&key), SEEN_DONE);
	}
	alias_items_free(&items);
out:
	close(fd);
	buf_free(&key);
	user_free(&owner);
}

/*
 * expand_alias - expand name when alias_maps knows it.  Returns 0 when
 * it does not (or when name is the alias being expanded: "root: root"),
 * else 1 (expanded, or failed).
 */
static int
expand_alias(struct query *q, const char *name, const char *full,
    const struct origin *from, int depth)
{
	struct route_engine	*e = q->e;
	struct buf		 value = BUF_INIT, err = BUF_INIT;
	struct buf		 key = BUF_INIT;
	struct alias_items	 items;
	struct origin		 o;
	enum map_result		 r;

	if (from->alias != NULL && strcmp(from->alias, name) == 0)
		return 0;
	r = tables_lookup(&e->aliases, name, &value, &err);
	if (r == MAP_NOTFOUND) {
		buf_free(&value);
		buf_free(&err);
		return 0;
	}
	if (r == MAP_ERROR) {
		log_warnx("alias_maps: lookup of \"%s\": %s", name,
		    buf_cstr(&err));
		fail_temp(q, "4.3.0 alias database unavailable");
		goto out;
	}
	buf_printf(&key, "A\t%s", name);
	switch (seen_get(q, buf_cstr(&key))) {
	case SEEN_ACTIVE:
		fail_perm(q, full, "5.4.6 alias database loop for %s", name);
		goto out;
	case SEEN_DONE:
		goto out;
	default:
		break;
	}
	o.type = EXP_ALIAS;
	o.privs = e->default_privs;
	o.alias = name;
	o.owner = NULL;
	o.addr = full;
	o.as_user = 0;
	o.uid = 0;
	o.gid = 0;
	alias_items_init(&items);
	if (alias_split(value.s, value.len, &items, &err) < 0) {
		log_warnx("alias_maps: alias \"%s\": %s", name,
		    buf_cstr(&err));
		fail_temp(q, "4.3.5 alias %s: %s", name, buf_cstr(&err));
	} else if (items.n == 0) {
		log_warnx("no recipient in alias lookup result for %s", name);
		fail_temp(q, "4.3.0 alias database unavailable");
	} else {
		seen_set(q, buf_cstr(&key), SEEN_ACTIVE);
		handle_items(q, &items, &o, depth);
		seen_set(q, buf_cstr(&key), SEEN_DONE);
	}
	alias_items_free(&items);
out:
	buf_free(&value);
	buf_free(&err);
	buf_free(&key);
	return 1;
}

/* The $name values of forward_path. */
struct fwd_vars {
	const char	*name[8];
	const char	*value[8];
	struct buf	 safe[8];	/* value through FWD_FILTER */
	size_t		 n;
	int		 undef;		/* a name had no value */
};

/* fwd_lookup - cfg_expand() callback for forward_path */
static const char *
fwd_lookup(const char *name, void *arg)
{
	struct fwd_vars	*v = arg;

	for (size_t i = 0; i < v->n; i++) {
		struct buf	*b = &v->safe[i];

		if (strcmp(name, v->name[i]) != 0)
			continue;
		if (v->value[i] == NULL || *v->value[i] == '\0')
			break;
		buf_sets(b, v->value[i]);
		for (size_t j = 0; j < b->len; j++)
			if (strchr(FWD_FILTER, b->s[j]) == NULL)
				b->s[j] = '_';
		return b->s;
	}
	v->undef = 1;
	return NULL;
}

/* fwd_add - one forward_path variable */
static void
fwd_add(struct fwd_vars *v, const char *name, const char *value)
{
	v->name[v->n] = name;
	v->value[v->n] = value;
	buf_init(&v->safe[v->n]);
	v->n++;
}

/*
 * open_forward - the first forward_path file the user has, opened, in
 * *fdp (-1: none).  A file that is not a regular file, not owned by the
 * user or root, or writable by group or others, is ignored with a
 * warning.  Returns 0, or -1 after fail_temp().
 */
static int
open_forward(struct query *q, const struct user *pw, const char *local,
    const char *ext, int delim, const char *domain, const char *full,
    int *fdp, struct buf *path)
{
	struct route_engine	*e = q->e;
	struct fwd_vars		 v;
	struct cfg_list		 l;
	char			 dstr[2] = { (char)delim, '\0' };
	int			 rc = 0;

	*fdp = -1;
	memset(&v, 0, sizeof(v));
	fwd_add(&v, "user", pw->name);
	fwd_add(&v, "home", pw->home);
	fwd_add(&v, "shell", pw->shell);
	fwd_add(&v, "extension", ext);
	fwd_add(&v, "recipient_delimiter", *ext != '\0' ? dstr : NULL);
	fwd_add(&v, "domain", domain);
	fwd_add(&v, "local", local);
	fwd_add(&v, "recipient", full);
	cfg_split_list(e->forward_path, &l);
	for (size_t i = 0; i < l.n && *fdp < 0 && rc == 0; i++) {
		struct buf	 err = BUF_INIT;
		struct stat	 st;
		int		 fd;

		buf_reset(path);
		v.undef = 0;
		if (cfg_expand(l.v[i], fwd_lookup, &v, path, &err) < 0) {
			log_warnx("forward_path: %s", buf_cstr(&err));
			buf_free(&err);
			continue;
		}
		buf_free(&err);
		if (v.undef || path->len == 0 || path->s[0] != '/')
			continue;
		if ((fd = open_as(e, path->s, 1, pw->uid, pw->gid)) < 0) {
			int	 oe = errno;

			if (!open_missing(oe)) {
				log_warnx("cannot open %s: %s", path->s,
				    strerror(oe));
				fail_temp(q, "4.3.0 cannot open %s: %s",
				    path->s, strerror(oe));
				rc = -1;
			} else if (oe != ENOENT && oe != ENOTDIR)
				log_warnx("%s: %s: ignored", path->s,
				    strerror(oe));
			continue;
		}
		if (fstat(fd, &st) < 0) {
			fail_temp(q, "4.3.0 cannot stat %s: %s", path->s,
			    strerror(errno));
			close(fd);
			rc = -1;
		} else if (!S_ISREG(st.st_mode)) {
			log_warnx("%s: not a regular file: ignored", path->s);
			close(fd);
		} else if (st.st_uid != pw->uid && st.st_uid != 0) {
			log_warnx("%s: owned by uid %ld, not by %s or root: "
			    "ignored", path->s, (long)st.st_uid, pw->name);
			close(fd);
		} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
			log_warnx("%s: writable by group or others: ignored",
			    path->s);
			close(fd);
		} else
			*fdp = fd;
	}
	cfg_list_free(&l);
	for (size_t i = 0; i < v.n; i++)
		buf_free(&v.safe[i]);
	return rc;
}

/*
 * expand_forward - expand the user's .forward.  Returns 0 when there is
 * none (or it lists no one), else 1 (expanded, or failed).
 */
static int
expand_forward(struct query *q, const struct user *pw, const char *local,
    const char *ext, int delim, const char *domain, const char *full,
    int depth)
{
	struct buf		 key = BUF_INIT, path = BUF_INIT;
	struct alias_items	 items;
	struct origin		 o;
	int			 fd, rc = 1;

	buf_printf(&key, "F\t%s", pw->name);
	switch (seen_get(q, buf_cstr(&key))) {
	case SEEN_ACTIVE:
		fail_perm(q, full, "5.4.6 mail forwarding loop for %s",
		    pw->name);
		goto out;
	case SEEN_DONE:
		goto out;
	default:
		break;
	}
	if (open_forward(q, pw, local, ext, delim, domain, full, &fd,
	    &path) < 0)
		goto out;
	if (fd < 0) {
		rc = 0;
		goto out;
	}
	alias_items_init(&items);
	if (read_items(q, fd, path.s, &items) == 0) {
		if (items.n == 0)
			rc = 0;		/* an empty .forward: the mailbox */
		else {
			o.type = EXP_FORWARD;
			o.privs = pw->name;
			o.alias = NULL;
			o.owner = pw->name;
			o.addr = full;
			o.as_user = 1;
			o.uid = pw->uid;
			o.gid = pw->gid;
			seen_set(q, buf_cstr(&key), SEEN_ACTIVE);
			handle_items(q, &items, &o, depth);
			seen_set(q, buf_cstr(&key), SEEN_DONE);
		}
	}
	alias_items_free(&items);
	close(fd);
out:
	buf_free(&key);
	buf_free(&path);
	return rc;
}

/* handle_item - one item of an alias, .forward or :include: file */
static void
handle_item(struct query *q, const struct alias_item *it,
    const struct origin *o, int depth)
{
	struct route_engine	*e = q->e;
	const char		*t = it->text;
	size_t			 len = strlen(t);
	struct buf		 b = BUF_INIT;
	int			 noexpand = 0;

	if (++q->work > ROUTE_WORK_MAX) {
		q->full = 1;
		return;
	}
	switch (it->kind) {
	case ALIAS_ADDRESS:
		/* "\user": this user's mailbox, no alias or .forward. */
		if (*t == '\\') {
			noexpand = 1;
			t++;
			len--;
		}
		if (len == 0 || len > ADDR_MAX || has_ctl(t, len) ||
		    addr_unquote(t, &b) < 0 || b.len == 0)
			fail_perm(q, o->addr, "5.1.3 bad address syntax "
			    "\"%.64s\"", t);
		else
			resolve_addr(q, b.s, o, depth + 1, noexpand);
		break;
	case ALIAS_COMMAND:
		if (!(e->allow_cmd & o->type))
			fail_perm(q, o->addr, "5.7.1 mail to command is "
			    "restricted");
		else if (len == 0 || len > ROUTE_ITEM_MAX || has_ctl(t, len))
			fail_perm(q, o->addr, "5.3.5 bad command \"%.64s\"",
			    t);
		else
			emit(q, ROUTE_PIPE, origin_of(o->type), o->privs, t);
		break;
	case ALIAS_FILE:
		if (!(e->allow_file & o->type))
			fail_perm(q, o->addr, "5.7.1 mail to file is "
			    "restricted");
		else if (len > ROUTE_ITEM_MAX || has_ctl(t, len))
			fail_perm(q, o->addr, "5.3.5 bad file name \"%.64s\"",
			    t);
		else	/* aliases(5): "/file/name/" is a Maildir */
			emit(q, t[len - 1] == '/' ? ROUTE_MAILDIR : ROUTE_FILE,
			    origin_of(o->type), o->privs, t);
		break;
	case ALIAS_INCLUDE:
		if (depth >= ROUTE_DEPTH_MAX)
			fail_perm(q, o->addr, "5.4.6 alias database loop for "
			    "%s: expansion nested more than %d deep", o->addr,
			    ROUTE_DEPTH_MAX);
		else
			expand_include(q, t, o, depth + 1);
		break;
	}
	buf_free(&b);
}

/*
 * Local delivery: aliases, .forward, mailbox (local(8)'s order).
 */

/* find_user - passwd entry of name: 1 found, 0 not, -1 after fail_temp() */
static int
find_user(struct query *q, const char *name, struct user *u)
{
	struct passwd	*pw;

	errno = 0;
	if ((pw = getpwnam(name)) == NULL) {
		if (pw_notfound(errno))
			return 0;
		log_warn("getpwnam %s", name);
		fail_temp(q, "4.3.0 user lookup error");
		return -1;
	}
	user_copy(u, pw);
	return 1;
}

/* mailbox - the user's mailbox, if the user is one we know */
static void
mailbox(struct query *q, const char *lc, const char *user, const char *ext,
    const char *domain, const char *full, int known, enum route_origin from)
{
	struct route_engine	*e = q->e;
	struct buf		 key = BUF_INIT, v = BUF_INIT, err = BUF_INIT;
	struct buf		 ext_full = BUF_INIT;
	enum map_result		 r = MAP_FOUND;

	/*
	 * The name becomes a file name in the spool, and is only ever a
	 * mailbox name: never a command, a path or an option.
	 */
	if (!addr_mailbox_name_ok(user, strlen(user)) ||
	    !addr_mailbox_name_ok(lc, strlen(lc))) {
		fail_perm(q, full, "5.1.3 bad address syntax: \"%.64s\" cannot "
		    "be a mailbox name", lc);
		return;
	}
	if (!known && !e->recipients.empty) {
		buf_printf(&key, "%s%s%s", lc, *domain ? "@" : "", domain);
		r = tables_find(&e->recipients, MAP_ORDER_ALIAS, key.s,
		    MAP_LOCAL, &v, &err);
		if (r == MAP_NOTFOUND && *ext != '\0') {
			buf_reset(&key);
			buf_printf(&key, "%s%s%s", user, *domain ? "@" : "",
			    domain);
			r = tables_find(&e->recipients, MAP_ORDER_ALIAS, key.s,
			    MAP_LOCAL, &v, &err);
		}
	}
	switch (r) {
	case MAP_FOUND:
		emit(q, ROUTE_LOCAL, from, "-", user);
		break;
	case MAP_NOTFOUND:
		external(&ext_full, full);
		fail_perm(q, full, "5.1.1 <%s>: User unknown in local "
		    "recipient table", ext_full.s);
		break;
	case MAP_ERROR:
		log_warnx("local_recipient_maps: lookup of \"%s\": %s", key.s,
		    buf_cstr(&err));
		fail_temp(q, "4.3.0 local_recipient_maps lookup failure");
		break;
	}
	buf_free(&key);
	buf_free(&v);
	buf_free(&err);
	buf_free(&ext_full);
}

/* resolve_local - a local address: local part and domain separated */
static void
resolve_local(struct query *q, const char *local, const char *domain,
    const char *full, const struct origin *from, int depth, int noexpand)
{
	struct route_engine	*e = q->e;
	struct buf		 lc = BUF_INIT, user = BUF_INIT, ext = BUF_INIT;
	struct user		 pw = { NULL, NULL, NULL, 0, 0 };
	int			 delim, known;

	lower(&lc, local, strlen(local));
	delim = addr_split_extension(lc.s, e->delim, &user, &ext);
	if (delim != 0 && strchr(ext.s, '/') != NULL) {
		/* As local(8): a "/" in the extension is dropped with it. */
		log_warnx("%s: address with illegal extension", full);
		buf_set(&lc, user.s, user.len);
		buf_reset(&ext);
		delim = 0;
	}
	if (!noexpand) {
		if (expand_alias(q, lc.s, full, from, depth) != 0)
			goto out;
		if (delim != 0 &&
		    expand_alias(q, user.s, full, from, depth) != 0)
			goto out;
	}
	if ((known = find_user(q, user.s, &pw)) < 0)
		goto out;

	/* A user named in his own .forward gets the mailbox. */
	if (known && !noexpand &&
	    (from->owner == NULL || strcmp(from->owner, user.s) != 0) &&
	    expand_forward(q, &pw, lc.s, buf_cstr(&ext), delim, domain, full,
	    depth) != 0)
		goto out;
	if (!stopped(q))
		mailbox(q, lc.s, user.s, buf_cstr(&ext), domain, full, known,
		    origin_of(from->type));
out:
	user_free(&pw);
	buf_free(&lc);
	buf_free(&user);
	buf_free(&ext);
}

/*
 * The address class and the transport (trivial-rewrite(8)'s part).
 */

/* domain_is_local - 1 local, 0 not, -1 after fail_temp() */
static int
domain_is_local(struct query *q, const char *domain)
{
	struct route_engine	*e = q->e;
	size_t			 dlen = strlen(domain);

	if (dlen == 0 || strcmp(domain, "localhost") == 0 ||
	    domain_literal_local(&e->hosts, domain))
		return 1;
	for (size_t i = 0; i < e->ndest; i++) {
		struct dest	*d = &e->dest[i];
		int		 match;

		if (d->name != NULL) {
			size_t	 n = strlen(d->name);

			if (d->name[0] == '.')
				match = dlen > n &&
				    strcmp(domain + dlen - n, d->name) == 0;
			else
				match = strcmp(domain, d->name) == 0;
		} else {
			struct buf	 v = BUF_INIT, err = BUF_INIT;
			enum map_result	 r;

			r = tables_find(&d->tab, MAP_ORDER_DOMAIN, domain, 0,
			    &v, &err);
			if (r == MAP_ERROR) {
				log_warnx("mydestination: lookup of \"%s\": %s",
				    domain, buf_cstr(&err));
				fail_temp(q, "4.3.0 mydestination lookup "
				    "failure");
			}
			buf_free(&v);
			buf_free(&err);
			if (r == MAP_ERROR)
				return -1;
			match = r == MAP_FOUND;
		}
		if (match)
			return !d->neg;
	}
	return 0;
}

/* domain_ok - a plausible domain: a name, or an address literal */
static int
domain_ok(const char *d)
{
	size_t	 len = strlen(d);

	if (len == 0 || len > ADDR_DOMAIN_MAX)
		return 0;
	if (d[0] == '[')
		return len >= 3 && d[len - 1] == ']' &&
		    strcspn(d + 1, "[]\\ ") == len - 2;
	if (d[0] == '.' || strstr(d, "..") != NULL)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)d[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') &&
		    c != '-' && c != '.' && c != '_' && c < 0x80)
			return 0;
	}
	return 1;
}

/*
 * find_transport - transport_maps for an address: user+ext@domain, then
 * (map_find) user@domain, domain, .parent..., *.  1 found, 0 not, -1
 * after fail_temp().
 */
static int
find_transport(struct query *q, const char *local, const char *domain,
    struct buf *value)
{
	struct route_engine	*e = q->e;
	struct buf		 key = BUF_INIT, user = BUF_INIT;
	struct buf		 ext = BUF_INIT, err = BUF_INIT;
	enum map_result		 r = MAP_NOTFOUND;

	if (e->transport.empty)
		return 0;
	buf_printf(&key, "%s@%s", local, domain);
	if (addr_split_extension(local, e->delim, &user, &ext) != 0) {
		r = tables_lookup(&e->transport, key.s, value, &err);
		buf_reset(&key);
		buf_printf(&key, "%s@%s", user.s, domain);
	}
	if (r == MAP_NOTFOUND)
		r = tables_find(&e->transport, MAP_ORDER_TRANSPORT, key.s, 0,
		    value, &err);
	if (r == MAP_ERROR) {
		log_warnx("transport_maps: lookup of \"%s\": %s", key.s,
		    buf_cstr(&err));
		fail_temp(q, "4.3.0 transport_maps lookup failure");
	}
	buf_free(&key);
	buf_free(&user);
	buf_free(&ext);
	buf_free(&err);
	return r == MAP_FOUND ? 1 : r == MAP_NOTFOUND ? 0 : -1;
}

/* status_text - text with an enhanced code of class cls first */
static void
status_text(struct buf *out, char cls, const char *text, const char *dflt)
{
	buf_reset(out);
	if (*text == '\0')
		buf_printf(out, "%c.0.0 %s", cls, dflt);
	else if (dsn_valid(text)) {
		buf_sets(out, text);
		out->s[0] = cls;
	} else
		buf_printf(out, "%c.0.0 %s", cls, text);
}

/*
 * resolve_addr - where one address (internal form) goes.  noexpand: a
 * "\user" item, which goes to the mailbox without alias or .forward.
 */
static void
resolve_addr(struct query *q, const char *addr, const struct origin *from,
    int depth, int noexpand)
{
	struct route_engine	*e = q->e;
	const char		*at = strrchr(addr, '@');
	struct buf		 local = BUF_INIT, domain = BUF_INIT;
	struct buf		 full = BUF_INIT, ext = BUF_INIT, v = BUF_INIT;
	struct buf		 tr = BUF_INIT, nh = BUF_INIT, text = BUF_INIT;
	struct buf		 t2 = BUF_INIT, n2 = BUF_INIT;
	int			 local_class, given;

	if (stopped(q))
		return;
	if (depth > ROUTE_DEPTH_MAX) {
		fail_perm(q, addr, "5.4.6 alias database loop for %s: "
		    "expansion nested more than %d deep", addr,
		    ROUTE_DEPTH_MAX);
		return;
	}

	/*
	 * Qualify (append_at_myorigin) and normalise the domain.
	 */
	buf_set(&local, addr, at ? (size_t)(at - addr) : strlen(addr));
	if (at != NULL)
		buf_sets(&domain, at + 1);
	else if (e->append_at_myorigin)
		buf_sets(&domain, e->myorigin);
	if (local.len == 0 || (at != NULL && (route_domain_norm(&domain) < 0 ||
	    !domain_ok(domain.s)))) {
		fail_perm(q, addr, "5.1.3 bad address syntax");
		goto out;
	}
	buf_set(&full, local.s, local.len);
	if (domain.len > 0) {
		buf_addc(&full, '@');
		buf_add(&full, domain.s, domain.len);
	}

	/*
	 * The class default, then transport_maps (transport(5): an empty
	 * transport keeps the default one, an empty nexthop after a
	 * transport means the domain).
	 */
	if ((local_class = domain_is_local(q, buf_cstr(&domain))) < 0)
		goto out;
	if (local_class) {
		buf_set(&tr, e->local_tr.s, e->local_tr.len);
		buf_set(&nh, e->local_nh.s, e->local_nh.len);
		given = nh.len > 0;
	} else {
		buf_set(&tr, e->default_tr.s, e->default_tr.len);
		given = e->default_nh.len > 0;
		if (given)
			buf_set(&nh, e->default_nh.s, e->default_nh.len);
		else if (*e->relayhost != '\0')
			buf_sets(&nh, e->relayhost);
		else
			buf_set(&nh, domain.s, domain.len);
	}
	switch (find_transport(q, local.s, buf_cstr(&domain), &v)) {
	case -1:
		goto out;
	case 1:
		route_parse_transport(v.s, &t2, &n2);
		if (t2.len == 0 && n2.len == 0)
			break;
		if (t2.len > 0)
			buf_set(&tr, t2.s, t2.len);
		given = n2.len > 0;
		if (given)
			buf_set(&nh, n2.s, n2.len);
		else
			buf_set(&nh, domain.s, domain.len);
		break;
	default:
		break;
	}

	/*
	 * Deliver.
	 */
	external(&ext, full.s);
	if (strcmp(tr.s, "local") == 0)
		resolve_local(q, local.s, buf_cstr(&domain), full.s, from,
		    depth, noexpand);
	else if (strcmp(tr.s, "smtp") == 0 || strcmp(tr.s, "relay") == 0) {
		if (nh.len > ROUTE_TEXT_MAX || has_ctl(nh.s, nh.len)) {
			log_warnx("%s: bad smtp next hop \"%.64s\"", ext.s,
			    nh.s);
			fail_temp(q, "4.3.5 bad next hop for %s", ext.s);
		} else
			emit(q, ROUTE_SMTP, origin_of(from->type), nh.s,
			    ext.s);
	}
	else if (strcmp(tr.s, "error") == 0) {
		status_text(&text, '5', given ? nh.s : "",
		    "mail for this address is not accepted");
		emit(q, ROUTE_ERROR, ROUTE_FROM_RECIPIENT, text.s, ext.s);
	} else if (strcmp(tr.s, "discard") == 0)
		emit(q, ROUTE_DISCARD, origin_of(from->type), "-", ext.s);
	else if (strcmp(tr.s, "retry") == 0) {
		status_text(&text, '4', given ? nh.s : "",
		    "delivery temporarily suspended");
		fail_temp(q, "%s", text.s);
	} else
		fail_temp(q, "4.3.5 unknown mail transport %s", tr.s);
out:
	buf_free(&local);
	buf_free(&domain);
	buf_free(&full);
	buf_free(&ext);
	buf_free(&v);
	buf_free(&tr);
	buf_free(&nh);
	buf_free(&text);
	buf_free(&t2);
	buf_free(&n2);
}

/* route_resolve - answer one query (see route.h) */
enum route_status
route_resolve(struct route_engine *e, const char *query, size_t len,
    struct route_answer *ans)
{
	struct query		 q;
	struct origin		 top;
	struct buf		 addr = BUF_INIT, ext = BUF_INIT;
	const char		*p = query;
	size_t			 n = len;
	enum route_status	 status = ROUTE_RESOLVED;

	route_answer_reset(ans);
	if (n >= 2 && p[0] == '<' && p[n - 1] == '>') {
		p++;
		n -= 2;
	}

	/*
	 * Sanity checks: a query that is no address is answered, not failed.
	 */
	if (n > 0 && n <= ADDR_MAX && !has_ctl(p, n)) {
		char	*tmp = xstrndup(p, n);

		if (addr_unquote(tmp, &addr) < 0)
			buf_reset(&addr);
		free(tmp);
	}
	if (addr.len == 0) {
		printable(&ext, query, len, ROUTE_QUERY_MAX);
		add_result(ans, ROUTE_ERROR, ROUTE_FROM_RECIPIENT,
		    "5.1.3 bad address syntax", buf_cstr(&ext));
		buf_free(&addr);
		buf_free(&ext);
		return ROUTE_RESOLVED;
	}
	memset(&q, 0, sizeof(q));
	q.e = e;
	q.ans = ans;
	buf_init(&q.why);
	memset(&top, 0, sizeof(top));
	top.privs = e->default_privs;
	top.addr = addr.s;
	resolve_addr(&q, addr.s, &top, 0, 0);

	/*
	 * Clean up: a temporary failure replaces the answer; a cap adds
	 * one error; an expansion into nothing (an empty :include: list)
	 * is discarded, as Postfix delivers it to no one.
	 */
	if (strrchr(addr.s, '@') == NULL && e->append_at_myorigin) {
		buf_addc(&addr, '@');
		buf_adds(&addr, e->myorigin);
	}
	external(&ext, addr.s);
	if (q.defer) {
		route_answer_reset(ans);
		add_result(ans, ROUTE_DEFER, ROUTE_FROM_RECIPIENT,
		    buf_cstr(&q.why), ext.s);
		status = ROUTE_TEMPFAIL;
	} else if (q.full) {
		struct buf	 t = BUF_INIT;

		log_warnx("%s: alias expansion stopped after %zu deliveries "
		    "and %zu items", ext.s, ans->n, q.work);
		buf_printf(&t, "5.3.4 alias expansion of %s is too large: over "
		    "%d deliveries or %d items", ext.s, ROUTE_RESULTS_MAX,
		    ROUTE_WORK_MAX);
		buf_truncate(&t, ROUTE_TEXT_MAX);
		add_result(ans, ROUTE_ERROR, ROUTE_FROM_RECIPIENT, t.s,
		    ext.s);
		buf_free(&t);
	} else if (ans->n == 0)
		add_result(ans, ROUTE_DISCARD, ROUTE_FROM_RECIPIENT, "-",
		    ext.s);
	set_free(&q.seen);
	buf_free(&q.why);
	buf_free(&addr);
	buf_free(&ext);
	return status;
}
