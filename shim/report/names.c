/* names.c - the report's words for si_codes, missing threads and origins.
 * Context: AS-safe (constant tables). */
#include "report/names.h"
#include "base/sigtab.h"
#include "report/view.h"

#include <signal.h>
#include <sys/syscall.h>

struct code_name {
	int signo, code;
	const char *name;
};

static const struct code_name codes[] = {
	{ SIGSEGV, SEGV_MAPERR, "SEGV_MAPERR" }, { SIGSEGV, SEGV_ACCERR, "SEGV_ACCERR" },
	{ SIGSEGV, 3, "SEGV_BNDERR" }, { SIGSEGV, 4, "SEGV_PKUERR" },
	{ SIGBUS, BUS_ADRALN, "BUS_ADRALN" }, { SIGBUS, BUS_ADRERR, "BUS_ADRERR" },
	{ SIGBUS, BUS_OBJERR, "BUS_OBJERR" }, { SIGBUS, 4, "BUS_MCEERR_AR" },
	{ SIGBUS, 5, "BUS_MCEERR_AO" },
	{ SIGFPE, FPE_INTDIV, "FPE_INTDIV" }, { SIGFPE, FPE_INTOVF, "FPE_INTOVF" },
	{ SIGFPE, FPE_FLTDIV, "FPE_FLTDIV" }, { SIGFPE, FPE_FLTOVF, "FPE_FLTOVF" },
	{ SIGFPE, FPE_FLTUND, "FPE_FLTUND" }, { SIGFPE, FPE_FLTRES, "FPE_FLTRES" },
	{ SIGFPE, FPE_FLTINV, "FPE_FLTINV" }, { SIGFPE, FPE_FLTSUB, "FPE_FLTSUB" },
	{ SIGILL, ILL_ILLOPC, "ILL_ILLOPC" }, { SIGILL, ILL_ILLOPN, "ILL_ILLOPN" },
	{ SIGILL, ILL_ILLADR, "ILL_ILLADR" }, { SIGILL, ILL_ILLTRP, "ILL_ILLTRP" },
	{ SIGILL, ILL_PRVOPC, "ILL_PRVOPC" }, { SIGILL, ILL_PRVREG, "ILL_PRVREG" },
	{ SIGILL, ILL_COPROC, "ILL_COPROC" }, { SIGILL, ILL_BADSTK, "ILL_BADSTK" },
	{ SIGTRAP, TRAP_BRKPT, "TRAP_BRKPT" }, { SIGTRAP, TRAP_TRACE, "TRAP_TRACE" },
	{ SIGTRAP, 3, "TRAP_BRANCH" }, { SIGTRAP, 4, "TRAP_HWBKPT" },
	{ SIGSYS, 1, "SYS_SECCOMP" },
};

const char *cd_sicode_name(int signo, int code)
{
	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_KERNEL: return "SI_KERNEL";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_TIMER: return "SI_TIMER";
	case SI_MESGQ: return "SI_MESGQ";
	case SI_ASYNCIO: return "SI_ASYNCIO";
	case SI_SIGIO: return "SI_SIGIO";
	case SI_TKILL: return "SI_TKILL";
	}
	for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (codes[i].signo == signo && codes[i].code == code)
			return codes[i].name;
	return NULL;
}

int cd_sicode_has_sender(int code)
{
	return code == SI_USER || code == SI_QUEUE || code == SI_TKILL;
}

int cd_signal_has_address(int signo, int code)
{
	return code > 0 && code != SI_KERNEL && cd_sig_is(signo, CD_SIG_ADDRESS);
}

const char *cd_missing_reason(int missing)
{
	switch (missing) {
	case CD_MISSING_EXITED: return "exited";
	case CD_MISSING_ZOMBIE: return "zombie";
	case CD_MISSING_BLOCKS: return "blocks signal";
	case CD_MISSING_STOPPED: return "stopped";
	case CD_MISSING_NO_ANSWER: return "no answer";
	case CD_MISSING_INCOMPLETE: return "incomplete";
	case CD_MISSING_UNSIGNALLED: return "could not be signalled";
	case CD_MISSING_KERNEL_WORKER: return "kernel worker";
	}
	return "dumped";
}

const char *cd_origin_name(int origin)
{
	static const char *const origins[] = { "main", "pthread", "foreign" };
	return origin >= 0 && origin <= CD_ORIGIN_FOREIGN ? origins[origin] : "foreign";
}

const char *cd_wait_kind_name(int kind)
{
	static const char *const kinds[] = {
		[CD_WAIT_NONE] = "none",       [CD_WAIT_MUTEX] = "mutex",
		[CD_WAIT_RWLOCK] = "rwlock",   [CD_WAIT_JOIN] = "join",
		[CD_WAIT_CONDVAR] = "condvar", [CD_WAIT_SEMAPHORE] = "semaphore",
		[CD_WAIT_FUTEX] = "futex",     [CD_WAIT_SYSCALL] = "syscall",
	};
	return kind >= 0 && kind <= CD_WAIT_SYSCALL ? kinds[kind] : "none";
}

const char *cd_state_name(int state)
{
	return state == CD_STATE_RUNNING ? "running" : state == CD_STATE_BLOCKED ? "blocked" : "unknown";
}

/* The system calls a waiting thread is found in, by number (x86-64). */
static const struct {
	long nr;
	const char *name;
} calls[] = {
		{ SYS_read, "read" },           { SYS_write, "write" },
		{ SYS_poll, "poll" },           { SYS_ppoll, "ppoll" },
		{ SYS_select, "select" },       { SYS_pselect6, "pselect6" },
		{ SYS_pread64, "pread64" },     { SYS_pwrite64, "pwrite64" },
		{ SYS_readv, "readv" },         { SYS_writev, "writev" },
		{ SYS_pause, "pause" },         { SYS_nanosleep, "nanosleep" },
		{ SYS_clock_nanosleep, "clock_nanosleep" },
		{ SYS_accept, "accept" },       { SYS_accept4, "accept4" },
		{ SYS_connect, "connect" },     { SYS_recvfrom, "recvfrom" },
		{ SYS_sendto, "sendto" },       { SYS_recvmsg, "recvmsg" },
		{ SYS_sendmsg, "sendmsg" },     { SYS_wait4, "wait4" },
		{ SYS_waitid, "waitid" },       { SYS_futex, "futex" },
		{ SYS_epoll_wait, "epoll_wait" }, { SYS_epoll_pwait, "epoll_pwait" },
		{ SYS_rt_sigtimedwait, "rt_sigtimedwait" }, { SYS_rt_sigsuspend, "rt_sigsuspend" },
		{ SYS_flock, "flock" },         { SYS_fsync, "fsync" },
		{ SYS_fdatasync, "fdatasync" }, { SYS_msgrcv, "msgrcv" },
		{ SYS_semop, "semop" },         { SYS_io_getevents, "io_getevents" },
		{ SYS_io_uring_enter, "io_uring_enter" }, { SYS_io_pgetevents, "io_pgetevents" },
		{ SYS_epoll_pwait2, "epoll_pwait2" }, { SYS_semtimedop, "semtimedop" },
		{ SYS_msgsnd, "msgsnd" },       { SYS_mq_timedreceive, "mq_timedreceive" },
		{ SYS_mq_timedsend, "mq_timedsend" }, { SYS_recvmmsg, "recvmmsg" },
		{ SYS_sendmmsg, "sendmmsg" },   { SYS_open, "open" },
		{ SYS_openat, "openat" },       { SYS_ioctl, "ioctl" },
		{ SYS_fcntl, "fcntl" },         { SYS_splice, "splice" },
		{ SYS_sync, "sync" },           { SYS_vfork, "vfork" },
		{ SYS_clone, "clone" },         { SYS_clone3, "clone3" },
};

const char *cd_syscall_name(long nr)
{
	for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++)
		if (calls[i].nr == nr)
			return calls[i].name;
	return NULL;
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

long cd_syscall_number(const char *name)
{
	for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++)
		if (same(calls[i].name, name))
			return calls[i].nr;
	return -1;
}
