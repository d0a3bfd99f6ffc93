/* sink.c - opens where a report goes: stderr, an inherited fd, or a new file.
 * Context: signal handler (AS-safe): raw syscalls and out.h only, errno kept. */
#include "report/sink.h"
#include "base/out.h"
#include "base/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* strerror() is not AS-safe (it may translate, hence lock and allocate):
 * the errors that creating a file can give, in the C locale's words. */
static const char *err_text(int e, char *buf)
{
	switch (e) {
	case EACCES: return "Permission denied";
	case ENOENT: return "No such file or directory";
	case ENOTDIR: return "Not a directory";
	case EROFS: return "Read-only file system";
	case ENOSPC: return "No space left on device";
	case EEXIST: return "File exists";
	case ELOOP: return "Too many levels of symbolic links";
	case EMFILE: return "Too many open files";
	case ENFILE: return "Too many open files in system";
	case ENAMETOOLONG: return "File name too long";
	case EPERM: return "Operation not permitted";
	case EDQUOT: return "Disk quota exceeded";
	case EISDIR: return "Is a directory";
	case ENXIO: return "No such device or address";
	}
	cd_strlcpy(buf, "error ", 24);
	buf[6 + cd_fmt_dec(buf + 6, e)] = 0;
	return buf;
}

/* Appends s at *n in dst (cap bytes, terminated); 0, or -1 if it did not fit. */
static int put(char *dst, size_t cap, size_t *n, const char *s, size_t len)
{
	if (*n + len >= cap)
		return -1;
	for (size_t i = 0; i < len; i++)
		dst[*n + i] = s[i];
	*n += len;
	dst[*n] = 0;
	return 0;
}

/* Expands %p %t %e %% of tmpl into dst; the length, or -1 if too long.
 * The codes were checked at load; anything else is copied as it stands. */
static long expand(const char *tmpl, const char *exe_base, char *dst, size_t cap)
{
	size_t n = 0;
	char num[24];
	dst[0] = 0;
	for (const char *p = tmpl; *p; p++) {
		int r;
		if (*p != '%' || !p[1]) {
			r = put(dst, cap, &n, p, 1);
		} else if (p[1] == 'p') {
			/* raw: the pid now, even in a child that shares our memory
			 * (a getpid refused by seccomp: the pid we armed) */
			long pid = syscall(SYS_getpid);
			if (pid <= 0)
				pid = cd_rt.pid;
			r = put(dst, cap, &n, num, cd_fmt_udec(num, (unsigned long)pid));
			p++;
		} else if (p[1] == 't') {
			struct timespec ts = { 0, 0 };
			clock_gettime(CLOCK_REALTIME, &ts);
			r = put(dst, cap, &n, num, cd_fmt_dec(num, (long long)ts.tv_sec));
			p++;
		} else if (p[1] == 'e') {
			const char *e = exe_base && *exe_base ? exe_base : "unknown";
			r = put(dst, cap, &n, e, cd_strlen(e));
			p++;
		} else if (p[1] == '%') {
			r = put(dst, cap, &n, "%", 1);
			p++;
		} else {
			r = put(dst, cap, &n, p, 1);
		}
		if (r < 0)
			return -1;
	}
	return (long)n;
}

/* Fills sink->why: "crashdump: cannot create report file PATH: ERROR;
 * writing to stderr", keeping the end of a path too long for the line. */
static void say_why(struct cd_sink *sink, const char *path, int err, int tries)
{
	static const char head[] = "crashdump: cannot create report file ";
	static const char tail[] = "; writing to stderr";
	char ebuf[24], num[24];
	const char *etext = err_text(err, ebuf);
	size_t cap = sizeof sink->why, n = 0;
	size_t elen = cd_strlen(etext), plen = cd_strlen(path);
	/* ": " + error + " (tried NNN names)" + tail */
	size_t reserve = 2 + elen + 32 + sizeof tail;
	size_t room = cap - (sizeof head - 1) - reserve;

	put(sink->why, cap, &n, head, sizeof head - 1);
	if (plen > room) {
		put(sink->why, cap, &n, "...", 3);
		path += plen - (room - 3);
		plen = room - 3;
	}
	put(sink->why, cap, &n, path, plen);
	put(sink->why, cap, &n, ": ", 2);
	put(sink->why, cap, &n, etext, elen);
	if (tries > 1) {
		put(sink->why, cap, &n, " (tried ", 8);
		put(sink->why, cap, &n, num, cd_fmt_udec(num, (unsigned)tries));
		put(sink->why, cap, &n, " names)", 7);
	}
	put(sink->why, cap, &n, tail, sizeof tail - 1);
}

/* Creates a new file named base, or base.1, base.2 ... when the name is
 * taken (O_EXCL also refuses a symlink planted there: EEXIST).  Returns
 * the fd, or -1 with *err and *tries set. */
static int create(const char *base, size_t blen, char *path, size_t cap, int *err, int *tries)
{
	char num[24];
	for (int i = 0; i < CD_FILE_TRIES; i++) {
		size_t n = 0;
		path[0] = 0;
		put(path, cap, &n, base, blen);
		if (i > 0 && (put(path, cap, &n, ".", 1) < 0 ||
			      put(path, cap, &n, num, cd_fmt_udec(num, (unsigned)i)) < 0)) {
			*err = ENAMETOOLONG;
			*tries = i + 1;
			return -1;
		}
		int fd;
		do
			fd = openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				    0600);
		while (fd < 0 && errno == EINTR);
		if (fd >= 0) {
			/* 0600 whatever the umask: the report is the owner's alone,
			 * and the owner must be able to read it */
			fchmod(fd, 0600);
			return fd;
		}
		*err = errno;
		*tries = i + 1;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

/* A path that names an existing character device or FIFO (/dev/tty,
 * /dev/null, a named pipe a collector reads) is written to as it is: a
 * report file beside it would never be read.  The open neither creates nor
 * truncates, and a FIFO without a reader answers ENXIO at once instead of
 * blocking.  Returns the fd, -1 (with *err) for a FIFO or device that
 * cannot be opened, or -2 when the path is no such thing. */
static int open_existing(const char *path, int *err)
{
	struct stat st;
	if (stat(path, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
		return -2;
	int fd;
	do
		fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (fstat(fd, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
		close(fd); /* replaced since the stat: make a report file */
		return -2;
	}
	return fd;
}

void cd_sink_open(const struct cd_config *cfg, const char *exe_base, struct cd_sink *sink)
{
	int saved = errno;

	sink->fd = 2;
	sink->owned = 0;
	sink->path[0] = 0;
	sink->why[0] = 0;

	if (cfg->output == CD_OUTPUT_FD) {
		sink->fd = cfg->output_fd;
	} else if (cfg->output == CD_OUTPUT_FILE) {
		char base[CD_PATH_LEN];
		int err = 0, tries = 1, fd = -1;
		long blen = expand(cfg->output_template, exe_base, base, sizeof base);
		if (blen < 0)
			err = ENAMETOOLONG;
		else if ((fd = open_existing(base, &err)) == -2)
			fd = create(base, (size_t)blen, sink->path, sizeof sink->path, &err, &tries);
		else if (fd >= 0)
			cd_strlcpy(sink->path, base, sizeof sink->path);
		if (fd >= 0) {
			sink->fd = fd;
			sink->owned = 1;
		} else {
			sink->path[0] = 0;
			say_why(sink, blen < 0 ? cfg->output_template : base, err, tries);
		}
	}
	errno = saved;
}

void cd_sink_close(struct cd_sink *sink)
{
	int saved = errno;
	if (sink->owned && sink->fd >= 0)
		close(sink->fd);
	sink->owned = 0;
	sink->fd = -1;
	errno = saved;
}
