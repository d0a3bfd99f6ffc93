# crash_suite.bash - the set-up and teardown of a suite whose fixtures
# crash or are signalled to death: crash_setup, then fixture_teardown
# (lib/control.bash).  Load after test_helper; a suite that needs more
# defines its own.

setup() {
	crash_setup
}

teardown() {
	fixture_teardown
}
