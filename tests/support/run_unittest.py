"""Runs one unittest module for ctest and makes skipped cases visible.

    python3 tests/support/run_unittest.py MODULE      (from the module's folder)

ctest counts exit status 0 as "Passed", so a module whose cases skip because
a tool is missing (promtool, amtool, prometheus...) would pass silently. This
runner lists every skipped case with its reason and, when nothing failed,
exits with SKIP_RETURN_CODE (77): tests/CMakeLists.txt sets that property, so
ctest reports the test as "Skipped" and names it in its summary.

With CCMON_REQUIRE_ALL=1 (set by .ci/run) a skip is a failure (exit 1): CI
must run everything it expects to run.
"""

import os
import sys
import unittest

SKIP_RETURN_CODE = 77
REQUIRE_ALL_ENV = "CCMON_REQUIRE_ALL"


def exit_status(result, require_all, out=sys.stderr):
    """Maps a unittest result to ctest's exit status, reporting skips on `out`."""
    if not result.wasSuccessful():
        return 1
    if result.testsRun == 0 and not result.skipped:  # a class skipped in setUpClass ran 0
        print("no test ran: a module without tests is a mistake", file=out)
        return 1
    if not result.skipped:
        return 0
    print(f"\n{len(result.skipped)} skipped:", file=out)
    for test, reason in result.skipped:
        print(f"  SKIPPED {test.id()}: {reason}", file=out)
    if require_all:
        print(f"{REQUIRE_ALL_ENV}=1: a skipped test is a failure", file=out)
        return 1
    return SKIP_RETURN_CODE


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    sys.path.insert(0, os.getcwd())
    suite = unittest.defaultTestLoader.loadTestsFromName(argv[1])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return exit_status(result, os.environ.get(REQUIRE_ALL_ENV, "") not in ("", "0"))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
