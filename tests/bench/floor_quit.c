/* floor_quit.c - the signal-delivery floor timed as a dump is, on THREADS
 * parked threads (floor_round.h).  Context: main in normal context; the
 * handlers are signal handlers.
 *
 * usage: floor_quit THREADS   ("ready" on fd 3, then waits for SIGQUIT) */
#include "park.h"
#include "fixture.h"
#include "floor_round.h"

int main(int argc, char **argv)
{
	int n = park_count(argc, argv);

	floor_block_quit();
	park_start(n);
	floor_install(park_tids, n);
	fixture_ready();
	park_forever();
}
