/* out.h - the one output layer the dump uses: string and number formatting
 * into a caller's buffer, and bounded writes of whole lines to an fd.
 * Context: AS-safe, every function (no malloc, no stdio, errno preserved). */
#ifndef CRASHDUMP_OUT_H
#define CRASHDUMP_OUT_H

#include <stddef.h>
#include <stdint.h>

/* AS-safe.  Small string helpers (libc's are not all guaranteed AS-safe). */
size_t cd_strlen(const char *s);
/* Copies at most size-1 bytes and terminates; returns strlen(src). */
size_t cd_strlcpy(char *dst, const char *src, size_t size);
int cd_strneq(const char *a, const char *b, size_t n);

/* AS-safe.  Formats into buf (no terminator); returns the length.
 * buf must hold 20 bytes for decimal, 18 for "0x" + 16 hex digits. */
size_t cd_fmt_udec(char *buf, unsigned long long v);
size_t cd_fmt_dec(char *buf, long long v);
size_t cd_fmt_hex(char *buf, unsigned long long v); /* "0x1f" */

/* AS-safe.  Parses a decimal number; returns -1 on anything else. */
long long cd_parse_udec(const char *s, size_t len);

/* A report being written: appended to a buffer, written out in whole lines
 * when the buffer fills, with a deadline on writes that make no progress. */
struct cd_out {
	int fd;
	char *buf;
	size_t len, cap;
	int failed;                /* a write failed: further output is dropped */
	int in_part;               /* a report part is being written (see report/part.c) */
	size_t part_start;         /* where it began in buf */
	int part_flushed;          /* some of it was already written out */
};

/* AS-safe. */
void cd_out_init(struct cd_out *o, int fd, char *buf, size_t cap);
void cd_out_mem(struct cd_out *o, const char *s, size_t n);
void cd_out_str(struct cd_out *o, const char *s);
void cd_out_char(struct cd_out *o, char c);
void cd_out_udec(struct cd_out *o, unsigned long long v);
void cd_out_dec(struct cd_out *o, long long v);
void cd_out_hex(struct cd_out *o, unsigned long long v);
/* A JSON string literal with its quotes; bytes below 0x20, '"' and '\\'
 * escaped; invalid UTF-8 is passed through as \u00XX escapes of its bytes. */
void cd_out_json_str(struct cd_out *o, const char *s);
/* A name or path of the text report: control bytes, DEL, '"' and '\\' as
 * \xNN, so that a thread named "two\nlines" stays on its header line and
 * a quoted name ends at its closing quote. */
void cd_out_text(struct cd_out *o, const char *s);
/* Ends a line; writes the buffer out when it is more than half full so
 * that lines leave whole (not inside a report part, which must stay in the
 * buffer so that a part that faults can be taken back). */
void cd_out_eol(struct cd_out *o);
/* Writes everything still buffered. */
void cd_out_flush(struct cd_out *o);

/* AS-safe.  Writes all of buf to fd (EINTR, EAGAIN and short writes
 * handled, each wait bounded by CD_WRITE_DEADLINE_MS).  0 or -1. */
int cd_write_all(int fd, const char *buf, size_t n);

/* AS-safe.  CLOCK_MONOTONIC in nanoseconds. */
int64_t cd_now_ns(void);

/* AS-safe.  "2026-11-27T11:00:00Z" (20 bytes) for seconds since the epoch. */
size_t cd_fmt_utc(char *buf, long long t);

#endif
