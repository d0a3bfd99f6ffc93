/* out.c - formatting and bounded, whole-line writing of reports.
 * Context: AS-safe throughout; errno is saved and restored by every writer. */
#include "base/out.h"
#include "base/bounds.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

size_t cd_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t cd_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = cd_strlen(src);
	if (size) {
		size_t k = n < size - 1 ? n : size - 1;
		for (size_t i = 0; i < k; i++)
			dst[i] = src[i];
		dst[k] = 0;
	}
	return n;
}

int cd_strneq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i])
			return 0;
		if (!a[i])
			return 1;
	}
	return 1;
}

size_t cd_fmt_udec(char *buf, unsigned long long v)
{
	char tmp[20];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

size_t cd_fmt_dec(char *buf, long long v)
{
	if (v < 0) {
		buf[0] = '-';
		return 1 + cd_fmt_udec(buf + 1, 0ULL - (unsigned long long)v);
	}
	return cd_fmt_udec(buf, (unsigned long long)v);
}

size_t cd_fmt_hex(char *buf, unsigned long long v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	size_t n = 0;
	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v);
	buf[0] = '0';
	buf[1] = 'x';
	for (size_t i = 0; i < n; i++)
		buf[2 + i] = tmp[n - 1 - i];
	return n + 2;
}

long long cd_parse_udec(const char *s, size_t len)
{
	long long v = 0;
	if (len == 0 || len > 18)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int64_t cd_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Each wait for a writable fd is bounded, so a full pipe whose reader is
 * stopped delays the dump by at most CD_WRITE_DEADLINE_MS. */
int cd_write_all(int fd, const char *buf, size_t n)
{
	int saved = errno, rc = 0;
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w > 0) {
			buf += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			int r = poll(&p, 1, CD_WRITE_DEADLINE_MS);
			if (r > 0 || (r < 0 && errno == EINTR))
				continue;
		}
		rc = -1;
		break;
	}
	errno = saved;
	return rc;
}

void cd_out_init(struct cd_out *o, int fd, char *buf, size_t cap)
{
	o->fd = fd;
	o->buf = buf;
	o->len = 0;
	o->cap = cap;
	o->failed = 0;
	o->in_part = 0;
	o->part_start = 0;
	o->part_flushed = 0;
}

void cd_out_flush(struct cd_out *o)
{
	if (o->in_part)
		o->part_flushed = 1;
	if (o->len && !o->failed) {
		if (cd_write_all(o->fd, o->buf, o->len) < 0)
			o->failed = 1;
	}
	o->len = 0;
}

void cd_out_mem(struct cd_out *o, const char *s, size_t n)
{
	while (n > 0) {
		if (o->len == o->cap)
			cd_out_flush(o);
		size_t room = o->cap - o->len, k = n < room ? n : room;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
}

void cd_out_str(struct cd_out *o, const char *s)
{
	cd_out_mem(o, s, cd_strlen(s));
}

/* The report is written a byte at a time in many places: the common case
 * stays a store. */
void cd_out_char(struct cd_out *o, char c)
{
	if (o->len < o->cap)
		o->buf[o->len++] = c;
	else
		cd_out_mem(o, &c, 1);
}

void cd_out_udec(struct cd_out *o, unsigned long long v)
{
	char b[24];
	cd_out_mem(o, b, cd_fmt_udec(b, v));
}

void cd_out_dec(struct cd_out *o, long long v)
{
	char b[24];
	cd_out_mem(o, b, cd_fmt_dec(b, v));
}

void cd_out_hex(struct cd_out *o, unsigned long long v)
{
	char b[24];
	cd_out_mem(o, b, cd_fmt_hex(b, v));
}

/* Decodes one UTF-8 sequence at s; returns its length, or 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
		n = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3;
	else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void cd_out_json_str(struct cd_out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	cd_out_char(o, '"');
	while (*p) {
		size_t n = utf8_len(p);
		if (n == 1 && *p >= 0x20 && *p != '"' && *p != '\\') {
			cd_out_char(o, (char)*p);
		} else if (*p == '"' || *p == '\\') {
			char e[2] = { '\\', (char)*p };
			cd_out_mem(o, e, 2);
		} else if (n > 1) {
			cd_out_mem(o, (const char *)p, n);
			p += n;
			continue;
		} else {
			char e[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };
			cd_out_mem(o, e, 6);
		}
		p++;
	}
	cd_out_char(o, '"');
}

static int plain_text(unsigned char c)
{
	return c >= 0x20 && c != 0x7f && c != '"' && c != '\\';
}

/* Runs of plain bytes go out whole: a report has a function name and a
 * module path on every frame. */
void cd_out_text(struct cd_out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		const unsigned char *run = p;
		while (*p && plain_text(*p))
			p++;
		cd_out_mem(o, (const char *)run, (size_t)(p - run));
		if (!*p)
			break;
		char e[4] = { '\\', 'x', hex[*p >> 4], hex[*p & 15] };
		cd_out_mem(o, e, 4);
		p++;
	}
}

void cd_out_eol(struct cd_out *o)
{
	cd_out_char(o, '\n');
	if (!o->in_part && o->len > o->cap / 2)
		cd_out_flush(o);
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
size_t cd_fmt_utc(char *buf, long long t)
{
	long long days = t / 86400, secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468;
	long long era = (days >= 0 ? days : days - 146096) / 146097;
	long long doe = days - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
	long long m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	long long parts[6] = { y, m, d, secs / 3600, secs / 60 % 60, secs % 60 };
	static const char seps[] = "--T::Z";
	size_t n = 0;
	for (int i = 0; i < 6; i++) {
		if (i > 0 && parts[i] < 10)
			buf[n++] = '0';
		n += cd_fmt_udec(buf + n, (unsigned long long)parts[i]);
		buf[n++] = seps[i];
	}
	return n;
}
