/*
 * config - main.cf reader: Postfix syntax, $name expansion, one typed
 * parameter table with Postfix's defaults and bounds.
 *
 * A load builds a fresh state: the settings read from the file, then
 * finalize() fills in the defaults, expands every value (recursively,
 * memoized, with loop detection) and checks the typed ones.  Only a state
 * that passed all of that replaces the current one, so a failed
 * cfg_load_text() leaves the previous configuration in place.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exits.h"
#include "file.h"
#include "io.h"
#include "log.h"
#include "mem.h"

#ifndef PIPEMAIL_SYSCONFDIR
#define PIPEMAIL_SYSCONFDIR	"/usr/local/etc/pipemail"
#endif

#define CFG_FILE_MAX		(4 * 1024 * 1024)	/* main.cf size */
#define CFG_LINE_MAX		(256 * 1024)	/* physical or logical line */
#define CFG_NAME_MAX		100		/* parameter name length */
#define CFG_VALUE_MAX		(512 * 1024)	/* one value, expanded */
#define CFG_EXPAND_TOTAL_MAX	(16 * 1024 * 1024) /* all values, expanded */
#define CFG_EXPAND_DEPTH	100		/* nested references */
#define CFG_WARN_MAX		100		/* warnings kept per load */
#define CFG_SHOW_MAX		64		/* bytes of a value in errors */
#define CFG_HOST_MAX		256		/* gethostname(3) buffer */

#define CFG_MAIN_CF		"main.cf"
#define CFG_ORIGIN_CMDLINE	"command line"
#define CFG_DEF_MYDOMAIN	"localdomain"
#define NOMAX			LLONG_MAX

enum cfg_type {
	T_STR,		/* text, $name expanded */
	T_LIST,		/* text, $name expanded, split by the user */
	T_RAW,		/* text, expanded later by its user ($home, ...) */
	T_BOOL,		/* yes or no */
	T_INT,		/* decimal integer */
	T_TIME,		/* integer with an optional unit s/m/h/d/w */
	T_SIZE,		/* byte count */
};

struct cfg_param {
	const char	*name;
	enum cfg_type	 type;
	const char	*def;		/* NULL: computed, see default_raw() */
	long long	 min, max;
	char		 unit;		/* T_TIME: unit of a bare number */
};

#define P_STR(n, d)		{ (n), T_STR, (d), 0, 0, 0 }
#define P_LIST(n, d)		{ (n), T_LIST, (d), 0, 0, 0 }
#define P_RAW(n, d)		{ (n), T_RAW, (d), 0, 0, 0 }
#define P_BOOL(n, d)		{ (n), T_BOOL, (d), 0, 1, 0 }
#define P_INT(n, d, lo, hi)	{ (n), T_INT, (d), (lo), (hi), 0 }
#define P_TIME(n, d, u, lo, hi)	{ (n), T_TIME, (d), (lo), (hi), (u) }
#define P_SIZE(n, d, lo, hi)	{ (n), T_SIZE, (d), (lo), (hi), 0 }
#define P_CODE(n, d)		P_INT((n), (d), 400, 599)

#define DAYS_100		8640000		/* Postfix's cap on lifetimes */

/*
 * Every parameter pipemail knows, alphabetically, with Postfix's default
 * (pipemail's where man/main.cf.5 says so) and bounds.  Times are bounded
 * in seconds.  Keep man/main.cf.5 in step: test_config checks it.
 */
static const struct cfg_param cfg_table[] = {
	P_STR("2bounce_notice_recipient", "postmaster"),
	P_CODE("access_map_defer_code", "450"),
	P_CODE("access_map_reject_code", "554"),
	P_LIST("alias_database", "hash:/etc/aliases"),
	P_LIST("alias_maps", "hash:/etc/aliases"),
	P_LIST("allow_mail_to_commands", "alias, forward"),
	P_LIST("allow_mail_to_files", "alias, forward"),
	P_BOOL("allow_min_user", "no"),
	P_BOOL("allow_percent_hack", "yes"),
	P_BOOL("allow_untrusted_routing", "no"),
	P_LIST("alternate_config_directories", ""),
	P_BOOL("always_add_missing_headers", "no"),
	P_STR("always_bcc", ""),
	P_TIME("anvil_rate_time_unit", "60s", 's', 1, NOMAX),
	P_BOOL("append_at_myorigin", "yes"),
	P_BOOL("append_dot_mydomain", "no"),
	P_STR("best_mx_transport", ""),
	P_BOOL("biff", "yes"),
	P_LIST("body_checks", ""),
	P_SIZE("body_checks_size_limit", "51200", 0, NOMAX),
	P_STR("bounce_notice_recipient", "postmaster"),
	P_TIME("bounce_queue_lifetime", "5d", 'd', 0, DAYS_100),
	P_SIZE("bounce_size_limit", "50000", 1, NOMAX),
	P_BOOL("broken_sasl_auth_clients", "no"),
	P_LIST("canonical_classes", "envelope_sender, envelope_recipient, "
	    "header_sender, header_recipient"),
	P_LIST("canonical_maps", ""),
	P_STR("command_directory", "/usr/sbin"),
	P_TIME("command_time_limit", "1000s", 's', 1, NOMAX),
	P_STR("compatibility_level", "3.6"),
	P_STR("config_directory", NULL),
	P_STR("daemon_directory", "/usr/libexec/postfix"),
	P_TIME("daemon_timeout", "18000s", 's', 1, NOMAX),
	P_STR("data_directory", "/var/lib/pipemail"),
	P_INT("debug_peer_level", "2", 1, NOMAX),
	P_LIST("debug_peer_list", ""),
	P_STR("default_database_type", "hash"),
	P_INT("default_destination_concurrency_limit", "20", 1, NOMAX),
	P_INT("default_destination_recipient_limit", "50", 1, NOMAX),
	P_STR("default_privs", "nobody"),
	P_INT("default_process_limit", "100", 1, NOMAX),
	P_RAW("default_rbl_reply", "$rbl_code Service unavailable; $rbl_class "
	    "[$rbl_what] blocked using $rbl_domain${rbl_reason?; $rbl_reason}"),
	P_STR("default_transport", "smtp"),
	P_INT("defer_code", "450", 400, 499),
	P_LIST("defer_transports", ""),
	P_STR("delay_notice_recipient", "postmaster"),
	P_TIME("delay_warning_time", "0h", 'h', 0, NOMAX),
	P_BOOL("disable_dns_lookups", "no"),
	P_BOOL("disable_vrfy_command", "no"),
	P_STR("double_bounce_sender", "double-bounce"),
	P_INT("duplicate_filter_limit", "1000", 0, NOMAX),
	P_STR("empty_address_recipient", "MAILER-DAEMON"),
	P_STR("error_notice_recipient", "postmaster"),
	P_BOOL("expand_owner_alias", "no"),
	P_LIST("export_environment", "TZ MAIL_CONFIG LANG"),
	P_STR("fallback_transport", ""),
	P_INT("fork_attempts", "5", 1, NOMAX),
	P_TIME("fork_delay", "1s", 's', 1, NOMAX),
	P_RAW("forward_path", "$home/.forward${recipient_delimiter}"
	    "${extension}, $home/.forward"),
	P_LIST("header_checks", ""),
	P_SIZE("header_size_limit", "102400", 1, NOMAX),
	P_STR("home_mailbox", ""),
	P_INT("hopcount_limit", "50", 1, NOMAX),
	P_STR("html_directory", "no"),
	P_BOOL("ignore_mx_lookup_error", "no"),
	P_LIST("import_environment", "MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ "
	    "XAUTHORITY DISPLAY LANG=C"),
	P_LIST("inet_interfaces", "all"),
	P_LIST("inet_protocols", "all"),
	P_CODE("invalid_hostname_reject_code", "501"),
	P_SIZE("line_length_limit", "2048", 512, NOMAX),
	P_STR("local_command_shell", ""),
	P_INT("local_destination_concurrency_limit", "2", 1, NOMAX),
	P_INT("local_destination_recipient_limit", "1", 1, NOMAX),
	P_LIST("local_recipient_maps", "unix:passwd.byname $alias_maps"),
	P_STR("local_transport", "local:$myhostname"),
	P_RAW("luser_relay", ""),
	P_STR("mail_name", "pipemail"),
	P_STR("mail_owner", "postfix"),
	P_STR("mail_spool_directory", "/var/mail"),
	P_RAW("mailbox_command", ""),
	P_LIST("mailbox_command_maps", ""),
	P_LIST("mailbox_delivery_lock", "fcntl, dotlock"),
	P_SIZE("mailbox_size_limit", "51200000", 0, NOMAX),
	P_STR("mailbox_transport", ""),
	P_STR("maillog_file", ""),
	P_STR("mailq_path", "/usr/bin/mailq"),
	P_STR("manpage_directory", "/usr/local/man"),
	P_CODE("maps_rbl_reject_code", "554"),
	P_LIST("masquerade_classes", "envelope_sender, header_sender, "
	    "header_recipient"),
	P_LIST("masquerade_domains", ""),
	P_LIST("masquerade_exceptions", ""),
	P_TIME("max_idle", "100s", 's', 1, NOMAX),
	P_INT("max_use", "100", 1, NOMAX),
	P_TIME("maximal_backoff_time", "4000s", 's', 1, NOMAX),
	P_TIME("maximal_queue_lifetime", "5d", 'd', 0, DAYS_100),
	P_SIZE("message_size_limit", "10240000", 0, NOMAX),
	P_LIST("mime_header_checks", "$header_checks"),
	P_TIME("minimal_backoff_time", "300s", 's', 1, NOMAX),
	P_CODE("multi_recipient_bounce_reject_code", "550"),
	P_LIST("mydestination", "$myhostname, localhost.$mydomain, localhost"),
	P_STR("mydomain", NULL),
	P_STR("myhostname", NULL),
	P_LIST("mynetworks", "127.0.0.0/8 [::1]/128"),
	P_STR("mynetworks_style", "host"),
	P_STR("myorigin", "$myhostname"),
	P_LIST("nested_header_checks", "$header_checks"),
	P_STR("newaliases_path", "/usr/bin/newaliases"),
	P_CODE("non_fqdn_reject_code", "504"),
	P_LIST("notify_classes", "resource, software"),
	P_BOOL("owner_request_special", "yes"),
	P_LIST("prepend_delivered_header", "command, file, forward"),
	P_LIST("propagate_unmatched_extensions", "canonical, virtual"),
	P_LIST("proxy_interfaces", ""),
	P_INT("qmgr_message_active_limit", "20000", 1, NOMAX),
	P_STR("queue_directory", "/var/spool/pipemail"),
	P_SIZE("queue_minfree", "0", 0, NOMAX),
	P_TIME("queue_run_delay", "300s", 's', 1, NOMAX),
	P_STR("readme_directory", "no"),
	P_LIST("recipient_bcc_maps", ""),
	P_LIST("recipient_canonical_maps", ""),
	P_STR("recipient_delimiter", ""),
	P_CODE("reject_code", "554"),
	P_STR("reject_tempfail_action", "defer_if_permit"),
	P_LIST("relay_domains", ""),
	P_CODE("relay_domains_reject_code", "554"),
	P_LIST("relay_recipient_maps", ""),
	P_STR("relay_transport", "relay"),
	P_STR("relayhost", ""),
	P_LIST("relocated_maps", ""),
	P_BOOL("require_home_directory", "no"),
	P_STR("sample_directory", PIPEMAIL_SYSCONFDIR),
	P_LIST("sender_bcc_maps", ""),
	P_LIST("sender_canonical_maps", ""),
	P_STR("sendmail_path", ""),
	P_STR("setgid_group", "postdrop"),
	P_BOOL("smtp_always_send_ehlo", "yes"),
	P_STR("smtp_bind_address", ""),
	P_TIME("smtp_connect_timeout", "30s", 's', 0, NOMAX),
	P_TIME("smtp_data_done_timeout", "600s", 's', 1, NOMAX),
	P_TIME("smtp_data_init_timeout", "120s", 's', 1, NOMAX),
	P_TIME("smtp_data_xfer_timeout", "180s", 's', 1, NOMAX),
	P_INT("smtp_destination_concurrency_limit",
	    "$default_destination_concurrency_limit", 1, NOMAX),
	P_INT("smtp_destination_recipient_limit",
	    "$default_destination_recipient_limit", 1, NOMAX),
	P_BOOL("smtp_enforce_tls", "no"),
	P_STR("smtp_helo_name", "$myhostname"),
	P_TIME("smtp_helo_timeout", "300s", 's', 1, NOMAX),
	P_LIST("smtp_host_lookup", "dns"),
	P_INT("smtp_line_length_limit", "998", 0, NOMAX),
	P_TIME("smtp_mail_timeout", "300s", 's', 1, NOMAX),
	P_INT("smtp_mx_address_limit", "5", 0, NOMAX),
	P_INT("smtp_mx_session_limit", "2", 0, NOMAX),
	P_BOOL("smtp_never_send_ehlo", "no"),
	P_TIME("smtp_quit_timeout", "300s", 's', 1, NOMAX),
	P_TIME("smtp_rcpt_timeout", "300s", 's', 1, NOMAX),
	P_TIME("smtp_rset_timeout", "20s", 's', 1, NOMAX),
	P_BOOL("smtp_sasl_auth_enable", "no"),
	P_LIST("smtp_sasl_mechanism_filter", ""),
	P_LIST("smtp_sasl_password_maps", ""),
	P_LIST("smtp_sasl_security_options", "noplaintext, noanonymous"),
	P_LIST("smtp_sasl_tls_security_options", "$smtp_sasl_security_options"),
	P_STR("smtp_sasl_type", "cyrus"),
	P_BOOL("smtp_skip_5xx_greeting", "yes"),
	P_TIME("smtp_starttls_timeout", "300s", 's', 1, NOMAX),
	P_STR("smtp_tls_CAfile", ""),
	P_STR("smtp_tls_CApath", ""),
	P_STR("smtp_tls_cert_file", ""),
	P_STR("smtp_tls_ciphers", "medium"),
	P_STR("smtp_tls_key_file", "$smtp_tls_cert_file"),
	P_INT("smtp_tls_loglevel", "0", 0, 4),
	P_STR("smtp_tls_mandatory_ciphers", "medium"),
	P_LIST("smtp_tls_mandatory_protocols", ">=TLSv1"),
	P_BOOL("smtp_tls_note_starttls_offer", "no"),
	P_LIST("smtp_tls_policy_maps", ""),
	P_LIST("smtp_tls_protocols", ">=TLSv1"),
	P_LIST("smtp_tls_secure_cert_match", "nexthop, dot-nexthop"),
	P_STR("smtp_tls_security_level", ""),
	P_STR("smtp_tls_session_cache_database", ""),
	P_TIME("smtp_tls_session_cache_timeout", "3600s", 's', 0, DAYS_100),
	P_LIST("smtp_tls_verify_cert_match", "hostname"),
	P_BOOL("smtp_use_tls", "no"),
	P_STR("smtpd_banner", "$myhostname ESMTP"),
	P_INT("smtpd_client_connection_count_limit", "50", 0, NOMAX),
	P_INT("smtpd_client_connection_rate_limit", "0", 0, NOMAX),
	P_LIST("smtpd_client_event_limit_exceptions", "$mynetworks"),
	P_INT("smtpd_client_message_rate_limit", "0", 0, NOMAX),
	P_LIST("smtpd_client_restrictions", ""),
	P_LIST("smtpd_data_restrictions", ""),
	P_BOOL("smtpd_delay_reject", "yes"),
	P_STR("smtpd_null_access_lookup_key", "<>"),
	P_STR("smtpd_relay_before_recipient_restrictions", ""),
	P_LIST("smtpd_end_of_data_restrictions", ""),
	P_BOOL("smtpd_enforce_tls", "no"),
	P_TIME("smtpd_error_sleep_time", "1s", 's', 0, NOMAX),
	P_LIST("smtpd_etrn_restrictions", ""),
	P_INT("smtpd_hard_error_limit", "${stress?{1}:{20}}", 1, NOMAX),
	P_BOOL("smtpd_helo_required", "no"),
	P_LIST("smtpd_helo_restrictions", ""),
	P_INT("smtpd_junk_command_limit", "100", 1, NOMAX),
	P_INT("smtpd_min_data_rate", "500", 1, NOMAX),
	P_INT("smtpd_recipient_limit", "1000", 1, NOMAX),
	P_INT("smtpd_recipient_overshoot_limit", "1000", 1, NOMAX),
	P_BOOL("smtpd_per_request_deadline", "${stress?{yes}:{no}}"),
	P_LIST("smtpd_recipient_restrictions", ""),
	P_BOOL("smtpd_reject_unlisted_recipient", "yes"),
	P_BOOL("smtpd_reject_unlisted_sender", "no"),
	P_LIST("smtpd_relay_restrictions", "permit_mynetworks, "
	    "permit_sasl_authenticated, defer_unauth_destination"),
	P_LIST("smtpd_restriction_classes", ""),
	P_BOOL("smtpd_sasl_auth_enable", "no"),
	P_BOOL("smtpd_sasl_authenticated_header", "no"),
	P_LIST("smtpd_sasl_exceptions_networks", ""),
	P_STR("smtpd_sasl_local_domain", ""),
	P_STR("smtpd_sasl_path", "smtpd"),
	P_LIST("smtpd_sasl_security_options", "noanonymous"),
	P_STR("smtpd_sasl_service", "smtp"),
	P_LIST("smtpd_sasl_tls_security_options",
	    "$smtpd_sasl_security_options"),
	P_STR("smtpd_sasl_type", "cyrus"),
	P_LIST("smtpd_sender_login_maps", ""),
	P_LIST("smtpd_sender_restrictions", ""),
	P_INT("smtpd_soft_error_limit", "10", 0, NOMAX),
	P_TIME("smtpd_starttls_timeout", "300s", 's', 1, NOMAX),
	P_TIME("smtpd_timeout", "${stress?{10}:{300}}s", 's', 1, NOMAX),
	P_STR("smtpd_tls_CAfile", ""),
	P_STR("smtpd_tls_CApath", ""),
	P_BOOL("smtpd_tls_ask_ccert", "no"),
	P_BOOL("smtpd_tls_auth_only", "no"),
	P_STR("smtpd_tls_cert_file", ""),
	P_LIST("smtpd_tls_chain_files", ""),
	P_STR("smtpd_tls_ciphers", "medium"),
	P_STR("smtpd_tls_key_file", "$smtpd_tls_cert_file"),
	P_INT("smtpd_tls_loglevel", "0", 0, 4),
	P_STR("smtpd_tls_mandatory_ciphers", "medium"),
	P_LIST("smtpd_tls_mandatory_protocols", ">=TLSv1"),
	P_LIST("smtpd_tls_protocols", ">=TLSv1"),
	P_BOOL("smtpd_tls_received_header", "no"),
	P_BOOL("smtpd_tls_req_ccert", "no"),
	P_STR("smtpd_tls_security_level", ""),
	P_STR("smtpd_tls_session_cache_database", ""),
	P_TIME("smtpd_tls_session_cache_timeout", "3600s", 's', 0, DAYS_100),
	P_BOOL("smtpd_tls_wrappermode", "no"),
	P_BOOL("smtpd_use_tls", "no"),
	P_BOOL("soft_bounce", "no"),
	P_TIME("stale_lock_time", "500s", 's', 1, NOMAX),
	P_STR("stress", ""),
	P_BOOL("strict_rfc821_envelopes", "no"),
	P_BOOL("swap_bangpath", "yes"),
	P_LIST("transport_maps", ""),
	P_TIME("transport_retry_time", "60s", 's', 1, NOMAX),
	P_CODE("unknown_address_reject_code", "450"),
	P_STR("unknown_address_tempfail_action", "$reject_tempfail_action"),
	P_STR("unknown_helo_hostname_tempfail_action", "$reject_tempfail_action"),
	P_CODE("unknown_client_reject_code", "450"),
	P_CODE("unknown_hostname_reject_code", "450"),
	P_CODE("unknown_local_recipient_reject_code", "550"),
	P_CODE("unknown_relay_recipient_reject_code", "550"),
	P_CODE("unknown_virtual_alias_reject_code", "550"),
	P_LIST("virtual_alias_domains", "$virtual_alias_maps"),
	P_LIST("virtual_alias_maps", "$virtual_maps"),
	P_STR("virtual_mailbox_base", ""),
	P_LIST("virtual_mailbox_domains", "$virtual_mailbox_maps"),
	P_SIZE("virtual_mailbox_limit", "51200000", 0, NOMAX),
	P_LIST("virtual_mailbox_maps", ""),
	P_LIST("virtual_maps", ""),
	P_STR("virtual_transport", "virtual"),
};

#define CFG_NPARAM	(sizeof(cfg_table) / sizeof(cfg_table[0]))

enum exp_state { EXP_TODO, EXP_BUSY, EXP_DONE };

/* One name: a table parameter (always present) or a user-defined one. */
struct entry {
	const char	*name;		/* the table's, or owned below */
	char		*owned;		/* a copy of a name not in the table */
	const struct cfg_param *param;	/* NULL: not in the table */
	char		*raw;		/* setting or default, NULL: none */
	const char	*origin;	/* file, CFG_ORIGIN_CMDLINE or NULL */
	size_t		 line;		/* line in origin; 0: none */
	char		*value;		/* expanded, when state is EXP_DONE */
	enum exp_state	 state;
	long long	 num;		/* bool, int, time or size value */
};

/* Growable array of owned strings. */
struct strvec {
	char		**v;
	size_t		  n, cap;
};

struct state {
	char		*file;		/* main.cf name used in messages */
	struct entry	*ent;
	size_t		 n, cap;
	size_t		*slot;		/* hash table: entry index + 1 */
	size_t		 nslot;		/* power of two, or 0 */
	size_t		 total;		/* bytes of all expanded values */
	size_t		 stack[CFG_EXPAND_DEPTH]; /* entries being expanded */
	size_t		 depth;
	size_t		 nest;		/* expand() recursion, all entries */
	struct strvec	 warnings;
	size_t		 dropped;	/* warnings past CFG_WARN_MAX */
	struct strvec	 old;		/* values replaced by cfg_set() */
	struct buf	 err;
	int		 located;	/* err already names file:line */
};

/*
 * The expander is generic: it knows the $name syntax and asks a lookup
 * function for values.  For main.cf the lookup expands the named entry
 * in turn; for cfg_expand() it is the caller's.
 */
struct exp {
	int		(*lookup)(struct exp *, const char *, size_t,
			    const char **);
	void		*ctx;
	const char	*(*user_lookup)(const char *, void *);
	struct buf	*err;
	size_t		*nest;		/* shared by nested expansions */
	size_t		 max;		/* output cap */
};

static struct state *cur;
static char	*cur_dir;

static int	 expand(struct exp *, const char *, size_t, int, struct buf *);
static int	 expand_entry(struct state *, size_t);

/* internal - a programming error: say what and abort */
static noreturn void __attribute__((format(printf, 1, 2)))
internal(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s: fatal: internal error: ", die_progname());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* is_ws - white space inside a main.cf line (NBSP is mapped to ' ') */
static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* is_list_sep - separator between list elements */
static int
is_list_sep(int c)
{
	return c == ',' || c == '\n' || is_ws(c);
}

/* is_alnum - ASCII letter or digit, whatever the locale */
static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* is_ref_char - may appear in a $name reference (as Postfix) */
static int
is_ref_char(int c)
{
	return is_alnum(c) || c == '_';
}

/* is_param_char - may appear in a parameter name being set */
static int
is_param_char(int c)
{
	/* '-' for per-service names such as "smtp-out_destination_...". */
	return is_ref_char(c) || c == '-';
}

/* ref_len - length of the $name reference at s */
static size_t
ref_len(const char *s, size_t len)
{
	size_t	 i = 0;

	while (i < len && is_ref_char((unsigned char)s[i]))
		i++;
	return i;
}

/* show - append at most CFG_SHOW_MAX bytes of s, control bytes escaped */
static void
show(struct buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len && i < CFG_SHOW_MAX; i++) {
		unsigned char	 c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_addc(b, c);
	}
	if (len > CFG_SHOW_MAX)
		buf_adds(b, "...");
}

/* strvec_push - append an owned string */
static void
strvec_push(struct strvec *sv, char *s)
{
	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = xreallocarray(sv->v, sv->cap, sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
}

/* strvec_free - release the strings and the array */
static void
strvec_free(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

/* hash_name - FNV-1a of a name */
static size_t
hash_name(const char *s, size_t len)
{
	uint64_t	 h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* find - index of the entry called name, or SIZE_MAX */
static size_t
find(const struct state *st, const char *name, size_t len)
{
	size_t	 mask, i;

	if (st->nslot == 0)
		return SIZE_MAX;
	mask = st->nslot - 1;
	for (i = hash_name(name, len) & mask; st->slot[i] != 0;
	    i = (i + 1) & mask) {
		const struct entry *e = &st->ent[st->slot[i] - 1];

		if (strncmp(e->name, name, len) == 0 && e->name[len] == '\0')
			return st->slot[i] - 1;
	}
	return SIZE_MAX;
}

/* rehash - grow the hash table to keep it at most half full */
static void
rehash(struct state *st)
{
	size_t	 mask;

	free(st->slot);
	st->nslot = st->nslot ? st->nslot * 2 : 512;
	st->slot = xcalloc(st->nslot, sizeof(*st->slot));
	mask = st->nslot - 1;
	for (size_t k = 0; k < st->n; k++) {
		const char	*name = st->ent[k].name;
		size_t		 i = hash_name(name, strlen(name)) & mask;

		while (st->slot[i] != 0)
			i = (i + 1) & mask;
		st->slot[i] = k + 1;
	}
}

/* add_entry - a new entry called name; the caller knows it is absent */
static size_t
add_entry(struct state *st, const char *name, size_t len,
    const struct cfg_param *param)
{
	struct entry	*e;

	if (st->n == st->cap) {
		/* Room for the table and a few unknown names: every page
		 * touched is a page fault in a short-lived program. */
		st->cap = st->cap ? st->cap * 2 : CFG_NPARAM + 16;
		st->ent = xreallocarray(st->ent, st->cap, sizeof(*st->ent));
	}
	e = &st->ent[st->n++];
	memset(e, 0, sizeof(*e));
	if (param != NULL)
		e->name = param->name;
	else
		e->name = e->owned = xstrndup(name, len);
	e->param = param;
	if (2 * st->n > st->nslot)
		rehash(st);
	else {
		size_t	 mask = st->nslot - 1, i = hash_name(name, len) & mask;

		while (st->slot[i] != 0)
			i = (i + 1) & mask;
		st->slot[i] = st->n;
	}
	return st->n - 1;
}

/* state_new - a state holding every table parameter, nothing set */
static struct state *
state_new(const char *file)
{
	struct state	*st = xcalloc(1, sizeof(*st));

	st->file = xstrdup(file);
	for (size_t i = 0; i < CFG_NPARAM; i++) {
		const char	*name = cfg_table[i].name;
		size_t		 len = strlen(name);

		if (find(st, name, len) != SIZE_MAX)
			internal("parameter %s is twice in the table", name);
		add_entry(st, name, len, &cfg_table[i]);
	}
	return st;
}

/* state_free - release a state and everything it owns */
static void
state_free(struct state *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->n; i++) {
		free(st->ent[i].owned);
		free(st->ent[i].raw);
		free(st->ent[i].value);
	}
	free(st->ent);
	free(st->slot);
	free(st->file);
	strvec_free(&st->warnings);
	strvec_free(&st->old);
	buf_free(&st->err);
	free(st);
}

/* warn - keep a warning for the caller to log; at most CFG_WARN_MAX */
static void __attribute__((format(printf, 2, 3)))
warn(struct state *st, const char *fmt, ...)
{
	struct buf	 b = BUF_INIT;
	va_list		 ap;

	if (st->warnings.n >= CFG_WARN_MAX) {
		st->dropped++;
		return;
	}
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	strvec_push(&st->warnings, buf_release(&b));
}

/* fail - set the error message (without location) and return -1 */
static int __attribute__((format(printf, 2, 3)))
fail(struct buf *err, const char *fmt, ...)
{
	va_list	 ap;

	buf_reset(err);
	va_start(ap, fmt);
	buf_vprintf(err, fmt, ap);
	va_end(ap);
	return -1;
}

/* locate - prefix the error with where entry e was set */
static void
locate(struct state *st, const struct entry *e)
{
	struct buf	 b = BUF_INIT;

	if (e->origin == NULL)
		buf_printf(&b, "%s: default value of %s: ", st->file, e->name);
	else if (e->line == 0)
		buf_printf(&b, "%s: ", e->origin);
	else
		buf_printf(&b, "%s:%zu: ", e->origin, e->line);
	buf_add(&b, st->err.s, st->err.len);
	buf_free(&st->err);
	st->err = b;
	st->located = 1;
}

/*
 * Typed values.  Each parser returns 0, or -1 with a reason.
 */

/* parse_digits - a non-negative decimal number, overflow checked */
static int
parse_digits(const char *s, size_t len, long long *v, const char **why)
{
	long long	 n = 0;

	if (len == 0) {
		*why = "not a number";
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			*why = "not a number";
			return -1;
		}
		if (n > (LLONG_MAX - (s[i] - '0')) / 10) {
			*why = "number too large";
			return -1;
		}
		n = n * 10 + (s[i] - '0');
	}
	*v = n;
	return 0;
}

/* parse_bool - "yes" or "no", any case, as Postfix */
static int
parse_bool(const char *s, long long *v, const char **why)
{
	if (strcasecmp(s, "yes") == 0)
		*v = 1;
	else if (strcasecmp(s, "no") == 0)
		*v = 0;
	else {
		*why = "not \"yes\" or \"no\"";
		return -1;
	}
	return 0;
}

/* parse_int - an optionally negative decimal integer */
static int
parse_int(const char *s, long long *v, const char **why)
{
	int	 neg = s[0] == '-';

	if (parse_digits(s + neg, strlen(s + neg), v, why) < 0)
		return -1;
	if (neg)
		*v = -*v;
	return 0;
}

/* parse_time - number with an optional unit, in seconds */
static int
parse_time(const char *s, char def_unit, long long *v, const char **why)
{
	size_t		 len = strlen(s);
	long long	 n, mult;
	char		 unit = def_unit;

	if (len > 0 && !(s[len - 1] >= '0' && s[len - 1] <= '9'))
		unit = s[--len];
	if (len == 0 || parse_digits(s, len, &n, why) < 0) {
		*why = "not a time (a number with an optional unit s, m, h, "
		    "d or w)";
		return -1;
	}
	switch (unit) {
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = 604800;
		break;
	default:
		*why = "bad time unit (use s, m, h, d or w)";
		return -1;
	}
	if (n > LLONG_MAX / mult) {
		*why = "time too large";
		return -1;
	}
	*v = n * mult;
	return 0;
}

/* check_value - parse a typed value and check its bounds */
static int
check_value(const struct cfg_param *p, const char *s, long long *v,
    struct buf *why)
{
	const char	*reason = NULL;
	int		 r;

	switch (p->type) {
	case T_BOOL:
		r = parse_bool(s, v, &reason);
		break;
	case T_INT:
		r = parse_int(s, v, &reason);
		break;
	case T_TIME:
		r = parse_time(s, p->unit, v, &reason);
		break;
	case T_SIZE:
		r = parse_digits(s, strlen(s), v, &reason);
		if (r < 0 && s[0] == '-')
			reason = "must not be negative";
		break;
	default:
		return 0;
	}
	if (r < 0) {
		buf_sets(why, reason);
		return -1;
	}
	if (p->type == T_BOOL)
		return 0;
	if (*v < p->min || *v > p->max) {
		const char	*u = p->type == T_TIME ? "s" : "";

		buf_reset(why);
		if (*v < p->min)
			buf_printf(why, "must be at least %lld%s", p->min, u);
		else
			buf_printf(why, "must be at most %lld%s", p->max, u);
		return -1;
	}
	return 0;
}

/*
 * The expander.  Syntax as Postfix's mac_expand(3): $name, ${name},
 * $(name), ${name?text}, ${name:text}, ${name?{text1}:{text2}},
 * ${{text1} == {text2}?...} and != , $$ for a dollar.  With eval 0 the
 * text is only checked: the branch not taken is still parsed, never looked
 * up, so it cannot loop.
 */

/* emit - append to the output within the cap */
static int
emit(struct exp *x, struct buf *out, const char *s, size_t len)
{
	if (len > x->max - out->len)
		return fail(x->err, "value longer than %zu bytes after "
		    "expansion", x->max);
	buf_add(out, s, len);
	return 0;
}

/* skip_ws - index of the first non-white-space byte from i */
static size_t
skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && (is_ws((unsigned char)s[i]) || s[i] == '\n'))
		i++;
	return i;
}

/* curly - the {payload} at s[*i] == '{'; *i moves past it and white space */
static int
curly(struct exp *x, const char *s, size_t len, size_t *i,
    const char **pay, size_t *paylen)
{
	size_t	 j, level = 1;

	for (j = *i + 1; j < len; j++) {
		if (s[j] == '{')
			level++;
		else if (s[j] == '}' && --level == 0)
			break;
	}
	if (j == len) {
		struct buf	 t = BUF_INIT;
		int		 r;

		show(&t, s + *i, len - *i);
		r = fail(x->err, "unbalanced {} in \"%s\"", buf_cstr(&t));
		buf_free(&t);
		return r;
	}
	*pay = s + *i + 1;
	*paylen = j - *i - 1;
	*i = skip_ws(s, len, j + 1);
	return 0;
}

/* expand_cond - the "?..." or ":..." part of ${...}; s[0] is '?' or ':' */
static int
expand_cond(struct exp *x, const char *s, size_t len, int eval, int cond,
    struct buf *out)
{
	const char	*t;
	size_t		 tlen, i = 1, j;

	if (s[0] == '?') {
		j = skip_ws(s, len, i);
		if (j == len || s[j] != '{')	/* ${name?text}: rest is text */
			return expand(x, s + i, len - i, eval && cond, out);
		if (curly(x, s, len, &j, &t, &tlen) < 0 ||
		    expand(x, t, tlen, eval && cond, out) < 0)
			return -1;
		if (j == len)
			return 0;
		if (s[j] != ':')
			return fail(x->err, "\":\" expected after \"{%.*s}\"",
			    (int)(tlen > CFG_SHOW_MAX ? CFG_SHOW_MAX : tlen),
			    t);
		i = j + 1;
	}
	j = skip_ws(s, len, i);
	if (j == len || s[j] != '{')		/* ${name:text} */
		return expand(x, s + i, len - i, eval && !cond, out);
	if (curly(x, s, len, &j, &t, &tlen) < 0)
		return -1;
	if (j != len)
		return fail(x->err, "unexpected text after \"{%.*s}\"",
		    (int)(tlen > CFG_SHOW_MAX ? CFG_SHOW_MAX : tlen), t);
	return expand(x, t, tlen, eval && !cond, out);
}

/* expand_logical - ${{text1} == {text2}...} and != */
static int
expand_logical(struct exp *x, const char *s, size_t len, size_t i,
    int eval, struct buf *out)
{
	struct buf	 a = BUF_INIT, b = BUF_INIT;
	const char	*l, *r;
	size_t		 llen, rlen;
	int		 ne, cond = 0, rc = -1;

	if (curly(x, s, len, &i, &l, &llen) < 0)
		goto out;
	if (len - i < 2 || (memcmp(s + i, "==", 2) != 0 &&
	    memcmp(s + i, "!=", 2) != 0)) {
		fail(x->err, "\"==\" or \"!=\" expected after \"{%.*s}\"",
		    (int)(llen > CFG_SHOW_MAX ? CFG_SHOW_MAX : llen), l);
		goto out;
	}
	ne = s[i] == '!';
	i = skip_ws(s, len, i + 2);
	if (i == len || s[i] != '{') {
		fail(x->err, "\"{\" expected after \"%s\"", ne ? "!=" : "==");
		goto out;
	}
	if (curly(x, s, len, &i, &r, &rlen) < 0 ||
	    expand(x, l, llen, eval, &a) < 0 ||
	    expand(x, r, rlen, eval, &b) < 0)
		goto out;
	if (eval)
		cond = (a.len == b.len &&
		    (a.len == 0 || memcmp(a.s, b.s, a.len) == 0)) != ne;
	if (i == len)
		rc = eval && cond ? emit(x, out, "true", 4) : 0;
	else if (s[i] == '?' || s[i] == ':')
		rc = expand_cond(x, s + i, len - i, eval, cond, out);
	else
		fail(x->err, "\"?\" or \":\" expected after \"{%.*s}\"",
		    (int)(rlen > CFG_SHOW_MAX ? CFG_SHOW_MAX : rlen), r);
out:
	buf_free(&a);
	buf_free(&b);
	return rc;
}

/* expand_braced - the text between ${ and } */
static int
expand_braced(struct exp *x, const char *s, size_t len, int eval,
    struct buf *out)
{
	const char	*val = NULL;
	size_t		 n, i = skip_ws(s, len, 0);

	if (i < len && s[i] == '{')
		return expand_logical(x, s, len, i, eval, out);
	n = ref_len(s, len);
	if (n == 0 || (n < len && s[n] != '?' && s[n] != ':')) {
		struct buf	 t = BUF_INIT;
		int		 r;

		show(&t, s, len);
		r = fail(x->err, "bad parameter name in \"${%s}\"",
		    buf_cstr(&t));
		buf_free(&t);
		return r;
	}
	if (eval && x->lookup(x, s, n, &val) < 0)
		return -1;
	if (n == len)
		return val != NULL ? emit(x, out, val, strlen(val)) : 0;
	return expand_cond(x, s + n, len - n, eval, val != NULL && *val,
	    out);
}

/* expand - append the expansion of s to out (with eval 0: check only) */
static int
expand(struct exp *x, const char *s, size_t len, int eval, struct buf *out)
{
	size_t	 i = 0;
	int	 rc = -1;

	if (++*x->nest > CFG_EXPAND_DEPTH) {
		fail(x->err, "references nested more than %d deep",
		    CFG_EXPAND_DEPTH);
		goto out;
	}
	while (i < len) {
		const char	*d = memchr(s + i, '$', len - i);
		size_t		 lit = d ? (size_t)(d - (s + i)) : len - i;
		const char	*val = NULL;

		if (eval && emit(x, out, s + i, lit) < 0)
			goto out;
		i += lit;
		if (d == NULL)
			break;
		i++;
		if (i < len && s[i] == '$') {
			if (eval && emit(x, out, "$", 1) < 0)
				goto out;
			i++;
		} else if (i < len && (s[i] == '{' || s[i] == '(')) {
			char	 open = s[i], close = open == '{' ? '}' : ')';
			size_t	 j, level = 1;

			for (j = i + 1; j < len; j++) {
				if (s[j] == open)
					level++;
				else if (s[j] == close && --level == 0)
					break;
			}
			if (j == len) {
				struct buf	 t = BUF_INIT;

				show(&t, s + i - 1, len - i + 1);
				fail(x->err, "missing \"%c\" in \"%s\"", close,
				    buf_cstr(&t));
				buf_free(&t);
				goto out;
			}
			if (expand_braced(x, s + i + 1, j - i - 1, eval,
			    out) < 0)
				goto out;
			i = j + 1;
		} else {
			size_t	 n = ref_len(s + i, len - i);

			if (n == 0) {
				fail(x->err, "\"$\" not followed by a parameter"
				    " name (write \"$$\" for a dollar sign)");
				goto out;
			}
			if (eval && (x->lookup(x, s + i, n, &val) < 0 ||
			    (val != NULL && emit(x, out, val,
			    strlen(val)) < 0)))
				goto out;
			i += n;
		}
	}
	rc = 0;
out:
	--*x->nest;
	return rc;
}

/*
 * Defaults that depend on the machine or on other settings.
 */

/* add_escaped - append s with each "$" doubled, so it expands to itself */
static void
add_escaped(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '$')
			buf_addc(b, '$');
		buf_addc(b, *s);
	}
}

/* local_hostname - $PIPEMAIL_HOSTNAME, else gethostname(3) */
static void
local_hostname(struct buf *b)
{
	const char	*env = getenv("PIPEMAIL_HOSTNAME");
	char		 host[CFG_HOST_MAX];

	if (env != NULL && *env != '\0') {
		buf_sets(b, env);
		return;
	}
	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		buf_sets(b, "localhost");
	else {
		host[sizeof(host) - 1] = '\0';
		buf_sets(b, host);
	}
}

/* default_raw - the default text of a table entry; NULL for mydomain */
static char *
default_raw(struct state *st, const struct entry *e)
{
	struct buf	 b = BUF_INIT;

	if (e->param->def != NULL)
		return xstrdup(e->param->def);
	if (strcmp(e->name, "config_directory") == 0) {
		add_escaped(&b, cfg_dir());
	} else if (strcmp(e->name, "myhostname") == 0) {
		struct buf	 host = BUF_INIT;

		/* As Postfix: a name without a dot gets ".$mydomain". */
		local_hostname(&host);
		add_escaped(&b, buf_cstr(&host));
		if (strchr(buf_cstr(&host), '.') == NULL)
			buf_adds(&b, st->ent[find(st, "mydomain", 8)].origin !=
			    NULL ? ".$mydomain" : "." CFG_DEF_MYDOMAIN);
		buf_free(&host);
	} else if (strcmp(e->name, "mydomain") == 0) {
		return NULL;		/* derived from $myhostname, lazily */
	} else
		internal("no default for %s", e->name);
	return buf_release(&b);
}

/* derive_mydomain - $myhostname without its first label, or localdomain */
static int
derive_mydomain(struct state *st, struct buf *out)
{
	size_t		 h = find(st, "myhostname", 10);
	const char	*dot;

	if (expand_entry(st, h) < 0)
		return -1;
	dot = strchr(st->ent[h].value, '.');
	if (dot == NULL || dot[1] == '\0')
		buf_sets(out, CFG_DEF_MYDOMAIN);
	else
		buf_sets(out, dot + 1);
	return 0;
}

/* cfg_lookup_entry - expander lookup: the expanded value of an entry */
static int
cfg_lookup_entry(struct exp *x, const char *name, size_t len,
    const char **val)
{
	struct state	*st = x->ctx;
	size_t		 i = find(st, name, len);

	*val = NULL;
	if (i == SIZE_MAX ||
	    (st->ent[i].param == NULL && st->ent[i].raw == NULL))
		return 0;		/* undefined: expands to nothing */
	if (expand_entry(st, i) < 0)
		return -1;
	*val = st->ent[i].value;
	return 0;
}

/* loop_error - describe a reference loop from the expansion stack */
static int
loop_error(struct state *st, size_t idx)
{
	struct buf	 b = BUF_INIT;
	size_t		 k = 0;

	while (k < st->depth && st->stack[k] != idx)
		k++;
	buf_adds(&b, "expansion loop: ");
	for (; k < st->depth; k++)
		buf_printf(&b, "$%s -> ", st->ent[st->stack[k]].name);
	buf_printf(&b, "$%s", st->ent[idx].name);
	buf_free(&st->err);
	st->err = b;
	return -1;
}

/* expand_entry - expand and check one entry, once */
static int
expand_entry(struct state *st, size_t idx)
{
	struct entry	*e = &st->ent[idx];
	struct buf	 out = BUF_INIT, why = BUF_INIT;
	struct exp	 x;
	int		 rc = -1;

	if (e->state == EXP_DONE)
		return 0;
	if (e->state == EXP_BUSY)
		return loop_error(st, idx);
	if (st->depth == CFG_EXPAND_DEPTH)
		return fail(&st->err, "references nested more than %d deep",
		    CFG_EXPAND_DEPTH);
	e->state = EXP_BUSY;
	st->stack[st->depth++] = idx;

	memset(&x, 0, sizeof(x));
	x.lookup = cfg_lookup_entry;
	x.ctx = st;
	x.err = &st->err;
	x.nest = &st->nest;
	x.max = CFG_VALUE_MAX;
	if (e->raw == NULL) {
		if (derive_mydomain(st, &out) < 0)
			goto out;
	} else if (e->param != NULL && e->param->type == T_RAW) {
		buf_sets(&out, e->raw);
	} else if (expand(&x, e->raw, strlen(e->raw), 1, &out) < 0)
		goto out;

	/* Sanity checks. */
	if (e->param != NULL &&
	    check_value(e->param, buf_cstr(&out), &e->num, &why) < 0) {
		struct buf	 v = BUF_INIT;

		show(&v, out.s, out.len);
		fail(&st->err, "bad value \"%s\" for %s: %s", buf_cstr(&v),
		    e->name, buf_cstr(&why));
		buf_free(&v);
		goto out;
	}
	if (out.len > CFG_EXPAND_TOTAL_MAX - st->total) {
		fail(&st->err, "expanded values exceed %d bytes in total",
		    CFG_EXPAND_TOTAL_MAX);
		goto out;
	}
	st->total += out.len;
	e->value = buf_release(&out);
	e->state = EXP_DONE;
	rc = 0;
out:
	st->depth--;
	if (rc < 0) {
		e->state = EXP_TODO;
		if (!st->located && e->origin != NULL)
			locate(st, e);
	}
	buf_free(&out);
	buf_free(&why);
	return rc;
}

/* An entry and where it sorts when values are checked. */
struct order {
	size_t		 key;
	size_t		 idx;
};

/* order_cmp - file settings by line, then command line, then defaults */
static int
order_cmp(const void *a, const void *b)
{
	const struct order	*oa = a, *ob = b;

	if (oa->key != ob->key)
		return oa->key < ob->key ? -1 : 1;
	return oa->idx < ob->idx ? -1 : oa->idx > ob->idx;
}

/* finalize - fill in defaults, expand and check every value */
static int
finalize(struct state *st)
{
	struct order	*order;
	int		 rc = 0;

	/* Values handed out before a cfg_set() stay valid until a load. */
	for (size_t i = 0; i < st->n; i++) {
		struct entry	*e = &st->ent[i];

		if (e->value != NULL)
			strvec_push(&st->old, e->value);
		e->value = NULL;
		e->state = EXP_TODO;
		if (e->param != NULL && e->origin == NULL) {
			free(e->raw);
			e->raw = default_raw(st, e);
		}
	}
	st->total = 0;
	st->depth = 0;
	st->nest = 0;
	st->located = 0;

	/* Report the first bad line of the file first. */
	order = xreallocarray(NULL, st->n, sizeof(*order));
	for (size_t i = 0; i < st->n; i++) {
		const struct entry	*e = &st->ent[i];

		order[i].idx = i;
		order[i].key = e->origin == NULL ? SIZE_MAX :
		    e->line == 0 ? SIZE_MAX - 1 : e->line;
	}
	qsort(order, st->n, sizeof(*order), order_cmp);
	for (size_t k = 0; k < st->n && rc == 0; k++) {
		struct entry	*e = &st->ent[order[k].idx];

		if (e->param == NULL && e->raw == NULL)
			continue;
		if (expand_entry(st, order[k].idx) < 0) {
			if (!st->located)
				locate(st, e);
			rc = -1;
		}
	}
	free(order);
	return rc;
}

/*
 * The parser: logical lines in, settings out.
 */

/* set_param - record name = value from origin:line */
static void
set_param(struct state *st, const char *name, size_t nlen, const char *val,
    size_t vlen, const char *origin, size_t line)
{
	size_t		 i = find(st, name, nlen);
	struct entry	*e;

	if (i == SIZE_MAX) {
		i = add_entry(st, name, nlen, NULL);
		if (line > 0)
			warn(st, "%s:%zu: unknown parameter %s", origin, line,
			    st->ent[i].name);
	}
	e = &st->ent[i];
	free(e->raw);
	e->raw = xstrndup(val, vlen);
	e->origin = origin;
	e->line = line;
}

/* check_name - a parameter name being set: 0, or -1 with a message */
static int
check_name(const char *name, size_t len, struct buf *err)
{
	struct buf	 t = BUF_INIT;
	int		 r = 0;

	if (len == 0)
		return fail(err, "missing parameter name before \"=\"");
	if (len > CFG_NAME_MAX)
		return fail(err, "parameter name longer than %d bytes",
		    CFG_NAME_MAX);
	for (size_t i = 0; i < len && r == 0; i++)
		if (!is_param_char((unsigned char)name[i])) {
			show(&t, name, len);
			r = fail(err, "bad character in parameter name \"%s\"",
			    buf_cstr(&t));
		}
	buf_free(&t);
	return r;
}

/* parse_logical - one logical line "name = value" */
static int
parse_logical(struct state *st, const char *s, size_t len, size_t line)
{
	size_t	 i = 0, n, v, e;

	while (i < len && !is_ws((unsigned char)s[i]) && s[i] != '=')
		i++;
	n = i;
	if (check_name(s, n, &st->err) < 0)
		goto bad;
	i = skip_ws(s, len, i);
	if (i == len || s[i] != '=') {
		fail(&st->err, "missing \"=\" after parameter name \"%.*s\"",
		    (int)n, s);
		goto bad;
	}
	v = skip_ws(s, len, i + 1);
	for (e = len; e > v && is_ws((unsigned char)s[e - 1]); e--)
		;
	set_param(st, s, n, s + v, e - v, st->file, line);
	return 0;
bad:
	{
		struct buf	 b = BUF_INIT;

		buf_printf(&b, "%s:%zu: ", st->file, line);
		buf_add(&b, st->err.s, st->err.len);
		buf_free(&st->err);
		st->err = b;
	}
	return -1;
}

/* parse_text - split text into logical lines and record the settings */
static int
parse_text(struct state *st, const char *text, size_t len)
{
	struct buf	 logical = BUF_INIT, phys = BUF_INIT;
	size_t		 pos = 0, lineno = 0, start = 0;
	int		 have = 0, nbsp = 0, orphan = 0, rc = -1;

	while (pos < len) {
		const char	*s = text + pos;
		const char	*nl = memchr(s, '\n', len - pos);
		size_t		 n = nl ? (size_t)(nl - s) : len - pos, i;

		pos += n + (nl != NULL);
		lineno++;
		if (n > CFG_LINE_MAX) {
			fail(&st->err, "%s:%zu: line longer than %d bytes",
			    st->file, lineno, CFG_LINE_MAX);
			goto out;
		}
		if (memchr(s, '\0', n) != NULL) {
			fail(&st->err, "%s:%zu: NUL byte in line", st->file,
			    lineno);
			goto out;
		}

		/* U+00A0 pasted from web pages: white space, one warning. */
		buf_reset(&phys);
		for (i = 0; i < n; i++) {
			if ((unsigned char)s[i] == 0xc2 && i + 1 < n &&
			    (unsigned char)s[i + 1] == 0xa0) {
				if (!nbsp++)
					warn(st, "%s:%zu: no-break space "
					    "(U+00A0) read as white space",
					    st->file, lineno);
				buf_addc(&phys, ' ');
				i++;
			} else
				buf_addc(&phys, s[i]);
		}

		/* Blank and comment lines do not end a logical line. */
		i = skip_ws(buf_cstr(&phys), phys.len, 0);
		if (i == phys.len || phys.s[i] == '#')
			continue;
		if (i > 0) {
			if (!have) {
				if (!orphan++)
					warn(st, "%s:%zu: continuation line "
					    "with no parameter before it: "
					    "ignored", st->file, lineno);
				continue;
			}
			if (logical.len + phys.len > CFG_LINE_MAX) {
				fail(&st->err, "%s:%zu: logical line longer "
				    "than %d bytes", st->file, start,
				    CFG_LINE_MAX);
				goto out;
			}
			buf_add(&logical, phys.s, phys.len);
			continue;
		}
		if (have && parse_logical(st, logical.s, logical.len,
		    start) < 0)
			goto out;
		buf_set(&logical, phys.s, phys.len);
		start = lineno;
		have = 1;
	}
	if (have && parse_logical(st, logical.s, logical.len, start) < 0)
		goto out;
	rc = 0;
out:
	buf_free(&logical);
	buf_free(&phys);
	return rc;
}

/*
 * The public interface.
 */

/* absolute - dir made absolute against the working directory */
static char *
absolute(const char *dir)
{
	struct buf	 b = BUF_INIT;
	char		*cwd;

	if (dir[0] != '/' && (cwd = getcwd(NULL, 0)) != NULL) {
		buf_adds(&b, cwd);
		free(cwd);
		if (strcmp(dir, ".") != 0) {
			buf_addc(&b, '/');
			buf_adds(&b, dir);
		}
	} else
		buf_adds(&b, dir);
	while (b.len > 1 && b.s[b.len - 1] == '/')
		buf_truncate(&b, b.len - 1);
	return buf_release(&b);
}

/* resolve_dir - the argument, else $MAIL_CONFIG, else the built-in one */
static char *
resolve_dir(const char *dir)
{
	const char	*env = getenv("MAIL_CONFIG");

	if (dir == NULL || *dir == '\0')
		dir = env != NULL && *env != '\0' ? env : PIPEMAIL_SYSCONFDIR;
	return absolute(dir);
}

/* cfg_dir - the configuration directory in use */
const char *
cfg_dir(void)
{
	if (cur_dir == NULL)
		cur_dir = resolve_dir(NULL);
	return cur_dir;
}

/* setid_caller - set-user-id or set-group-id, run by a user not root:
 * the caller may not choose the configuration (Postfix's rule) */
static int
setid_caller(void)
{
	return getuid() != 0 &&
	    (geteuid() != getuid() || getegid() != getgid());
}

/* owner_trusted - may a set-id program trust a file owned by uid: root's,
 * or a set-user-id program's own user's (never the caller's) */
static int
owner_trusted(uid_t uid)
{
	return uid == 0 || (geteuid() != getuid() && uid == geteuid());
}

/*
 * read_main_cf - DIR/main.cf into text, checked on the descriptors it is
 * read through: with trusted set, the file is opened without following
 * a link, and it and the directory it was opened in must each be root's
 * (or a set-user-id program's own user's) and writable by nobody else.
 * Returns with text empty when there is no main.cf (all defaults); dies
 * with EX_CONFIG, or EX_NOPERM when it is not trusted.
 */
static void
read_main_cf(const char *dir, const char *path, struct buf *text,
    int trusted)
{
	const char	*dsn = exit_info(EX_CONFIG)->dsn;
	int		 nofollow = trusted ? O_NOFOLLOW : 0;
	int		 dfd, fd;
	struct stat	 sb;

	/* The directory may be a link: what it opens is what is checked. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &sb) < 0)
		die_perm(EX_CONFIG, "%s configuration directory %s: %s", dsn,
		    dir, errno == ENOTDIR ? "not a directory" :
		    strerror(errno));
	if (trusted && (!owner_trusted(sb.st_uid) ||
	    (sb.st_mode & (S_IWGRP | S_IWOTH))))
		die_perm(EX_NOPERM, "5.7.1 %s is not root's alone: refused "
		    "to a set-group-id program", dir);
	fd = openat(dfd, CFG_MAIN_CF, O_RDONLY | O_NONBLOCK | O_CLOEXEC |
	    nofollow);
	close(dfd);
	if (fd < 0) {
		if (errno == ENOENT)
			return;		/* no main.cf: all defaults */
		die_perm(EX_CONFIG, "%s cannot read %s: %s", dsn, path,
		    strerror(errno));
	}
	if (fstat(fd, &sb) < 0)
		die_perm(EX_CONFIG, "%s cannot read %s: %s", dsn, path,
		    strerror(errno));
	if (!S_ISREG(sb.st_mode))
		die_perm(EX_CONFIG, "%s cannot read %s: not a file", dsn, path);
	if (trusted && (!owner_trusted(sb.st_uid) ||
	    (sb.st_mode & (S_IWGRP | S_IWOTH))))
		die_perm(EX_NOPERM, "5.7.1 %s is not root's alone: refused "
		    "to a set-group-id program", path);
	if (fd_read_file(fd, text, CFG_FILE_MAX) < 0) {
		if (errno == EFBIG)
			die_perm(EX_CONFIG, "%s %s: larger than %d bytes", dsn,
			    path, CFG_FILE_MAX);
		die_perm(EX_CONFIG, "%s cannot read %s: %s", dsn, path,
		    strerror(errno));
	}
	close(fd);
}

/* load_dir - cur_dir/main.cf parsed into the current state, or die */
static void
load_dir(struct buf *path, int trusted)
{
	const char	*dsn = exit_info(EX_CONFIG)->dsn;
	struct buf	 text = BUF_INIT, err = BUF_INIT;

	buf_reset(path);
	buf_printf(path, "%s/%s", strcmp(cur_dir, "/") == 0 ? "" : cur_dir,
	    CFG_MAIN_CF);
	read_main_cf(cur_dir, buf_cstr(path), &text, trusted);
	if (cfg_load_text(buf_cstr(&text), text.len, buf_cstr(path),
	    &err) < 0)
		die_perm(EX_CONFIG, "%s %s", dsn, buf_cstr(&err));
	buf_free(&text);
	buf_free(&err);
}

/* alternate_ok - does the loaded (default) configuration's
 * alternate_config_directories name dir? */
static int
alternate_ok(const char *dir)
{
	struct cfg_list	 l = { NULL, 0 };
	int		 ok = 0;

	cfg_get_list("alternate_config_directories", &l);
	for (size_t i = 0; i < l.n && !ok; i++) {
		char	*a = absolute(l.v[i]);

		ok = l.v[i][0] == '/' && strcmp(a, dir) == 0;
		free(a);
	}
	cfg_list_free(&l);
	return ok;
}

/* log_open_as_caller - open the log with the real user and group ids, so
 * that a set-group-id program never creates or appends to a file with
 * its privilege */
static void
log_open_as_caller(const char *logpath)
{
	uid_t	 eu = geteuid();
	gid_t	 eg = getegid();

	if (eg != getgid() && setegid(getgid()) < 0)
		die_temp("4.3.0 setegid: %s", strerror(errno));
	if (eu != getuid() && seteuid(getuid()) < 0)
		die_temp("4.3.0 seteuid: %s", strerror(errno));
	/* One the caller cannot write means syslog, without a complaint. */
	if (logpath != NULL) {
		int	 fd = open(logpath, O_WRONLY | O_APPEND | O_CLOEXEC |
		    O_NOFOLLOW | O_NONBLOCK);

		if (fd < 0)
			logpath = NULL;
		else
			close(fd);
	}
	log_open(die_progname(), logpath);
	if ((eu != geteuid() && seteuid(eu) < 0) ||
	    (eg != getegid() && setegid(eg) < 0))
		die_temp("4.3.0 cannot regain set-id privilege: %s",
		    strerror(errno));
}

/*
 * cfg_load - read DIR/main.cf or die with EX_CONFIG.  Run set-user-id or
 * set-group-id by a user other than root, DIR and $MAIL_CONFIG are
 * ignored unless the default configuration's alternate_config_directories
 * names the directory, and main.cf must be root's alone.
 */
void
cfg_load(const char *dir)
{
	struct buf	 path = BUF_INIT;
	const char	*logfile;
	char		*logpath, *want, *ignored = NULL;
	int		 setid = setid_caller();

	free(cur_dir);
	cur_dir = NULL;
	want = resolve_dir(dir);
	if (setid && strcmp(want, PIPEMAIL_SYSCONFDIR) != 0) {
		/* The default configuration says which others are allowed. */
		cur_dir = absolute(PIPEMAIL_SYSCONFDIR);
		load_dir(&path, 1);
		if (alternate_ok(want)) {
			free(cur_dir);
			cur_dir = want;
			want = NULL;
			load_dir(&path, 1);
		}
		ignored = want;
	} else {
		cur_dir = want;
		load_dir(&path, setid);
	}

	/* Now that we know where to log, say what was odd. */
	logfile = cfg_get("maillog_file");
	logpath = *logfile != '\0' ? cfg_path(logfile) : NULL;
	if (setid)
		log_open_as_caller(logpath);
	else
		log_open(die_progname(), logpath);
	free(logpath);
	if (ignored != NULL)
		log_warnx("configuration directory %s ignored: not in "
		    "alternate_config_directories of %s", ignored,
		    PIPEMAIL_SYSCONFDIR);
	free(ignored);
	for (size_t i = 0; i < cur->warnings.n; i++)
		log_warnx("%s", cur->warnings.v[i]);
	if (cur->dropped > 0)
		log_warnx("%s: %zu more warnings not shown", buf_cstr(&path),
		    cur->dropped);
	buf_free(&path);
}

/* cfg_load_text - parse main.cf text; 0, or -1 with "file:line: why" */
int
cfg_load_text(const char *text, size_t len, const char *file, struct buf *err)
{
	struct state	*st = state_new(file != NULL ? file : CFG_MAIN_CF);

	if (len > CFG_FILE_MAX) {
		fail(&st->err, "%s: larger than %d bytes", st->file,
		    CFG_FILE_MAX);
		goto bad;
	}
	if (parse_text(st, text, len) < 0 || finalize(st) < 0)
		goto bad;
	state_free(cur);
	cur = st;
	return 0;
bad:
	if (err != NULL)
		buf_set(err, st->err.s, st->err.len);
	state_free(st);
	return -1;
}

/* need - the loaded entry for a table parameter; aborts otherwise */
static struct entry *
need(const char *name, const char *caller)
{
	size_t	 i;

	if (cur == NULL)
		internal("%s(\"%s\") before the configuration was loaded",
		    caller, name);
	i = find(cur, name, strlen(name));
	if (i == SIZE_MAX || cur->ent[i].param == NULL)
		internal("%s: \"%s\" is not a known parameter", caller, name);
	return &cur->ent[i];
}

/* need_type - as need(), and of one of two types */
static struct entry *
need_type(const char *name, const char *caller, enum cfg_type t1,
    enum cfg_type t2)
{
	struct entry	*e = need(name, caller);

	if (e->param->type != t1 && e->param->type != t2)
		internal("%s: parameter %s has another type", caller, name);
	return e;
}

/* cfg_get - the expanded value of a table parameter */
const char *
cfg_get(const char *name)
{
	return need(name, "cfg_get")->value;
}

/* cfg_get_bool - a yes/no parameter as 1/0 */
int
cfg_get_bool(const char *name)
{
	return (int)need_type(name, "cfg_get_bool", T_BOOL, T_BOOL)->num;
}

/* cfg_get_int - an integer (or byte count) parameter */
long long
cfg_get_int(const char *name)
{
	return need_type(name, "cfg_get_int", T_INT, T_SIZE)->num;
}

/* cfg_get_time - a time parameter in seconds */
long long
cfg_get_time(const char *name)
{
	return need_type(name, "cfg_get_time", T_TIME, T_TIME)->num;
}

/* cfg_get_size - a byte count (or integer) parameter */
long long
cfg_get_size(const char *name)
{
	return need_type(name, "cfg_get_size", T_SIZE, T_INT)->num;
}

/* cfg_get_list - a parameter split as a list; free with cfg_list_free */
void
cfg_get_list(const char *name, struct cfg_list *list)
{
	cfg_split_list(need(name, "cfg_get_list")->value, list);
}

/* cfg_lookup - the expanded value of any parameter, NULL if undefined */
const char *
cfg_lookup(const char *name)
{
	size_t	 i;

	if (cur == NULL)
		internal("cfg_lookup(\"%s\") before the configuration was "
		    "loaded", name);
	i = find(cur, name, strlen(name));
	if (i == SIZE_MAX || cur->ent[i].state != EXP_DONE)
		return NULL;
	return cur->ent[i].value;
}

/* cfg_set - override a parameter as "-o name=value" does */
int
cfg_set(const char *name, const char *value, struct buf *err)
{
	struct buf	 msg = BUF_INIT;
	size_t		 i;
	struct entry	*e;
	char		*old_raw;
	const char	*old_origin;
	size_t		 old_line;

	if (cur == NULL)
		internal("cfg_set(\"%s\") before the configuration was loaded",
		    name);
	if (check_name(name, strlen(name), &msg) < 0 ||
	    (strchr(value, '\n') != NULL &&
	    fail(&msg, "newline in the value of %s", name) < 0) ||
	    (strlen(value) > CFG_LINE_MAX &&
	    fail(&msg, "value of %s longer than %d bytes", name,
	    CFG_LINE_MAX) < 0)) {
		if (err != NULL) {
			buf_reset(err);
			buf_printf(err, "%s: %s", CFG_ORIGIN_CMDLINE,
			    buf_cstr(&msg));
		}
		buf_free(&msg);
		return -1;
	}
	buf_free(&msg);
	i = find(cur, name, strlen(name));
	if (i == SIZE_MAX)
		i = add_entry(cur, name, strlen(name), NULL);
	e = &cur->ent[i];
	old_raw = e->raw;
	old_origin = e->origin;
	old_line = e->line;
	e->raw = xstrdup(value);
	e->origin = CFG_ORIGIN_CMDLINE;
	e->line = 0;
	if (finalize(cur) == 0) {
		free(old_raw);
		return 0;
	}

	/* Put the old setting back; it was good before. */
	if (err != NULL)
		buf_set(err, cur->err.s, cur->err.len);
	e = &cur->ent[i];
	free(e->raw);
	e->raw = old_raw;
	e->origin = old_origin;
	e->line = old_line;
	if (finalize(cur) < 0)
		internal("cannot restore %s: %s", name, buf_cstr(&cur->err));
	return -1;
}

/* cfg_path - p if absolute, else p relative to the configuration dir */
char *
cfg_path(const char *p)
{
	struct buf	 b = BUF_INIT;
	const char	*dir;

	if (p[0] == '/' || p[0] == '\0')
		return xstrdup(p);
	dir = cfg_dir();
	buf_printf(&b, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, p);
	return buf_release(&b);
}

/* cfg_warning_count - warnings from the last load */
size_t
cfg_warning_count(void)
{
	return cur != NULL ? cur->warnings.n : 0;
}

/* cfg_warning - the i-th warning ("file:line: text"), NULL past the end */
const char *
cfg_warning(size_t i)
{
	return cur != NULL && i < cur->warnings.n ? cur->warnings.v[i] : NULL;
}

/* cfg_param_name - the i-th table parameter, NULL past the end */
const char *
cfg_param_name(size_t i)
{
	return i < CFG_NPARAM ? cfg_table[i].name : NULL;
}

/* user_lookup - cfg_expand() lookup: the caller's, names NUL-terminated */
static int
user_lookup(struct exp *x, const char *name, size_t len, const char **val)
{
	char	 tmp[CFG_NAME_MAX + 1];

	*val = NULL;
	if (len > CFG_NAME_MAX)
		return 0;		/* no such name can be defined */
	memcpy(tmp, name, len);
	tmp[len] = '\0';
	*val = x->user_lookup(tmp, x->ctx);
	return 0;
}

/* cfg_expand - expand $name in text with the caller's values */
int
cfg_expand(const char *text, const char *(*lookup)(const char *, void *),
    void *ctx, struct buf *out, struct buf *err)
{
	struct buf	 msg = BUF_INIT;
	struct exp	 x;
	size_t		 start = out->len, nest = 0;
	int		 r;

	memset(&x, 0, sizeof(x));
	x.lookup = user_lookup;
	x.user_lookup = lookup;
	x.ctx = ctx;
	x.err = &msg;
	x.nest = &nest;
	x.max = out->len + CFG_VALUE_MAX;
	r = expand(&x, text, strlen(text), 1, out);
	if (r < 0) {
		buf_truncate(out, start);
		if (err != NULL)
			buf_set(err, msg.s, msg.len);
	}
	buf_free(&msg);
	return r;
}

/* next_elem - the next list element of s from *p; 0 at the end */
static int
next_elem(const char **p, const char **start, size_t *len)
{
	const char	*s = *p;
	size_t		 level = 0;

	while (*s != '\0' && is_list_sep((unsigned char)*s))
		s++;
	if (*s == '\0')
		return 0;
	*start = s;
	/* A {...} group is one element; braces nest; unbalanced: the rest. */
	for (; *s != '\0'; s++) {
		if (*s == '{')
			level++;
		else if (*s == '}' && level > 0)
			level--;
		else if (level == 0 && is_list_sep((unsigned char)*s))
			break;
	}
	*len = (size_t)(s - *start);
	*p = s;
	return 1;
}

/* cfg_split_list - split on commas and white space; v is NULL-terminated */
void
cfg_split_list(const char *s, struct cfg_list *list)
{
	const char	*p = s, *start;
	size_t		 len, n = 0;

	while (next_elem(&p, &start, &len))
		n++;
	list->v = xreallocarray(NULL, n + 1, sizeof(*list->v));
	list->n = 0;
	p = s;
	while (next_elem(&p, &start, &len))
		list->v[list->n++] = xstrndup(start, len);
	list->v[list->n] = NULL;
}

/* cfg_list_free - release what cfg_split_list() or cfg_get_list() made */
void
cfg_list_free(struct cfg_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

/* cfg_parse_time - "10", "10s", "5m"...; a bare number is in unit */
int
cfg_parse_time(const char *s, char unit, long long *secs)
{
	const char	*why;

	return parse_time(s, unit, secs, &why);
}

/* cfg_parse_bool - "yes" or "no" in any case */
int
cfg_parse_bool(const char *s, int *b)
{
	const char	*why;
	long long	 v;

	if (parse_bool(s, &v, &why) < 0)
		return -1;
	*b = (int)v;
	return 0;
}
