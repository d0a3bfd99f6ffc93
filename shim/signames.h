/* signames.h - names of signals, si_code values and missing-thread reasons.
 * Context: AS-safe (constant tables). */
#ifndef CRASHDUMP_SIGNAMES_H
#define CRASHDUMP_SIGNAMES_H

/* AS-safe.  "SIGSEGV"; NULL for an unknown number. */
const char *cd_signal_name(int signo);
/* AS-safe.  Signal number for "SEGV", "SIGSEGV" (case as given); 0 if none. */
int cd_signal_number(const char *name, unsigned len);
/* AS-safe.  "SEGV_MAPERR", "SI_USER"...; NULL for an unknown code. */
const char *cd_sicode_name(int signo, int code);
/* AS-safe.  1 when si_code says the signal came from a process (si_pid valid). */
int cd_sicode_has_sender(int code);
/* AS-safe.  1 when si_addr is meaningful (a fault address). */
int cd_signal_has_address(int signo, int code);
/* AS-safe.  The report's phrase for enum cd_missing. */
const char *cd_missing_reason(int missing);

#endif
