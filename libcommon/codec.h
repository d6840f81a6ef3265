/*
 * codec - the digit tables and the UTF-8 check that the MIME, RFC 2047,
 * xtext and SMTPUTF8 code share.  Pure.
 *
 * codec_hex_value() and codec_b64_value() return the value of one hex or
 * base64 (RFC 2045 6.8) digit, or -1.  codec_utf8_valid() is 1 for
 * well-formed UTF-8 (no overlong forms, no surrogates, nothing past
 * U+10FFFF) and 0 otherwise.
 */
#ifndef PIPEMAIL_CODEC_H
#define PIPEMAIL_CODEC_H

#include <stddef.h>

int	 codec_hex_value(unsigned char);
int	 codec_b64_value(unsigned char);
int	 codec_utf8_valid(const unsigned char *, size_t);

#endif
