/* sigtab.c - the one table of signals (see sigtab.h).
 * Context: constant data, AS-safe readers. */
#include "base/sigtab.h"

#define F CD_SIG_FATAL
#define R CD_SIG_REFAULTS
#define W CD_SIG_WALK_OPEN
#define A CD_SIG_ADDRESS
#define K CD_SIG_ASKED

static const struct cd_sigrow rows[] = {
	{ SIGSEGV, "SIGSEGV", F | R | W | A }, { SIGBUS, "SIGBUS", F | R | W | A },
	{ SIGFPE, "SIGFPE", F | R | W | A },   { SIGILL, "SIGILL", F | R | W | A },
	{ SIGABRT, "SIGABRT", F | W },         { SIGTRAP, "SIGTRAP", F | W | A },
	{ SIGSYS, "SIGSYS", F | W },
	{ SIGTERM, "SIGTERM", K },     { SIGINT, "SIGINT", K },       { SIGHUP, "SIGHUP", K },
	{ SIGUSR1, "SIGUSR1", K },     { SIGUSR2, "SIGUSR2", K },     { SIGALRM, "SIGALRM", K },
	{ SIGQUIT, "SIGQUIT", 0 },     { SIGKILL, "SIGKILL", 0 },     { SIGPIPE, "SIGPIPE", 0 },
	{ SIGSTKFLT, "SIGSTKFLT", 0 }, { SIGCHLD, "SIGCHLD", 0 },     { SIGCONT, "SIGCONT", 0 },
	{ SIGSTOP, "SIGSTOP", 0 },     { SIGTSTP, "SIGTSTP", 0 },     { SIGTTIN, "SIGTTIN", 0 },
	{ SIGTTOU, "SIGTTOU", 0 },     { SIGURG, "SIGURG", 0 },       { SIGXCPU, "SIGXCPU", 0 },
	{ SIGXFSZ, "SIGXFSZ", 0 },     { SIGVTALRM, "SIGVTALRM", K }, { SIGPROF, "SIGPROF", 0 },
	{ SIGWINCH, "SIGWINCH", 0 },   { SIGIO, "SIGIO", 0 },         { SIGPWR, "SIGPWR", K },
};
#define N_ROWS ((int)(sizeof rows / sizeof rows[0]))

const struct cd_sigrow *cd_sigtab(int *n)
{
	*n = N_ROWS;
	return rows;
}

static const struct cd_sigrow *row(int signo)
{
	for (int i = 0; i < N_ROWS; i++)
		if (rows[i].signo == signo)
			return &rows[i];
	return 0;
}

const char *cd_sig_name(int signo)
{
	const struct cd_sigrow *r = row(signo);
	return r ? r->name : 0;
}

int cd_sig_is(int signo, unsigned flags)
{
	const struct cd_sigrow *r = row(signo);
	return r && (r->flags & flags) == flags;
}

void cd_sig_quiet_set(sigset_t *set)
{
	sigfillset(set);
	for (int i = 0; i < N_ROWS; i++)
		if (rows[i].flags & CD_SIG_WALK_OPEN)
			sigdelset(set, rows[i].signo);
}
