/* tasks.c - reads /proc/self/task with raw syscalls.
 * Context: AS-safe (opendir/fopen allocate; this file does not). */
#include "base/tasks.h"
#include "base/out.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int cd_tasks_list(pid_t *tids, int max, int *more)
{
	char buf[8192] __attribute__((aligned(8)));
	int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int n = 0;
	*more = 0;
	if (fd < 0)
		return -1;
	for (;;) {
		long got = syscall(SYS_getdents64, fd, buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		for (long off = 0; off < got;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			off += d->d_reclen;
			long long tid = cd_parse_udec(d->d_name, cd_strlen(d->d_name));
			if (tid <= 0)
				continue;
			if (n < max)
				tids[n++] = (pid_t)tid;
			else
				*more = 1;
		}
	}
	close(fd);
	return n;
}

/* Builds "/proc/self/task/TID/<leaf>" into path. */
static void task_path(char *path, pid_t tid, const char *leaf)
{
	size_t n = cd_strlcpy(path, "/proc/self/task/", 64);
	n += cd_fmt_udec(path + n, (unsigned long long)tid);
	path[n++] = '/';
	cd_strlcpy(path + n, leaf, 64 - n);
}

static ssize_t read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = 0;
	if (fd < 0)
		return -1;
	while ((size_t)n < cap - 1) {
		ssize_t r = read(fd, buf + n, cap - 1 - (size_t)n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	close(fd);
	buf[n] = 0;
	return n;
}

static uint64_t parse_hex(const char *s)
{
	uint64_t v = 0;
	for (;; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			return v;
		v = v << 4 | (uint64_t)d;
	}
}

/* /proc/self/task/TID/syscall: "NR 0xA1 ... 0xA6 0xSP 0xPC" while the
 * thread sleeps in a call, "-1 0xSP 0xPC" when it sleeps out of one,
 * "running" while it runs. */
int cd_task_syscall(pid_t tid, long *nr, uint64_t *args, int nargs)
{
	char path[64], buf[256];
	task_path(path, tid, "syscall");
	if (read_file(path, buf, sizeof buf) <= 0)
		return -1;
	if (buf[0] < '0' || buf[0] > '9')
		return buf[0] == '-' || buf[0] == 'r' ? 0 : -1;
	const char *p = buf;
	long long v = 0;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	*nr = (long)v;
	for (int k = 0; k < nargs && k < 6; k++) {
		while (*p == ' ')
			p++;
		if (p[0] != '0' || p[1] != 'x')
			return -1;
		args[k] = parse_hex(p + 2);
		while (*p && *p != ' ')
			p++;
	}
	return 1;
}

/* PF_IO_WORKER in the flags of /proc/self/task/TID/stat (field 9, after
 * the parenthesised name, which may hold spaces and parentheses itself):
 * io_uring's workers live in the process's thread group since Linux 5.12
 * and take no signal handler. */
#define PF_IO_WORKER 0x00000010u

static int is_kernel_worker(pid_t tid)
{
	char path[64], buf[512];
	int saved = errno;
	task_path(path, tid, "stat");
	ssize_t n = read_file(path, buf, sizeof buf);
	errno = saved;
	if (n <= 0)
		return 0;
	const char *p = NULL;
	for (const char *q = buf; *q; q++)
		if (*q == ')')
			p = q;
	if (!p)
		return 0;
	for (int field = 2; field < 9 && *p; p++)
		if (*p == ' ')
			field++;
	const char *end = p;
	while (*end >= '0' && *end <= '9')
		end++;
	long long flags = cd_parse_udec(p, (size_t)(end - p));
	return flags > 0 && ((unsigned long long)flags & PF_IO_WORKER) != 0;
}

/* The value of the "KEY" line (KEY ends with its colon and tab) of a
 * /proc status file, *len bytes up to the end of the line; NULL if none. */
static const char *status_value(const char *buf, const char *key, size_t *len)
{
	size_t k = cd_strlen(key);
	for (const char *line = buf; *line;) {
		const char *end = line;
		while (*end && *end != '\n')
			end++;
		if (cd_strneq(line, key, k)) {
			*len = (size_t)(end - line) - k;
			return line + k;
		}
		line = *end ? end + 1 : end;
	}
	return NULL;
}

int cd_task_status(pid_t tid, struct cd_task_status *st)
{
	char path[64], buf[2048];
	int saved = errno;
	const char *v;
	size_t len;
	task_path(path, tid, "status");
	st->state = 0;
	st->sigblk = 0;
	st->sigpnd = 0;
	st->kernel_worker = 0;
	st->name[0] = 0;
	ssize_t n = read_file(path, buf, sizeof buf);
	int err = errno;
	errno = saved;
	if (n < 0 && err != ENOENT && err != ESRCH)
		return -2; /* no /proc, no descriptor left, or refused: unknown */
	if (n <= 0)
		return -1;
	if ((v = status_value(buf, "Name:\t", &len))) {
		if (len > 15)
			len = 15;
		for (size_t i = 0; i < len; i++)
			st->name[i] = v[i];
		st->name[len] = 0;
	}
	if ((v = status_value(buf, "State:\t", &len)) && len > 0)
		st->state = v[0];
	if ((v = status_value(buf, "SigPnd:\t", &len)))
		st->sigpnd = parse_hex(v);
	if ((v = status_value(buf, "SigBlk:\t", &len)))
		st->sigblk = parse_hex(v);
	st->kernel_worker = is_kernel_worker(tid);
	return 0;
}

int cd_tasks_count(void)
{
	char buf[4096];
	int saved = errno;
	const char *v;
	size_t len;
	ssize_t n = read_file("/proc/self/status", buf, sizeof buf);
	errno = saved;
	if (n <= 0 || !(v = status_value(buf, "Threads:\t", &len)))
		return -1;
	long long count = cd_parse_udec(v, len);
	return count > 0 && count < 0x7fffffff ? (int)count : -1;
}

