/* sigtab.h - the one table of signals: number, name, and what the library
 * does with each (fatal by default, re-faults on return, open during a
 * walk, carries a fault address).  The configuration parser, the fatal
 * handlers' install, the unwinder's quiet mask, the death path and the
 * report names all read these rows.
 * Context: constant data; every function AS-safe. */
#ifndef CRASHDUMP_SIGTAB_H
#define CRASHDUMP_SIGTAB_H

#include <signal.h>

enum {
	CD_SIG_FATAL = 1,     /* a fatal signal: CRASHDUMP_SIGNALS may name it; on by default */
	CD_SIG_REFAULTS = 2,  /* raised by the kernel for an instruction, which faults
	                         again when the handler returns with SIG_DFL in place */
	CD_SIG_WALK_OPEN = 4, /* left unblocked during a walk (the guards need it) */
	CD_SIG_ADDRESS = 8,   /* its si_addr is the fault's address (si_code > 0) */
	CD_SIG_ASKED = 16,    /* sent to ask a program to stop (or by its own timers):
	                         CRASHDUMP_DUMP_ON may name it */
};

struct cd_sigrow {
	int signo;
	const char *name;     /* "SIGSEGV" */
	unsigned flags;
};

/* AS-safe.  The rows, the fatal ones first in the contract's order
 * (SEGV, BUS, FPE, ILL, ABRT, TRAP, SYS); *n is set to their count. */
const struct cd_sigrow *cd_sigtab(int *n);

/* AS-safe.  The name of signo, or NULL. */
const char *cd_sig_name(int signo);

/* AS-safe.  1 when signo's row has every bit of flags. */
int cd_sig_is(int signo, unsigned flags);

/* AS-safe.  Every signal but those open in walks (and glibc's own two,
 * which sigfillset leaves out): the mask of a walk, and of our relay and
 * SIGQUIT handlers. */
void cd_sig_quiet_set(sigset_t *set);

#endif
