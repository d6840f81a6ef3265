/*
 * dsn - RFC 3464 delivery status notifications.
 */
#include "dsn.h"

#include <stdio.h>
#include <string.h>

#include "header.h"

/* header_end - length of the header section of a message */
static size_t
header_end(const char *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i] == '\n' && (i + 1 == n || m[i + 1] == '\n'))
			return i + 1;
	return n;
}

/* dsn_compose - the whole report message (see dsn.h) */
void
dsn_compose(struct buf *out, const struct dsn_report *r)
{
	struct buf	 date = BUF_INIT, arrival = BUF_INIT;
	char		 boundary[128];
	const char	*what;
	int		 failed = 0, delayed = 0;
	int		 full = strcmp(r->ret, "HDRS") != 0 &&
			    r->orig_len <= DSN_RETURN_MAX;

	for (size_t i = 0; i < r->nrcpt; i++) {
		if (strcmp(r->rcpt[i].action, "failed") == 0)
			failed++;
		else if (strcmp(r->rcpt[i].action, "delayed") == 0)
			delayed++;
	}
	hdr_date(&date, r->now, hdr_tz_offset(r->now));
	hdr_date(&arrival, r->arrival, hdr_tz_offset(r->arrival));
	snprintf(boundary, sizeof(boundary), "%s.%lld/%s", r->queue_id,
	    (long long)r->now, r->hostname);

	/* RFC 3464 2: a multipart/report of report-type delivery-status. */
	buf_printf(out, "From: %s (Mail Delivery System)\n", r->from);
	buf_printf(out, "To: %s\n", r->to);
	buf_printf(out, "Subject: %s\n", failed ?
	    "Undelivered Mail Returned to Sender" : delayed ?
	    "Delayed Mail (still being retried)" :
	    "Successful Mail Delivery Report");
	buf_printf(out, "Date: %s\n", buf_cstr(&date));
	buf_printf(out, "Message-ID: <%s.%lld.report@%s>\n", r->queue_id,
	    (long long)r->now, r->hostname);
	buf_adds(out, "Auto-Submitted: auto-replied\n");
	buf_adds(out, "MIME-Version: 1.0\n");
	buf_printf(out, "Content-Type: multipart/report; "
	    "report-type=delivery-status;\n\tboundary=\"%s\"\n", boundary);
	buf_adds(out, "Content-Transfer-Encoding: 8bit\n\n");
	buf_adds(out, "This is a MIME-encapsulated message.\n\n");

	/* The notice for people. */
	buf_printf(out, "--%s\n", boundary);
	buf_adds(out, "Content-Description: Notification\n"
	    "Content-Type: text/plain; charset=us-ascii\n\n");
	buf_printf(out, "This is the mail system at host %s.\n\n",
	    r->hostname);
	if (failed)
		buf_adds(out, "I'm sorry to have to inform you that your "
		    "message could not\nbe delivered to one or more "
		    "recipients. It's attached below.\n\n");
	else if (delayed)
		buf_adds(out, "Your message could not be delivered yet to "
		    "one or more recipients.\nThe mail system will keep "
		    "trying; you need not send it again.\n\n");
	else
		buf_adds(out, "Your message was delivered to the "
		    "recipients listed below.\n\n");
	buf_adds(out, "                   The mail system\n\n");
	for (size_t i = 0; i < r->nrcpt; i++)
		buf_printf(out, "<%s>: %s\n", r->rcpt[i].final,
		    r->rcpt[i].diag);
	buf_adds(out, "\n");

	/* RFC 3464 2.2 and 2.3: per-message, then per-recipient fields. */
	buf_printf(out, "--%s\n", boundary);
	buf_adds(out, "Content-Description: Delivery report\n"
	    "Content-Type: message/delivery-status\n\n");
	buf_printf(out, "Reporting-MTA: dns; %s\n", r->hostname);
	buf_printf(out, "X-Pipemail-Queue-ID: %s\n", r->queue_id);
	if (*r->envid)
		buf_printf(out, "Original-Envelope-Id: %s\n", r->envid);
	buf_printf(out, "Arrival-Date: %s\n", buf_cstr(&arrival));
	for (size_t i = 0; i < r->nrcpt; i++) {
		const struct dsn_rcpt *d = &r->rcpt[i];

		buf_printf(out, "\nFinal-Recipient: rfc822; %s\n", d->final);
		if (d->original && *d->original)
			buf_printf(out, "Original-Recipient: %s\n",
			    d->original);
		buf_printf(out, "Action: %s\n", d->action);
		buf_printf(out, "Status: %s\n", d->status);
		buf_printf(out, "Diagnostic-Code: X-Pipemail; %s\n", d->diag);
		if (strcmp(d->action, "delayed") == 0)
			buf_printf(out, "Last-Attempt-Date: %s\n",
			    buf_cstr(&date));
	}
	buf_adds(out, "\n");

	/* The original: whole, or its headers. */
	what = failed || delayed ? "Undelivered" : "Delivered";
	buf_printf(out, "--%s\n", boundary);
	if (full) {
		buf_printf(out, "Content-Description: %s Message\n"
		    "Content-Type: message/rfc822\n\n", what);
		buf_add(out, r->orig, r->orig_len);
	} else {
		buf_printf(out, "Content-Description: %s Message Headers\n"
		    "Content-Type: text/rfc822-headers\n\n", what);
		buf_add(out, r->orig, header_end(r->orig, r->orig_len));
	}
	if (out->len && out->s[out->len - 1] != '\n')
		buf_addc(out, '\n');
	buf_printf(out, "\n--%s--\n", boundary);
	buf_free(&date);
	buf_free(&arrival);
}
