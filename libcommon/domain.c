/*
 * domain - domain lists and the local-domain test (see domain.h).
 *
 * The local test follows trivial-rewrite(8)'s address class "local" as
 * route-transport decides it: mydestination, plus this host's addresses
 * in [brackets].  Postfix's resolve_local() also knows "localhost" only
 * through mydestination; route-transport takes it as always local, and
 * so does this module, so that both programs agree on every address.
 */
#include "domain.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "config.h"
#include "file.h"
#include "log.h"
#include "maps.h"
#include "mem.h"
#include "route.h"

/* One element of a list: a name pattern or a table. */
struct dom_elem {
	int		 neg;		/* "!pattern" */
	char		*name;		/* "example.com", ".example.com" */
	struct map_list	*tab;		/* or a table */
};

struct domain_list {
	char		*param;
	int		 flags;
	struct dom_elem	*v;
	size_t		 n;
};

struct ipaddr {
	int		 af;
	unsigned char	 b[16];
};

/* This host's addresses, for address literals. */
struct domain_hosts {
	struct ipaddr		*addr;
	size_t			 naddr;
};

struct domain_local {
	struct domain_list	*dest;	/* mydestination */
	struct domain_hosts	*hosts;	/* read when first needed */
};

/* add_elem - append one element; the list takes name or tab */
static void
add_elem(struct domain_list *l, int neg, char *name, struct map_list *tab)
{
	struct dom_elem	*e;

	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	e = &l->v[l->n++];
	e->neg = neg;
	e->name = name;
	e->tab = tab;
}

/* add_name - one domain pattern, normalised; empty ones are dropped */
static void
add_name(struct domain_list *l, int neg, const char *s, size_t len)
{
	struct buf	 b = BUF_INIT;

	buf_set(&b, s, len);
	if (route_domain_norm(&b) < 0 || strcmp(b.s, ".") == 0) {
		buf_free(&b);
		return;
	}
	add_elem(l, neg, buf_release(&b), NULL);
}

/* add_file - the patterns of a "/file/name" element */
static int
add_file(struct domain_list *l, int neg, const char *path, struct buf *err)
{
	struct buf	 text = BUF_INIT;
	const char	*p, *end;

	if (file_read(path, &text, DOMAIN_FILE_MAX) < 0) {
		buf_printf(err, "%s: cannot read %s: %s", l->param, path,
		    errno == EFBIG ? "file too large" : strerror(errno));
		buf_free(&text);
		return -1;
	}
	p = text.s;
	end = text.s + text.len;
	while (p < end) {
		const char	*nl = memchr(p, '\n', (size_t)(end - p));
		const char	*eol = nl != NULL ? nl : end;

		while (p < eol) {
			const char	*w;

			while (p < eol && strchr(" \t\r,", *p) != NULL)
				p++;
			if (p == eol || *p == '#')
				break;
			for (w = p; p < eol && strchr(" \t\r,", *p) == NULL;
			    p++)
				;
			add_name(l, neg, w, (size_t)(p - w));
		}
		p = nl != NULL ? nl + 1 : end;
	}
	buf_free(&text);
	return 0;
}

/* domain_list_open - parse a domain list value; NULL with err on failure */
struct domain_list *
domain_list_open(const char *param, const char *value, int flags,
    struct buf *err)
{
	struct domain_list	*l = xcalloc(1, sizeof(*l));
	struct cfg_list		 items;
	int			 rc = 0;

	l->param = xstrdup(param);
	l->flags = flags;
	cfg_split_list(value, &items);
	for (size_t i = 0; i < items.n && rc == 0; i++) {
		const char	*p = items.v[i];
		int		 neg = 0;

		while (*p == '!') {
			neg = !neg;
			p++;
		}
		if (*p == '/')
			rc = add_file(l, neg, p, err);
		else if (*p != '[' && strchr(p, ':') != NULL) {
			struct buf	 e = BUF_INIT;
			struct map_list	*tab;

			if ((tab = map_list_open(p, MAP_CONFIG, &e)) == NULL) {
				buf_printf(err, "%s: %s", param, buf_cstr(&e));
				rc = -1;
			} else
				add_elem(l, neg, NULL, tab);
			buf_free(&e);
		} else
			add_name(l, neg, p, strlen(p));
	}
	cfg_list_free(&items);
	if (rc < 0) {
		domain_list_close(l);
		return NULL;
	}
	return l;
}

/* name_match - does domain (normalised) match one name pattern? */
static int
name_match(const char *pat, const char *domain, int parent)
{
	size_t	 dlen = strlen(domain), plen;

	if (pat[0] == '.') {
		plen = strlen(pat);
		return dlen > plen && strcmp(domain + dlen - plen, pat) == 0;
	}
	if (strcmp(domain, pat) == 0)
		return 1;
	plen = strlen(pat);
	return parent && dlen > plen && domain[dlen - plen - 1] == '.' &&
	    strcmp(domain + dlen - plen, pat) == 0;
}

/* domain_list_match - 1 match, 0 none, -1 table error (see domain.h) */
int
domain_list_match(struct domain_list *l, const char *domain, struct buf *err)
{
	struct buf	 d = BUF_INIT, v = BUF_INIT, e = BUF_INIT;
	int		 result = 0;

	buf_sets(&d, domain);
	if (l == NULL || route_domain_norm(&d) < 0) {
		buf_free(&d);
		return 0;
	}
	for (size_t i = 0; i < l->n; i++) {
		struct dom_elem	*el = &l->v[i];
		int		 match;

		if (el->name != NULL)
			match = name_match(el->name, d.s,
			    (l->flags & DOMAIN_PARENT) != 0);
		else {
			enum map_result	 r;

			r = map_find(el->tab, (l->flags & DOMAIN_PARENT) ?
			    MAP_ORDER_HOST : MAP_ORDER_DOMAIN, d.s, 0, &v,
			    NULL, &e);
			if (r == MAP_ERROR) {
				log_warnx("%s: lookup of \"%s\": %s", l->param,
				    d.s, buf_cstr(&e));
				buf_reset(err);
				buf_printf(err, "%s lookup of %s failed: %s",
				    l->param, d.s, buf_cstr(&e));
				result = -1;
				break;
			}
			match = r == MAP_FOUND;
		}
		if (match) {
			result = !el->neg;
			break;
		}
	}
	buf_free(&d);
	buf_free(&v);
	buf_free(&e);
	return result;
}

/* domain_list_count - the number of elements (0: an empty list) */
size_t
domain_list_count(const struct domain_list *l)
{
	return l != NULL ? l->n : 0;
}

/* domain_list_close - free a list and close its tables */
void
domain_list_close(struct domain_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		map_list_close(l->v[i].tab);
	}
	free(l->v);
	free(l->param);
	free(l);
}

/*
 * The local test.
 */

/* add_addr - remember one address of this host */
static void
add_addr(struct domain_hosts *dl, int af, const void *b)
{
	struct ipaddr	*a;

	dl->addr = xreallocarray(dl->addr, dl->naddr + 1, sizeof(*dl->addr));
	a = &dl->addr[dl->naddr++];
	memset(a, 0, sizeof(*a));
	a->af = af;
	memcpy(a->b, b, af == AF_INET ? 4 : 16);
}

/* add_interfaces - every address of every interface */
static void
add_interfaces(struct domain_hosts *dl)
{
	struct ifaddrs	*ifa, *i;

	if (getifaddrs(&ifa) < 0) {
		log_warn("getifaddrs");
		return;
	}
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			add_addr(dl, AF_INET, &((struct sockaddr_in *)
			    (void *)i->ifa_addr)->sin_addr);
		else if (i->ifa_addr->sa_family == AF_INET6)
			add_addr(dl, AF_INET6, &((struct sockaddr_in6 *)
			    (void *)i->ifa_addr)->sin6_addr);
	}
	freeifaddrs(ifa);
}

/*
 * load_addrs - the addresses an [address] literal may name to be local:
 * every interface address with inet_interfaces = all, else the numeric
 * addresses of inet_interfaces, and those of proxy_interfaces.
 */
static void
load_addrs(struct domain_hosts *dl)
{
	static const char *const params[] = {
		"inet_interfaces", "proxy_interfaces" };
	int	 all = 0;

	for (size_t p = 0; p < sizeof(params) / sizeof(params[0]); p++) {
		struct cfg_list	 l;

		cfg_get_list(params[p], &l);
		for (size_t i = 0; i < l.n; i++) {
			unsigned char	 b[16];

			if (p == 0 && strcasecmp(l.v[i], "all") == 0)
				all = 1;
			else if (inet_pton(AF_INET, l.v[i], b) == 1)
				add_addr(dl, AF_INET, b);
			else if (inet_pton(AF_INET6, l.v[i], b) == 1)
				add_addr(dl, AF_INET6, b);
		}
		cfg_list_free(&l);
	}
	if (all)
		add_interfaces(dl);
}

/* domain_local_open - mydestination and our addresses */
struct domain_local *
domain_local_open(struct buf *err)
{
	struct domain_local	*dl = xcalloc(1, sizeof(*dl));

	dl->dest = domain_list_open("mydestination", cfg_get("mydestination"),
	    0, err);
	if (dl->dest == NULL) {
		free(dl);
		return NULL;
	}
	/* The addresses wait for the first address literal: most
	 * sessions never see one, and asking the kernel costs. */
	return dl;
}

/* is_loopback - 127/8, ::1, ::ffff:127/104 */
static int
is_loopback(int af, const unsigned char *b)
{
	static const unsigned char	 one[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const unsigned char	 mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (af == AF_INET)
		return b[0] == 127;
	return memcmp(b, one, 16) == 0 ||
	    (memcmp(b, mapped, 12) == 0 && b[12] == 127);
}

/* domain_literal_local - is domain an address literal naming a loopback
 * address or one of this host's?  The addresses are read into *h on the
 * first literal that needs them (domain.h). */
int
domain_literal_local(struct domain_hosts **h, const char *domain)
{
	unsigned char	 b[16];
	int		 af;

	if (!route_literal_ip(domain, &af, b))
		return 0;
	if (is_loopback(af, b))
		return 1;
	if (*h == NULL) {
		*h = xcalloc(1, sizeof(**h));
		load_addrs(*h);
	}
	for (size_t i = 0; i < (*h)->naddr; i++)
		if ((*h)->addr[i].af == af && memcmp((*h)->addr[i].b, b,
		    af == AF_INET ? 4 : 16) == 0)
			return 1;
	return 0;
}

/* domain_hosts_free - free what domain_literal_local() read */
void
domain_hosts_free(struct domain_hosts *h)
{
	if (h == NULL)
		return;
	free(h->addr);
	free(h);
}

/* domain_local_match - 1 local, 0 not, -1 table error (see domain.h) */
int
domain_local_match(struct domain_local *dl, const char *domain,
    struct buf *err)
{
	if (*domain == '\0' || strcasecmp(domain, "localhost") == 0 ||
	    strcasecmp(domain, "localhost.") == 0)
		return 1;
	if (domain_literal_local(&dl->hosts, domain))
		return 1;
	return domain_list_match(dl->dest, domain, err);
}

/* domain_local_close - free what domain_local_open() made */
void
domain_local_close(struct domain_local *dl)
{
	if (dl == NULL)
		return;
	domain_list_close(dl->dest);
	domain_hosts_free(dl->hosts);
	free(dl);
}
