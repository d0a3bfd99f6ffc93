/* parked.c - bench fixture: THREADS threads parked a few frames deep, then
 * "ready" on fd 3, then the main thread parks too.  Context: normal context. */
#include "park.h"
#include "fixture.h"

int main(int argc, char **argv)
{
	park_start(park_count(argc, argv));
	fixture_ready();
	park_forever();
}
