/*
 * maps_regexp - regexp:FILE and pcre:FILE, Postfix regexp_table(5) and
 * pcre_table(5) syntax, both compiled once with PCRE2 and its JIT.
 *
 * A rule is "/pattern/flags result", "!/pattern/flags result" (matches
 * when the pattern does not), "/p1/!/p2/ result" (p1 matches and p2 does
 * not), "if /pattern/flags" (or "if !/pattern/") ... "endif", nestable.
 * Any character may delimit a pattern; a backslash escapes it.  Flags
 * toggle: "i" case-insensitive (on by default), "m" multi-line; pcre also
 * has "s" (dot matches newline), "x" (extended), "A" (anchored), "E"
 * (dollar matches only at the end), "U" (ungreedy) and "X" (accepted:
 * PCRE2 is always strict).  For regexp, "x" would turn off extended
 * syntax; PCRE2 has no basic syntax, so it is refused.
 *
 * The result may use $1..$9, ${n}, $(n) for captured text (empty when a
 * group did not take part) and $$ for "$".  Bad rules are errors naming
 * file:line, so a broken table never half-works.
 */
#include "maps.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exits.h"
#include "log.h"
#include "maps_impl.h"
#include "mem.h"

#define RX_MAX_SUB	99	/* largest $n accepted */
#define RX_NEST_MAX	100	/* deepest if..endif nesting */
#define RX_ERRMSG_MAX	256

enum rx_op {
	RX_MATCH,
	RX_IF,
	RX_ENDIF,
};

struct rx_pat {
	pcre2_code	*re;
	int		 negate;
	int		 jit;		/* JIT-compiled: pcre2_jit_match() */
};

struct rx_rule {
	enum rx_op	 op;
	struct rx_pat	 first;
	struct rx_pat	 second;	/* re NULL when absent */
	char		*result;	/* MATCH: as written */
	int		 literal;	/* MATCH: no $ in result */
	size_t		 endif;		/* IF: index of its ENDIF */
	size_t		 lineno;
};

struct rx_tab {
	struct rx_rule	*v;
	size_t		 n;
	size_t		 cap;
	pcre2_match_data *md;
	int		 pcre;		/* pcre: flags, else regexp: flags */
	int		 no_regsub;	/* MAP_NO_REGSUB */
};

/* rx_free - release a table */
static void
rx_free(struct rx_tab *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		pcre2_code_free(t->v[i].first.re);
		pcre2_code_free(t->v[i].second.re);
		free(t->v[i].result);
	}
	free(t->v);
	pcre2_match_data_free(t->md);
	free(t);
}

/* rx_err - "file:line: message" into err; returns -1 */
__attribute__((format(printf, 4, 5)))
static int
rx_err(struct buf *err, const char *file, size_t lineno, const char *fmt, ...)
{
	va_list	 ap;

	buf_reset(err);
	buf_printf(err, "%s:%zu: ", file, lineno);
	va_start(ap, fmt);
	buf_vprintf(err, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

/* rx_flags - turn flag letters into PCRE2 options */
static int
rx_flags(const struct rx_tab *t, char c, uint32_t *opts)
{
	switch (c) {
	case 'i':
		*opts ^= PCRE2_CASELESS;
		return 0;
	case 'm':
		*opts ^= PCRE2_MULTILINE;
		return 0;
	}
	if (!t->pcre)
		return -1;
	switch (c) {
	case 's':
		*opts ^= PCRE2_DOTALL;
		return 0;
	case 'x':
		*opts ^= PCRE2_EXTENDED;
		return 0;
	case 'A':
		*opts ^= PCRE2_ANCHORED;
		return 0;
	case 'E':
		*opts ^= PCRE2_DOLLAR_ENDONLY;
		return 0;
	case 'U':
		*opts ^= PCRE2_UNGREEDY;
		return 0;
	case 'X':
		return 0;
	}
	return -1;
}

/*
 * rx_pattern - parse "[!]DELIMpatternDELIMflags" at *pp, compile it, and
 * leave *pp after the flags.  *ncap gets the number of capture groups.
 */
static int
rx_pattern(struct rx_tab *t, const char *file, size_t lineno, const char **pp,
    struct rx_pat *pat, uint32_t *ncap, struct buf *err)
{
	const char	*p = *pp, *start;
	char		 delim;
	/* regexp: tables are POSIX regular expressions in Postfix, where
	 * "." also matches the newline of a folded header. */
	uint32_t	 opts = PCRE2_CASELESS | (t->pcre ? 0 : PCRE2_DOTALL);
	struct buf	 re = BUF_INIT;
	int		 code;
	PCRE2_SIZE	 off;

	pat->negate = 0;
	while (*p == '!') {
		pat->negate = !pat->negate;
		p++;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return rx_err(err, file, lineno, "missing pattern");
	delim = *p++;
	start = p;
	while (*p != '\0' && *p != delim) {
		if (*p == '\\' && p[1] != '\0') {
			/* Kept: "\/" is a literal "/" to the regex too. */
			buf_add(&re, p, 2);
			p += 2;
			continue;
		}
		buf_addc(&re, *p++);
	}
	if (*p != delim) {
		buf_free(&re);
		return rx_err(err, file, lineno, "no closing delimiter \"%c\" "
		    "after \"%.40s\"", delim, start);
	}
	p++;
	for (; *p != '\0' && *p != '!' && map_nbsp_space(p, 2) == 0; p++) {
		if (*p == 'x' && !t->pcre) {
			buf_free(&re);
			return rx_err(err, file, lineno, "flag \"x\" (basic "
			    "regular expressions) is not supported");
		}
		if (rx_flags(t, *p, &opts) < 0) {
			buf_free(&re);
			return rx_err(err, file, lineno, "unknown flag \"%c\"",
			    *p);
		}
	}
	pat->re = pcre2_compile((PCRE2_SPTR)buf_cstr(&re), re.len, opts, &code,
	    &off, NULL);
	buf_free(&re);
	if (pat->re == NULL) {
		PCRE2_UCHAR	 msg[RX_ERRMSG_MAX];

		if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
			msg[0] = '\0';
		return rx_err(err, file, lineno, "bad regular expression "
		    "(offset %zu): %s", (size_t)off, (const char *)msg);
	}
	/* JIT is an optimisation: without it matching still works. */
	pat->jit = pcre2_jit_compile(pat->re, PCRE2_JIT_COMPLETE) == 0;
	pcre2_pattern_info(pat->re, PCRE2_INFO_CAPTURECOUNT, ncap);
	*pp = p;
	return 0;
}

/* rx_sub_ref - parse "$n", "${n}", "$(n)" at p ("$" seen); 0 on error */
static size_t
rx_sub_ref(const char *p, unsigned *n)
{
	const char	*q = p + 1;
	char		 close = 0;

	if (*q == '{')
		close = '}';
	else if (*q == '(')
		close = ')';
	if (close)
		q++;
	if (*q < '0' || *q > '9')
		return 0;
	*n = 0;
	while (*q >= '0' && *q <= '9') {
		*n = *n * 10 + (unsigned)(*q - '0');
		if (*n > RX_MAX_SUB)
			return 0;
		q++;
	}
	if (close) {
		if (*q != close)
			return 0;
		q++;
	}
	return (size_t)(q - p);
}

/* rx_check_result - validate $ references against ncap groups */
static int
rx_check_result(const char *file, size_t lineno, const char *res,
    uint32_t ncap, const struct rx_pat *pat, int *literal, int *groups,
    struct buf *err)
{
	*literal = 1;
	*groups = 0;
	for (const char *p = res; *p != '\0'; p++) {
		unsigned	 n;
		size_t		 len;

		if (*p != '$')
			continue;
		if (p[1] == '$') {
			*literal = 0;
			p++;
			continue;
		}
		len = rx_sub_ref(p, &n);
		if (len == 0)
			return rx_err(err, file, lineno, "bad replacement "
			    "\"%.10s\": use $1..$9, ${n} or $$", p);
		if (n < 1 || n > ncap)
			return rx_err(err, file, lineno, "replacement $%u, "
			    "but the pattern has %u group%s", n, ncap,
			    ncap == 1 ? "" : "s");
		if (pat->negate)
			return rx_err(err, file, lineno, "$%u in the result "
			    "of a negated pattern", n);
		*literal = 0;
		*groups = 1;
		p += len - 1;
	}
	return 0;
}

/* rx_add - a new rule slot */
static struct rx_rule *
rx_add(struct rx_tab *t, enum rx_op op, size_t lineno)
{
	struct rx_rule	*r;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	r = &t->v[t->n++];
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->lineno = lineno;
	return r;
}

/* rx_keyword - does line start with word (any case) then space or end? */
static const char *
rx_keyword(const char *line, const char *word)
{
	size_t	 n = strlen(word);

	if (strncasecmp(line, word, n) != 0)
		return NULL;
	if (line[n] != '\0' && map_nbsp_space(line + n, 2) == 0 &&
	    line[n] != '/' && line[n] != '!')
		return NULL;
	return line + n;
}

/* rx_skip_space - past white space, noting no-break spaces */
static const char *
rx_skip_space(const char *p, int *nbsp)
{
	size_t	 w;

	while ((w = map_nbsp_space(p, 2)) > 0) {
		if (w == 2)
			*nbsp = 1;
		p += w;
	}
	return p;
}

/* rx_parse_line - one logical line into rules */
static int
rx_parse_line(struct rx_tab *t, const char *file, size_t lineno,
    const char *line, size_t *stack, size_t *depth, uint32_t *maxcap,
    int *nbsp, struct buf *err)
{
	const char	*p;
	struct rx_rule	*r;
	uint32_t	 ncap, ncap2;
	int		 groups;

	if ((p = rx_keyword(line, "endif")) != NULL) {
		if (*depth == 0)
			return rx_err(err, file, lineno, "endif without if");
		p = rx_skip_space(p, nbsp);
		if (*p != '\0')
			return rx_err(err, file, lineno, "text after endif");
		t->v[stack[--(*depth)]].endif = t->n;
		rx_add(t, RX_ENDIF, lineno);
		return 0;
	}
	if ((p = rx_keyword(line, "if")) != NULL) {
		if (*depth == RX_NEST_MAX)
			return rx_err(err, file, lineno, "if nested deeper "
			    "than %d", RX_NEST_MAX);
		p = rx_skip_space(p, nbsp);
		r = rx_add(t, RX_IF, lineno);
		if (rx_pattern(t, file, lineno, &p, &r->first, &ncap, err) < 0)
			return -1;
		p = rx_skip_space(p, nbsp);
		if (*p != '\0')
			return rx_err(err, file, lineno, "text after \"if "
			    "/pattern/\" (a rule inside if..endif must not "
			    "start with white space)");
		stack[(*depth)++] = t->n - 1;
		return 0;
	}
	if ((unsigned char)line[0] < 0x80 &&
	    (line[0] == '_' || (line[0] >= '0' && line[0] <= '9') ||
	    ((line[0] | 0x20) >= 'a' && (line[0] | 0x20) <= 'z')))
		return rx_err(err, file, lineno, "expected /pattern/ result, "
		    "if or endif");

	p = line;
	r = rx_add(t, RX_MATCH, lineno);
	if (rx_pattern(t, file, lineno, &p, &r->first, &ncap, err) < 0)
		return -1;
	if (*p == '!') {
		if (rx_pattern(t, file, lineno, &p, &r->second, &ncap2,
		    err) < 0)
			return -1;
	}
	p = rx_skip_space(p, nbsp);
	if (*p == '\0')
		log_warnx("%s:%zu: empty result", file, lineno);
	if (rx_check_result(file, lineno, p, ncap, &r->first, &r->literal,
	    &groups, err) < 0)
		return -1;
	if (groups && t->no_regsub) {
		log_warnx("%s:%zu: regular expression substitution is not "
		    "allowed in this table: rule skipped", file, lineno);
		pcre2_code_free(r->first.re);
		pcre2_code_free(r->second.re);
		t->n--;
		return 0;
	}
	r->result = xstrdup(p);
	if (ncap > *maxcap)
		*maxcap = ncap;
	return 0;
}

/* rx_open - load and compile a regexp or pcre table */
static int
rx_open(struct map *m, int pcre, struct buf *err)
{
	struct map_src	*src = map_src_open(m->name, err);
	struct rx_tab	*t;
	struct buf	 line = BUF_INIT;
	size_t		 lineno = 0, depth = 0, stack[RX_NEST_MAX] = { 0 };
	uint32_t	 maxcap = 0;
	int		 r, e = EINVAL;

	if (src == NULL)
		return errno;
	t = xcalloc(1, sizeof(*t));
	t->pcre = pcre;
	t->no_regsub = (m->flags & MAP_NO_REGSUB) != 0;
	while ((r = map_src_next(src, &line, &lineno, err)) > 0) {
		int	 nbsp = 0;

		r = rx_parse_line(t, m->name, lineno, line.s, stack, &depth,
		    &maxcap, &nbsp, err);
		if (r < 0)
			break;
		if (nbsp)
			map_src_nbsp(src, lineno);
	}
	if (r < 0 && errno != 0)
		e = errno;
	if (r == 0 && depth > 0)
		r = rx_err(err, m->name, t->v[stack[depth - 1]].lineno,
		    "if without endif");
	map_src_close(src);
	buf_free(&line);
	if (r < 0) {
		rx_free(t);
		return e;
	}
	t->md = pcre2_match_data_create(maxcap + 1, NULL);
	if (t->md == NULL)
		die_nomem();
	m->priv = t;
	return 0;
}

/* rx_match - 1 when the pattern (negation applied) matches, -1 error */
static int
rx_match(struct rx_tab *t, const struct rx_pat *pat, const char *key,
    size_t len)
{
	int	 rc;

	if (pat->jit)
		rc = pcre2_jit_match(pat->re, (PCRE2_SPTR)key, len, 0, 0,
		    t->md, NULL);
	else
		rc = pcre2_match(pat->re, (PCRE2_SPTR)key, len, 0, 0, t->md,
		    NULL);

	if (rc == PCRE2_ERROR_NOMATCH)
		return pat->negate;
	if (rc < 0)
		return -1;
	return !pat->negate;
}

/* rx_expand - the result with $n replaced by the groups of the match */
static void
rx_expand(struct rx_tab *t, const struct rx_rule *r, const char *key,
    struct buf *value)
{
	PCRE2_SIZE	*ov = pcre2_get_ovector_pointer(t->md);
	uint32_t	 pairs = pcre2_get_ovector_count(t->md);

	buf_reset(value);
	for (const char *p = r->result; *p != '\0'; p++) {
		unsigned	 n;
		size_t		 len;

		if (*p != '$') {
			buf_addc(value, *p);
			continue;
		}
		if (p[1] == '$') {
			buf_addc(value, '$');
			p++;
			continue;
		}
		/* Checked at load time: a valid reference to group n. */
		len = rx_sub_ref(p, &n);
		if (n < pairs && ov[2 * n] != PCRE2_UNSET)
			buf_add(value, key + ov[2 * n],
			    ov[2 * n + 1] - ov[2 * n]);
		p += len - 1;
	}
}

/* rx_lookup - the first rule that matches gives the result */
static enum map_result
rx_lookup(struct map *m, const char *key, size_t len, struct buf *value,
    struct buf *err)
{
	struct rx_tab	*t = m->priv;
	size_t		 i = 0;
	int		 hit;

	while (i < t->n) {
		const struct rx_rule	*r = &t->v[i];

		switch (r->op) {
		case RX_ENDIF:
			i++;
			continue;
		case RX_IF:
			hit = rx_match(t, &r->first, key, len);
			if (hit < 0)
				goto fail;
			i = hit ? i + 1 : r->endif + 1;
			continue;
		case RX_MATCH:
			break;
		}
		/* The second pattern first: it leaves no groups behind. */
		if (r->second.re != NULL) {
			hit = rx_match(t, &r->second, key, len);
			if (hit < 0)
				goto fail;
			if (!hit) {
				i++;
				continue;
			}
		}
		hit = rx_match(t, &r->first, key, len);
		if (hit < 0)
			goto fail;
		if (hit) {
			if (r->literal)
				buf_sets(value, r->result);
			else
				rx_expand(t, r, key, value);
			return MAP_FOUND;
		}
		i++;
	}
	return MAP_NOTFOUND;

fail:
	buf_reset(err);
	buf_printf(err, "%s:%zu: pattern match failed (resource limit)",
	    m->name, t->v[i].lineno);
	return MAP_ERROR;
}

/* regexp_open - open method for regexp: */
static int
regexp_open(struct map *m, struct buf *err)
{
	return rx_open(m, 0, err);
}

/* pcre_open - open method for pcre: */
static int
pcre_open(struct map *m, struct buf *err)
{
	return rx_open(m, 1, err);
}

/* rx_close - close method */
static void
rx_close(struct map *m)
{
	rx_free(m->priv);
}

const struct map_ops map_regexp_ops = {
	"regexp", 1, regexp_open, rx_lookup, NULL, rx_close,
};

const struct map_ops map_pcre_ops = {
	"pcre", 1, pcre_open, rx_lookup, NULL, rx_close,
};
