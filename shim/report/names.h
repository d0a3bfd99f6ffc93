/* names.h - the report's words: si_code names, missing-thread reasons,
 * thread origins (signal names are in base/sigtab.h).
 * Context: AS-safe (constant tables). */
#ifndef CRASHDUMP_NAMES_H
#define CRASHDUMP_NAMES_H

/* AS-safe.  "SEGV_MAPERR", "SI_USER"...; NULL for an unknown code. */
const char *cd_sicode_name(int signo, int code);
/* AS-safe.  1 when si_code says the signal came from a process (si_pid valid). */
int cd_sicode_has_sender(int code);
/* AS-safe.  1 when si_addr is meaningful (a fault address). */
int cd_signal_has_address(int signo, int code);
/* AS-safe.  The report's phrase for enum cd_missing. */
const char *cd_missing_reason(int missing);
/* AS-safe.  "main", "pthread", "foreign" for enum cd_origin. */
const char *cd_origin_name(int origin);

/* AS-safe.  "mutex", "join"... for enum cd_wait_kind. */
const char *cd_wait_kind_name(int kind);
/* AS-safe.  "running", "blocked", "unknown" for enum cd_thread_state. */
const char *cd_state_name(int state);
/* AS-safe.  The name of system call nr, or NULL. */
const char *cd_syscall_name(long nr);
/* AS-safe.  The number of the system call named, or -1. */
long cd_syscall_number(const char *name);

#endif
