# test_helper.bash - what every suite loads: bats-support and bats-assert
# from Debian's packages, and the suite's own helpers, one file a concern:
# lib/run.bash (starting and bounding programs), lib/report.bash (reading
# reports), lib/control.bash (talking with fixtures, set-up, teardown).
# A crash suite also loads lib/crash_suite (its set-up and teardown).
bats_load_library bats-support
bats_load_library bats-assert

load lib/run
load lib/report
load lib/control
