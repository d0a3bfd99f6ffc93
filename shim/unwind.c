/* unwind.c - stack walking from a signal context with libunwind 1.6.
 * Context: cd_unwind runs in signal handlers (AS-safe after warm-up). */
#define UNW_LOCAL_ONLY
#include "unwind.h"

#include <libunwind.h>

/* libunwind takes a mutex and resolves its tables on first use (libunwind
 * issue #331), so one full walk happens at load, before any handler can. */
int cd_unwind_warm_up(void)
{
	unw_context_t ctx;
	unw_cursor_t c;
	if (unw_getcontext(&ctx) < 0)
		return -1;
	/* One step is enough to run tdep_init and bind the functions every
	 * step uses; a longer walk would only cost start-up time. */
	if (unw_init_local2(&c, &ctx, UNW_INIT_SIGNAL_FRAME) < 0)
		return -1;
	unw_is_signal_frame(&c);
	return unw_step(&c) < 0 ? -1 : 0;
}

void cd_unwind(ucontext_t *uc, uintptr_t *pcs, uint8_t *exact, int max, int *count, int *cut)
{
	unw_cursor_t c;
	int after_signal = 1;
	*count = 0;
	*cut = CD_CUT_NONE;
	/* unw_context_t is ucontext_t on x86-64; SIGNAL_FRAME makes frame 0 be
	 * looked up at its exact pc, not pc-1. */
	if (unw_init_local2(&c, (unw_context_t *)uc, UNW_INIT_SIGNAL_FRAME) < 0) {
		*cut = CD_CUT_UNWIND;
		return;
	}
	for (int n = 0;;) {
		unw_word_t ip = 0;
		if (unw_get_reg(&c, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		pcs[n] = (uintptr_t)ip;
		exact[n] = (uint8_t)after_signal;
		*count = ++n;
		after_signal = unw_is_signal_frame(&c) > 0;
		if (n == max) {
			if (unw_step(&c) > 0)
				*cut = CD_CUT_LIMIT;
			break;
		}
		int r = unw_step(&c);
		if (r <= 0) {
			if (r < 0)
				*cut = CD_CUT_UNWIND;
			break;
		}
	}
}
