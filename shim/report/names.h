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

#endif
