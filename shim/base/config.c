/* config.c - reads the CRASHDUMP_* environment once, at load, into cd_cfg.
 * Context: normal context only (the constructor); handlers only read cd_cfg. */
#include "base/config.h"
#include "base/sigtab.h"
#include "base/out.h"
#include "base/runtime.h"

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <sys/auxv.h>
#include <unistd.h>

struct cd_config cd_cfg CD_HOT;

/* Apart from cd_cfg: written only when CRASHDUMP_OUTPUT names a file. */
static char output_template[CD_PATH_LEN];

/* A bad value is quoted in its warning up to this many bytes: a 5000-byte
 * template helps nobody, and the warning must stay one readable line. */
#define SHOW_MAX 256

#define STR_(x) #x
#define STR(x) STR_(x)

/* The signals CRASHDUMP_SIGNALS (the fatal ones) and CRASHDUMP_DUMP_ON
 * (those that end a program when it is told to stop) may name come from
 * base/sigtab.c; their lists as the warnings name them ("SEGV,BUS,...") are
 * made at load. */
static const char *sig_list(unsigned flag)
{
	static char lists[2][96];
	char *list = lists[flag == CD_SIG_FATAL ? 0 : 1];
	int n;
	const struct cd_sigrow *rows = cd_sigtab(&n);
	if (!list[0]) {
		for (int i = 0; i < n; i++) {
			if (!(rows[i].flags & flag))
				continue;
			if (list[0])
				strcat(list, ",");
			strcat(list, rows[i].name + 3);
		}
	}
	return list;
}

/* The signal of rows with flag named (without SIG, any case) or numbered,
 * else 0. */
static int sig_by_name(unsigned flag, const char *bare, long num)
{
	int n;
	const struct cd_sigrow *rows = cd_sigtab(&n);
	for (int i = 0; i < n; i++)
		if ((rows[i].flags & flag) &&
		    (num ? rows[i].signo == num : strcasecmp(bare, rows[i].name + 3) == 0))
			return rows[i].signo;
	return 0;
}

/* Copies s into buf (cap > 4), control bytes as \xNN so that a value with a
 * newline still gives one line, and "..." after SHOW_MAX bytes. */
static void show(char *buf, size_t cap, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;
	for (i = 0; i < n && i < SHOW_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		if (o + 5 >= cap)
			break;
		if (c < 0x20 || c == 0x7f) {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		} else {
			buf[o++] = (char)c;
		}
	}
	if (i < n && o + 4 <= cap) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = 0;
}

/* Prints "libcrashdump: warning: VAR=VALUE: WHY; using DEFAULT" with one
 * write(2), so that concurrent writers to stderr cannot split it. */
__attribute__((format(printf, 4, 5)))
static void warn(const char *var, const char *value, const char *dflt, const char *fmt, ...)
{
	char shown[SHOW_MAX * 4 + 8], why[1024], line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	show(shown, sizeof shown, value, strlen(value));
	int n = snprintf(line, sizeof line, "libcrashdump: warning: %s=%s: %s; using %s\n",
			 var, shown, why, dflt);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line) {
		n = sizeof line - 1;
		line[n - 1] = '\n';
	}
	cd_write_all(2, line, (size_t)n);
}

void cd_config_refuse(const char *var, const char *dflt, const char *why)
{
	const char *v = getenv(var);
	warn(var, v ? v : "", dflt, "%s", why);
}

/* Parses a whole decimal number in lo..hi: 0, -1 if s is not one (signs,
 * spaces, "0x", "1e3", units), -2 if it is out of range. */
static int parse_long(const char *s, long lo, long hi, long *out)
{
	long v = 0;
	if (!*s)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (v <= hi)
			v = v * 10 + (*p - '0');
	}
	if (v < lo || v > hi)
		return -2;
	*out = v;
	return 0;
}

/* Parses seconds with an optional decimal fraction ("2", "0.5", "1.25")
 * into milliseconds, rounded up: 0, -1 not a number, -2 zero, -3 too big. */
static int parse_seconds(const char *s, long max_s, long *ms)
{
	long whole = 0, frac_ms = 0;
	int digits = 0, rest = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		if (whole <= max_s)
			whole = whole * 10 + (*p - '0');
	if (*p == '.') {
		int k = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, k++, digits++) {
			if (k < 3)
				frac_ms = frac_ms * 10 + (*p - '0');
			else if (*p != '0')
				rest = 1;
		}
		for (; k < 3; k++)
			frac_ms *= 10;
	}
	if (*p || digits == 0)
		return -1;
	if (whole > max_s || (whole == max_s && (frac_ms || rest)))
		return -3;
	*ms = whole * 1000 + frac_ms + rest;
	return *ms ? 0 : -2;
}

/* "fd:N": a descriptor open at load. */
static void load_output_fd(struct cd_config *cfg, const char *var, const char *v)
{
	long fd;
	int r = parse_long(v + 3, 0, INT32_MAX, &fd);
	if (r == -1)
		warn(var, v, "stderr", "\"fd:\" must be followed by a file descriptor number");
	else if (r == -2)
		warn(var, v, "stderr", "file descriptor out of range");
	else if (fcntl((int)fd, F_GETFD) < 0)
		warn(var, v, "stderr", "fd %ld is not open", fd);
	else {
		cfg->output = CD_OUTPUT_FD;
		cfg->output_fd = (int)fd;
	}
}

/* The names of descriptors the process already has: written to as they
 * are (a shell's redirection means the same), never a new file
 * "/dev/stderr.1" beside a stderr that is a regular file.  1 when v is
 * one. */
static int load_output_named_fd(struct cd_config *cfg, const char *v)
{
	long fd = 2;
	if (strcmp(v, "/dev/stdout") == 0)
		fd = 1;
	else if (strcmp(v, "/dev/stderr") != 0 &&
	         !(strncmp(v, "/dev/fd/", 8) == 0 && parse_long(v + 8, 0, INT32_MAX, &fd) == 0) &&
	         !(strncmp(v, "/proc/self/fd/", 14) == 0 &&
	           parse_long(v + 14, 0, INT32_MAX, &fd) == 0))
		return 0;
	cfg->output = CD_OUTPUT_FD;
	cfg->output_fd = (int)fd;
	return 1;
}

/* Only the %-codes the sink expands; 0, or -1 after the warning. */
static int check_template(const char *var, const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		if (!*p) {
			warn(var, v, "stderr", "a %% at the end (write %%%% for a percent sign)");
			return -1;
		}
		if (!strchr("pte%", *p)) {
			char c[8];
			show(c, sizeof c, p, 1);
			warn(var, v, "stderr", "unknown code %%%s (only %%p %%t %%e %%%% are allowed)", c);
			return -1;
		}
	}
	return 0;
}

/* Made absolute now: the program may chdir before it crashes.  A '%' in
 * the working directory's name is doubled so it is not expanded. */
static void load_output_template(struct cd_config *cfg, const char *var, const char *v)
{
	char *t = output_template;
	size_t n = 0, len = strlen(v);
	if (v[0] != '/') {
		char cwd[CD_PATH_LEN];
		if (!getcwd(cwd, sizeof cwd)) {
			warn(var, v, "stderr", "cannot make the path absolute: getcwd: %s",
			     strerror(errno));
			return;
		}
		for (const char *p = cwd; *p && n < CD_PATH_LEN; p++) {
			if (*p == '%')
				t[n++] = '%';
			if (n < CD_PATH_LEN)
				t[n++] = *p;
		}
		if (n > 0 && t[n - 1] != '/' && n < CD_PATH_LEN)
			t[n++] = '/';
	}
	if (n + len >= CD_PATH_LEN) {
		t[0] = 0;
		warn(var, v, "stderr", "path longer than %d bytes%s", CD_PATH_LEN - 1,
		     v[0] != '/' ? " once made absolute" : "");
		return;
	}
	memcpy(t + n, v, len + 1);
	cfg->output_template = t;
	cfg->output = CD_OUTPUT_FILE;
}

static void load_output(struct cd_config *cfg)
{
	static const char var[] = "CRASHDUMP_OUTPUT";
	const char *v = getenv(var);
	if (!v || strcmp(v, "stderr") == 0)
		return;
	if (!*v)
		warn(var, v, "stderr", "empty value");
	else if (strncmp(v, "fd:", 3) == 0)
		load_output_fd(cfg, var, v);
	else if (load_output_named_fd(cfg, v))
		return;
	/* A setuid program must not let its caller choose a file it creates
	 * (ld.so applies the same rule to LD_PRELOAD paths). */
	else if (getauxval(AT_SECURE))
		warn(var, v, "stderr", "ignored in a privileged program");
	else if (check_template(var, v) == 0)
		load_output_template(cfg, var, v);
}

static void load_format(struct cd_config *cfg)
{
	const char *v = getenv("CRASHDUMP_FORMAT");
	if (!v || strcmp(v, "text") == 0)
		return;
	if (strcmp(v, "json") == 0)
		cfg->format = CD_FORMAT_JSON;
	else
		warn("CRASHDUMP_FORMAT", v, "text", "%s", *v ? "not text or json" : "empty value");
}

/* One item of a signal list: a name (any case, with or without SIG) or a
 * number, of a row with flag.  Returns the signal, or 0 with *why filled. */
static int parse_signal(unsigned flag, const char *item, size_t len, char *why, size_t whylen)
{
	char shown[SHOW_MAX * 4 + 8], name[16];
	long num = 0;
	int signo = 0;

	if (len == 0) {
		snprintf(why, whylen, "empty item in the list");
		return 0;
	}
	if (len < sizeof name) {
		memcpy(name, item, len);
		name[len] = 0;
		const char *bare = strncasecmp(name, "SIG", 3) == 0 ? name + 3 : name;
		if (parse_long(name, 1, 31, &num) != 0)
			num = 0;
		signo = sig_by_name(flag, bare, num);
		if (signo)
			return signo;
		if (num == SIGQUIT || strcasecmp(bare, "QUIT") == 0) {
			snprintf(why, whylen, "\"%s\" is not %s (SIGQUIT is always handled)", name,
				 flag == CD_SIG_FATAL ? "a fatal signal" : "one of them");
			return 0;
		}
	}
	show(shown, sizeof shown, item, len);
	snprintf(why, whylen, "\"%s\" is not one of %s or their numbers", shown, sig_list(flag));
	return 0;
}

/* A list of signals of rows with flag, or "none", into *set; a bad value
 * leaves *set (the default, named dflt) as it is. */
static void load_signal_set(const char *var, unsigned flag, const char *dflt, uint64_t *set)
{
	const char *v = getenv(var);
	char why[SHOW_MAX * 4 + 128];
	uint64_t got = 0;

	if (!v)
		return;
	if (!*v) {
		warn(var, v, dflt, "empty value");
		return;
	}
	if (strcasecmp(v, "none") == 0) {
		*set = 0;
		return;
	}
	for (const char *p = v;;) {
		const char *end = strchrnul(p, ',');
		size_t len = (size_t)(end - p);
		if (len == 4 && strncasecmp(p, "none", 4) == 0) {
			warn(var, v, dflt, "\"none\" cannot be combined with signals");
			return;
		}
		int signo = parse_signal(flag, p, len, why, sizeof why);
		if (!signo) {
			warn(var, v, dflt, "%s", why);
			return;
		}
		got |= 1ULL << signo;
		if (!*end)
			break;
		p = end + 1;
	}
	*set = got;
}

static void load_signals(struct cd_config *cfg)
{
	load_signal_set("CRASHDUMP_SIGNALS", CD_SIG_FATAL, sig_list(CD_SIG_FATAL), &cfg->fatal_signals);
	load_signal_set("CRASHDUMP_DUMP_ON", CD_SIG_ASKED, "none", &cfg->dump_on);
}

static void load_on_quit(struct cd_config *cfg)
{
	const char *v = getenv("CRASHDUMP_ON_QUIT");
	if (!v || strcmp(v, "exit") == 0)
		return;
	if (strcmp(v, "continue") == 0)
		cfg->quit_continue = 1;
	else
		warn("CRASHDUMP_ON_QUIT", v, "exit", "%s",
		     *v ? "not exit or continue" : "empty value");
}

/* Seconds (decimals allowed) in num, at most max_s, for var (whose whole
 * value is v): 0 with *ms, or -1 after the warning, the default being off. */
static int load_seconds(const char *var, const char *v, const char *num, long max_s, long *ms)
{
	switch (*num ? parse_seconds(num, max_s, ms) : -4) {
	case 0:
		return 0;
	case -1:
		warn(var, v, "off", "not a number of seconds (like 30 or 2.5)");
		break;
	case -2:
		warn(var, v, "off", "must be more than 0 seconds");
		break;
	case -3:
		warn(var, v, "off", "must be at most %ld seconds", max_s);
		break;
	default:
		warn(var, v, "off", "empty value");
		break;
	}
	return -1;
}

static void load_watchdog(struct cd_config *cfg)
{
	static const char var[] = "CRASHDUMP_WATCHDOG";
	const char *v = getenv(var);
	long ms;
	if (v && load_seconds(var, v, v, 1000000, &ms) == 0)
		cfg->watchdog_ms = ms;
}

/* CRASHDUMP_DEADLOCK_WATCH=SECONDS[,abort]. */
static void load_deadlock_watch(struct cd_config *cfg)
{
	static const char var[] = "CRASHDUMP_DEADLOCK_WATCH";
	const char *v = getenv(var);
	char num[32];
	long ms;
	if (!v)
		return;
	const char *comma = strchr(v, ',');
	size_t len = comma ? (size_t)(comma - v) : strlen(v);
	if (comma && strcmp(comma, ",abort") != 0) {
		warn(var, v, "off", "only \",abort\" may follow the seconds");
		return;
	}
	if (len >= sizeof num) {
		warn(var, v, "off", "not a number of seconds (like 30 or 2.5)");
		return;
	}
	memcpy(num, v, len);
	num[len] = 0;
	if (load_seconds(var, v, num, 86400, &ms) == 0) {
		cfg->deadlock_ms = ms;
		cfg->deadlock_abort = comma != NULL;
	}
}

/* A whole number in lo..hi for var, or a warning and the default. */
static void load_long(const char *var, long lo, long hi, const char *dflt, const char *what,
		      long *out)
{
	const char *v = getenv(var);
	long x;
	if (!v)
		return;
	switch (parse_long(v, lo, hi, &x)) {
	case 0:
		*out = x;
		break;
	case -1:
		warn(var, v, dflt, "%s", *v ? what : "empty value");
		break;
	default:
		warn(var, v, dflt, "must be %ld..%ld", lo, hi);
		break;
	}
}

void cd_config_load(struct cd_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->output = CD_OUTPUT_STDERR;
	cfg->output_fd = 2;
	cfg->format = CD_FORMAT_TEXT;
	int nrows;
	const struct cd_sigrow *rows = cd_sigtab(&nrows);
	for (int i = 0; i < nrows; i++)
		if (rows[i].flags & CD_SIG_FATAL)
			cfg->fatal_signals |= 1ULL << rows[i].signo;
	cfg->timeout_ms = CD_DEFAULT_TIMEOUT_MS;
	cfg->max_frames = CD_DEFAULT_FRAMES;

	const char *d = getenv("CRASHDUMP_DISABLE");
	if (d && strcmp(d, "1") == 0) {
		cfg->disabled = 1;
		return;
	}
	if (d && *d && strcmp(d, "0") != 0)
		warn("CRASHDUMP_DISABLE", d, "0 (enabled)", "not 1 or 0");

	load_output(cfg);
	load_format(cfg);
	load_signals(cfg);
	load_on_quit(cfg);
	load_watchdog(cfg);
	load_deadlock_watch(cfg);
	load_long("CRASHDUMP_TIMEOUT_MS", 1, 600000, STR(CD_DEFAULT_TIMEOUT_MS),
		  "not a whole number of milliseconds", &cfg->timeout_ms);
	long frames = cfg->max_frames;
	load_long("CRASHDUMP_MAX_FRAMES", 1, CD_MAX_FRAMES, STR(CD_DEFAULT_FRAMES),
		  "not a whole number", &frames);
	cfg->max_frames = (int)frames;
}
