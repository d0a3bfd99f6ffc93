/* unw.c - comparison fixture: the parked threads of parked.c, but the dump is
 * done in-process by plain libunwind (unw_step + unw_get_proc_name) on every
 * thread at once, then the process dies by SIGQUIT.  Context: main in normal
 * context; on_quit and on_unwind are signal handlers.
 *
 * usage: unw THREADS REPORT_PREFIX   (report in REPORT_PREFIX.PID)
 * Not a library-quality dumper: unw_get_proc_name is not AS-safe in general;
 * this is the naive design the bench compares against. */
#define UNW_LOCAL_ONLY
#include <fcntl.h>
#include <libunwind.h>
#include <signal.h>
#include <string.h>
#include "park.h"
#include "fixture.h"

#define MAX_FRAMES 128
#define LINE_BUF 8192

static char report_path[4096];
static int report_fd = -1;
static atomic_int acks;

static size_t put_str(char *buf, size_t len, const char *s)
{
	while (*s && len < LINE_BUF - 1)
		buf[len++] = *s++;
	return len;
}

static size_t put_num(char *buf, size_t len, unsigned long v, unsigned base)
{
	char tmp[24];
	int k = 0;

	do
		tmp[k++] = "0123456789abcdef"[v % base];
	while ((v /= base) != 0);
	while (k > 0 && len < LINE_BUF - 1)
		buf[len++] = tmp[--k];
	return len;
}

/* Signal handler: this thread's stack, named, in one write. */
static void unwind_self(void)
{
	char buf[LINE_BUF], name[256];
	unw_context_t uc;
	unw_cursor_t c;
	unw_word_t ip, off;
	size_t len = 0;
	int k = 0;

	len = put_str(buf, len, "thread ");
	len = put_num(buf, len, (unsigned long)syscall(SYS_gettid), 10);
	len = put_str(buf, len, "\n");
	unw_getcontext(&uc);
	if (unw_init_local(&c, &uc) == 0) {
		do {
			unw_get_reg(&c, UNW_REG_IP, &ip);
			len = put_str(buf, len, "#");
			len = put_num(buf, len, (unsigned long)k, 10);
			len = put_str(buf, len, " 0x");
			len = put_num(buf, len, ip, 16);
			len = put_str(buf, len, " ");
			if (unw_get_proc_name(&c, name, sizeof(name), &off) == 0) {
				len = put_str(buf, len, name);
				len = put_str(buf, len, "+0x");
				len = put_num(buf, len, off, 16);
			} else {
				len = put_str(buf, len, "??");
			}
			len = put_str(buf, len, "\n");
		} while (++k < MAX_FRAMES && unw_step(&c) > 0);
	}
	len = put_str(buf, len, "\n");
	if (write(report_fd, buf, len) < 0)
		_exit(98);
}

static void on_unwind(int sig)
{
	int saved = errno;

	(void)sig;
	unwind_self();
	atomic_fetch_add(&acks, 1);
	park_futex(&acks, FUTEX_WAKE_PRIVATE, 1);
	errno = saved;
}

/* The coordinator: whichever thread the kernel gave SIGQUIT to. */
static void on_quit(int sig)
{
	pid_t self = (pid_t)syscall(SYS_gettid), pid = getpid();
	int others = 0, v;

	(void)sig;
	report_fd = open(report_path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (report_fd < 0)
		_exit(97);
	for (int i = 0; i <= park_n; i++)
		if (park_tids[i] != self) {
			syscall(SYS_tgkill, pid, park_tids[i], SIGUSR2);
			others++;
		}
	unwind_self();
	while ((v = atomic_load(&acks)) < others)
		park_futex(&acks, FUTEX_WAIT_PRIVATE, v);
	close(report_fd);
	signal(SIGQUIT, SIG_DFL);
	raise(SIGQUIT);   /* pending until this handler returns */
}

int main(int argc, char **argv)
{
	int n = park_count(argc, argv);
	struct sigaction sa;

	if (argc < 3) {
		fprintf(stderr, "usage: %s THREADS REPORT_PREFIX\n", argv[0]);
		return 2;
	}
	snprintf(report_path, sizeof(report_path), "%s.%d", argv[2], (int)getpid());
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGQUIT);
	sa.sa_handler = on_unwind;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = on_quit;
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGQUIT, &sa, NULL);
	park_start(n);
	park_tids[n] = (pid_t)syscall(SYS_gettid);
	fixture_ready();
	park_forever();
}
