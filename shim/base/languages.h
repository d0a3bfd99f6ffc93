/* languages.h - language runtimes that handle their own signals: while one
 * is in the process, libcrashdump installs nothing and steps aside.
 * Context: see each function. */
#ifndef CRASHDUMP_LANGUAGES_H
#define CRASHDUMP_LANGUAGES_H

/* Normal context only.  The runtime present in the process ("Go", "a JVM",
 * ".NET", "Mono"), or NULL. */
const char *cd_language_present(void);

/* AS-safe.  The runtime a module path belongs to, or NULL. */
const char *cd_language_of_module(const char *path);

#endif
