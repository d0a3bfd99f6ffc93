/* driver.c - the bench's stopwatch: starts a fixture, waits for its "ready"
 * on fd 3, then times one thing exactly.  Context: normal context.
 *
 * usage: driver quit  [-p LIB] [-e K=V]... PROG [ARG...]
 *          SIGQUIT to waitpid; prints "pid=P ms=T sig=S"
 *        driver tool  -o FILE PROG [ARG...] -- TOOL [ARG...]
 *          runs TOOL (each "%p" in its arguments becomes the fixture's pid,
 *          stdout and stderr to FILE) from start to end; prints "ms=T"
 *        driver rss   [-p LIB] PROG [ARG...]
 *          prints "rss_kib=K", the fixture's VmRSS once it is ready
 *        driver spawn [-p LIB] -n REPS PROG [ARG...]
 *          REPS posix_spawn + waitpid of PROG; prints "ms=T" for all of them
 *        driver watch [-p LIB] [-e K=V]... -n SECONDS PROG [ARG...]
 *          lets the ready fixture run SECONDS, then prints "cpu_ms=C wall_ms=W"
 *          for its thread named crashdump-watch (the deadlock watch's), from
 *          /proc/PID/task/TID/schedstat
 *
 * -p LIB sets LD_PRELOAD=LIB for the fixture (never for TOOL); -e sets more
 * environment.  The fixture gets no core file (RLIMIT_CORE 0), so the time
 * of SIGQUIT's default action is the kernel's teardown, not a core writer. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define READY_TIMEOUT_MS 60000
#define EXIT_TIMEOUT_S 60

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A fixture starts as a program started from a terminal would: default
 * dispositions (a shell's background job has SIGQUIT ignored, and a library
 * that respects that would make the bench wait for nothing) and an empty
 * mask (this driver blocks SIGCHLD). */
static void child_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Starts argv with fd 3 the write end of a pipe and waits for its "ready". */
static pid_t start_fixture(char **argv)
{
	int fds[2];
	pid_t pid;
	char buf[16];
	struct pollfd pfd;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) != 0)
		die("pipe2");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };

		setrlimit(RLIMIT_CORE, &nocore);
		child_signals();
		if (dup2(fds[1], 3) != 3)
			_exit(127);
		execv(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	close(fds[1]);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, READY_TIMEOUT_MS) != 1) {
		fprintf(stderr, "driver: %s: not ready in %d ms\n", argv[0], READY_TIMEOUT_MS);
		kill(pid, SIGKILL);
		exit(1);
	}
	n = read(fds[0], buf, sizeof(buf) - 1);
	if (n != 6 || memcmp(buf, "ready\n", 6) != 0) {
		fprintf(stderr, "driver: %s: exited or wrote garbage before ready\n", argv[0]);
		kill(pid, SIGKILL);
		exit(1);
	}
	close(fds[0]);
	return pid;
}

static void kill_fixture(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Waits for pid with a deadline (SIGCHLD blocked by the caller before the
 * event being timed, so that its arrival cannot be missed). */
static int wait_exit(pid_t pid, const sigset_t *chld)
{
	struct timespec limit = { EXIT_TIMEOUT_S, 0 };
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0)
			die("waitpid");
		if (sigtimedwait(chld, NULL, &limit) < 0 && errno == EAGAIN) {
			fprintf(stderr, "driver: pid %d still running after %d s; killed\n",
				(int)pid, EXIT_TIMEOUT_S);
			kill_fixture(pid);
			exit(1);
		}
	}
}

static int do_quit(char **argv)
{
	sigset_t chld;
	pid_t pid;
	double t0, t1;
	int status;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	pid = start_fixture(argv);
	t0 = now_ms();
	if (kill(pid, SIGQUIT) != 0)
		die("kill");
	status = wait_exit(pid, &chld);
	t1 = now_ms();
	printf("pid=%d ms=%.3f sig=%d\n", (int)pid, t1 - t0,
	       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return 0;
}

static int do_tool(char **argv, char **tool, const char *out)
{
	sigset_t chld;
	pid_t pid, tpid;
	char pidstr[16];
	double t0, t1;
	int status, fd;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	pid = start_fixture(argv);
	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	for (char **a = tool; *a; a++)
		if (strcmp(*a, "%p") == 0)
			*a = pidstr;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(out);
	t0 = now_ms();
	tpid = fork();
	if (tpid < 0)
		die("fork");
	if (tpid == 0) {
		child_signals();
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(tool[0], tool);
		perror(tool[0]);
		_exit(127);
	}
	status = wait_exit(tpid, &chld);
	t1 = now_ms();
	close(fd);
	kill_fixture(pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "driver: %s failed (status 0x%x), output in %s\n", tool[0], status, out);
		return 1;
	}
	printf("ms=%.3f\n", t1 - t0);
	return 0;
}

static int do_rss(char **argv)
{
	char path[64], line[256];
	long kib = -1;
	pid_t pid = start_fixture(argv);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		die(path);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	kill_fixture(pid);
	if (kib < 0) {
		fprintf(stderr, "driver: no VmRSS in %s\n", path);
		return 1;
	}
	printf("rss_kib=%ld\n", kib);
	return 0;
}

static int do_spawn(char **argv, long reps)
{
	double t0, t1;

	t0 = now_ms();
	for (long i = 0; i < reps; i++) {
		pid_t pid;
		int status;

		errno = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
		if (errno)
			die(argv[0]);
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "driver: %s: status 0x%x\n", argv[0], status);
			return 1;
		}
	}
	t1 = now_ms();
	printf("ms=%.3f\n", t1 - t0);
	return 0;
}

/* The CPU time (ns, schedstat) of pid's thread named name, or -1. */
static long long thread_cpu_ns(pid_t pid, const char *name)
{
	char path[96], comm[64];
	for (int tid = pid; tid < pid + 100000; tid++) {
		snprintf(path, sizeof path, "/proc/%d/task/%d/comm", (int)pid, tid);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		int same = fgets(comm, sizeof comm, f) && strncmp(comm, name, strlen(name)) == 0;
		fclose(f);
		if (!same)
			continue;
		long long ns = -1;
		snprintf(path, sizeof path, "/proc/%d/task/%d/schedstat", (int)pid, tid);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%lld", &ns) != 1)
				ns = -1;
			fclose(f);
		}
		return ns;
	}
	return -1;
}

static int do_watch(char **argv, long seconds)
{
	pid_t pid = start_fixture(argv);
	long long c0 = thread_cpu_ns(pid, "crashdump-watch");
	double t0 = now_ms();
	struct timespec ts = { seconds, 0 };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	long long c1 = thread_cpu_ns(pid, "crashdump-watch");
	double t1 = now_ms();
	kill_fixture(pid);
	if (c0 < 0 || c1 < 0) {
		fprintf(stderr, "driver: %s has no thread named crashdump-watch\n", argv[0]);
		return 1;
	}
	printf("cpu_ms=%.3f wall_ms=%.3f\n", (double)(c1 - c0) / 1e6, t1 - t0);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: driver quit|tool|rss|spawn|watch [-p LIB] [-e K=V]... [-o FILE] "
		"[-n REPS] PROG [ARG...] [-- TOOL [ARG...]]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mode, *out = NULL;
	char **tool = NULL;
	long reps = 0;
	int opt;

	if (argc < 2)
		usage();
	mode = argv[1];
	argv++;
	argc--;
	/* Any LD_PRELOAD of our own caller is not the fixture's. */
	unsetenv("LD_PRELOAD");
	while ((opt = getopt(argc, argv, "+p:e:o:n:")) != -1) {
		switch (opt) {
		case 'p':
			setenv("LD_PRELOAD", optarg, 1);
			break;
		case 'e':
			if (!strchr(optarg, '=') || putenv(optarg) != 0)
				usage();
			break;
		case 'o':
			out = optarg;
			break;
		case 'n':
			reps = strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	argv += optind;
	if (!argv[0])
		usage();
	for (char **a = argv; *a; a++)
		if (strcmp(*a, "--") == 0) {
			*a = NULL;
			tool = a + 1;
			break;
		}
	if (strcmp(mode, "quit") == 0)
		return do_quit(argv);
	if (strcmp(mode, "tool") == 0 && tool && tool[0] && out)
		return do_tool(argv, tool, out);
	if (strcmp(mode, "rss") == 0)
		return do_rss(argv);
	if (strcmp(mode, "spawn") == 0 && reps > 0)
		return do_spawn(argv, reps);
	if (strcmp(mode, "watch") == 0 && reps > 0)
		return do_watch(argv, reps);
	usage();
}
