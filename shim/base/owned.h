/* owned.h - the signals libcrashdump handles, and the action the
 * application believes it has for each (it sees and sets that one; the
 * kernel keeps ours).
 * Context: cd_owned_take in normal context; the rest AS-safe. */
#ifndef CRASHDUMP_OWNED_H
#define CRASHDUMP_OWNED_H

#include <signal.h>

/* Normal context only.  Installs `ours` for sig; the action it replaces
 * becomes the application's.  0 or -1. */
int cd_owned_take(int sig, const struct sigaction *ours);

/* AS-safe.  1 while our handler is the kernel's action for sig. */
int cd_owned(int sig);

/* AS-safe.  The application's action for sig (a copy). */
void cd_owned_app(int sig, struct sigaction *out);

/* AS-safe.  1 when the action runs a function (not SIG_DFL, SIG_IGN). */
int cd_action_is_handler(const struct sigaction *a);

/* AS-safe.  Runs the application's handler for sig as the kernel would
 * have (its sa_mask, SA_NODEFER and SA_RESETHAND honoured).  The caller
 * checked that the application's action is a handler. */
void cd_owned_call_app(int sig, siginfo_t *info, void *uc);

/* Normal context only.  Records act as the application's action. */
void cd_owned_app_set(int sig, const struct sigaction *act);

/* AS-safe.  Gives sig to the application (a runtime, or its own SIGQUIT
 * handler): act goes into the kernel, and we no longer handle sig. */
int cd_owned_hand_over(int sig, const struct sigaction *act, struct sigaction *old);

/* AS-safe.  The virtual sigaction of an owned signal: *old gets the
 * application's recorded action, act (when not NULL) becomes it. */
void cd_owned_app_exchange(int sig, const struct sigaction *act, struct sigaction *old);

/* AS-safe.  Puts SIG_DFL in the kernel for sig (dying). */
void cd_owned_default(int sig);

/* AS-safe.  Ends the process by sig with the default action: for a fault
 * the kernel raised (info->si_code > 0 on SEGV/BUS/FPE/ILL) the default is
 * restored and the caller must return, so the instruction faults again and
 * the core shows it; otherwise sig is sent to this thread, unblocked. */
void cd_die(int sig, const siginfo_t *info);

#endif
