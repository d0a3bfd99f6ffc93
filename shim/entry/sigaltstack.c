/* sigaltstack.c - the interposed sigaltstack: the program's own alternate
 * stack is virtual where the kernel's is ours (base/altstack.c).
 * Context: any (applications call it from their own handlers): AS-safe. */
#include "base/altstack.h"

__attribute__((visibility("default")))
int sigaltstack(const stack_t *ss, stack_t *old)
{
	return cd_altstack_virtual(ss, old);
}
