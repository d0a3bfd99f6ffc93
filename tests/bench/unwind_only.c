/* unwind_only.c - the start-up bench's reference preload: an empty library
 * that needs libunwind (and so liblzma), as libcrashdump does, and does
 * nothing else; it shows what loading libunwind alone costs a process.
 * Context: none (no code runs). */
void crashdump_bench_unwind_only(void);

void crashdump_bench_unwind_only(void)
{
}
