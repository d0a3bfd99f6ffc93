/* runtime.c - the process facts (cd_rt), the per-thread state (cd_tls),
 * the calling thread's tid, the vfork check, the executable's path.
 * Context: cd_rt is written at load and fork (normal context); the rest is
 * AS-safe. */
#include "base/runtime.h"
#include "base/bounds.h"
#include "base/out.h"

#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

struct cd_runtime cd_rt CD_HOT;
__thread struct cd_thread cd_tls __attribute__((tls_model("initial-exec")));

pid_t cd_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* A getpid that fails (a seccomp filter that answers EPERM) tells nothing:
 * such a process is taken to be the one we armed, the usual case. */
int cd_vfork_child(void)
{
	pid_t pid = (pid_t)syscall(SYS_getpid);
	return pid > 0 && pid != cd_rt.pid;
}

static char exe[CD_PATH_LEN];
static const char *exe_base;

/* Read at the first report, not at load: a /proc path walk costs every
 * process start, and only a report needs the name.  One reader for the
 * report's "exe" and the main module's path, so that they agree. */
const char *cd_exe_path(void)
{
	static const char deleted[] = " (deleted)";
	if (exe_base)
		return exe;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	if (n <= 0)
		n = (ssize_t)cd_strlcpy(exe, execfn ? execfn : "?", sizeof exe);
	if ((size_t)n >= sizeof exe)
		n = sizeof exe - 1;
	size_t k = sizeof deleted - 1;
	if ((size_t)n > k && cd_strneq(exe + n - k, deleted, k))
		n -= (ssize_t)k;
	exe[n] = 0;
	const char *base = exe;
	for (char *p = exe; *p; p++)
		if (*p == '/' && p[1])
			base = p + 1;
	exe_base = base;
	return exe;
}

const char *cd_exe_base(void)
{
	cd_exe_path();
	return exe_base;
}
