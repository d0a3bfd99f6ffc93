/* bounds.h - every bound and fixed wait libcrashdump observes, in one place.
 * Context: compile-time constants, used by both normal and handler code. */
#ifndef CRASHDUMP_BOUNDS_H
#define CRASHDUMP_BOUNDS_H

/* Thread records the registry keeps (live threads plus the pool of records
 * left by exited threads).  A thread created beyond this is still dumped,
 * through the kernel listing, as origin "foreign". */
#define CD_MAX_RECORDS 16384

/* Threads listed in one dump (from the registry, or from /proc/self/task);
 * the report says when more threads were listed than this. */
#define CD_MAX_TASKS 16384

/* Slots (threads) a dump can report without memory of its own: reserved
 * at load, and the least any dump lays out. */
#define CD_RESERVED_SLOTS 64

/* CRASHDUMP_MAX_FRAMES accepts 1..CD_MAX_FRAMES, default CD_DEFAULT_FRAMES. */
#define CD_MAX_FRAMES 1024
#define CD_DEFAULT_FRAMES 128

/* Thread names (the kernel's comm is at most 15 bytes and a NUL). */
#define CD_NAME_LEN 16

/* Modules (executable and shared objects) one report can name. */
#define CD_MAX_MODULES 512

/* Longest build-id kept, in bytes (GNU ld writes 20 for sha1, 16 for md5 or
 * uuid, 8 for xxhash); a longer one is reported as none. */
#define CD_BUILD_ID_MAX 64

/* Function symbols indexed per module (a large C++ program has about a
 * million); beyond this the rest of the table is left out. */
#define CD_MAX_MODULE_SYMBOLS (1u << 22)

/* Symbols before the nearest one tried when the nearest does not hold the
 * address (a function nested inside a larger one, as in hand-written asm). */
#define CD_SYMBOL_NESTING 8

/* Longest path kept for a module or a report file. */
#define CD_PATH_LEN 4096

/* Default overall deadline for every thread to answer, milliseconds. */
#define CD_DEFAULT_TIMEOUT_MS 1000

/* How often the coordinator checks on threads that have not answered yet,
 * so that an exit during the dump is seen at once, not at the deadline. */
#define CD_PROBE_INTERVAL_MS 5

/* A write of the report that makes no progress for this long is abandoned
 * (stderr may be a full pipe whose reader is stopped). */
#define CD_WRITE_DEADLINE_MS 2000

/* Size of the report output buffer (one buffered write per fill). */
#define CD_OUT_BUFFER (1u << 20)

/* Alternate signal stacks: at least this large, with a guard page below. */
#define CD_ALTSTACK_MIN (64u * 1024u)

/* Alternate stacks kept bound to the glibc thread that last ran on them
 * (base/altstack.c): the rest are disabled at thread exit. */
#define CD_BOUND_STACKS 1024

/* Report file names tried when the first exists (name, name.1, ...). */
#define CD_FILE_TRIES 100

/* The report buffer when no memory can be mapped for CD_OUT_BUFFER. */
#define CD_OUT_FALLBACK (64u * 1024u)

/* Parts of a report that may fault before it gives up on the rest. */
#define CD_MAX_FAULTED_PARTS 3

/* A thread caught in the middle of its answer when the round closes gets
 * this long to finish it (ms); then it is reported "incomplete". */
#define CD_ANSWER_GRACE_MS 50

/* With the kernel's queue of pending signals full, the relay pauses this
 * long (ms) for answers before it sends again. */
#define CD_QUEUE_FULL_PAUSE_MS 10

/* A crashed thread that waits for another's report waits for the dump's
 * deadline, the write deadline and this margin (ms). */
#define CD_CRASH_WAIT_MARGIN_MS 100

/* The pc memo of one report (addresses already looked up). */
#define CD_PC_MEMO 1024

#endif
