"""run_unittest.py turns skips into ctest's SKIP_RETURN_CODE, or into a
failure under CCMON_REQUIRE_ALL=1; failures stay failures."""

import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_unittest.py")

FIXTURES = {
    "fixture_pass": """
        import unittest
        class T(unittest.TestCase):
            def test_ok(self):
                self.assertEqual(1 + 1, 2)
    """,
    # One case runs, one skips as the deploy tests do when a tool is missing.
    "fixture_skip": """
        import unittest
        class T(unittest.TestCase):
            def test_ok(self):
                pass
            @unittest.skipUnless(False, "frobtool is not installed (Debian package frob)")
            def test_needs_frobtool(self):
                pass
    """,
    # A class skipped from setUpClass, as tests/e2e/test_alerting.py does.
    "fixture_skip_class": """
        import unittest
        class T(unittest.TestCase):
            @classmethod
            def setUpClass(cls):
                raise unittest.SkipTest("prometheus not installed")
            def test_a(self):
                pass
    """,
    "fixture_fail_and_skip": """
        import unittest
        class T(unittest.TestCase):
            def test_bad(self):
                self.assertEqual(1, 2)
            @unittest.skip("not here")
            def test_skipped(self):
                pass
    """,
    "fixture_import_error": "import no_such_module_for_ccmon\n",
    "fixture_empty": "import unittest\n",
}


class RunUnittestTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ccmon-run-unittest-")
        for name, text in FIXTURES.items():
            with open(os.path.join(cls.tmp.name, name + ".py"), "w") as f:
                f.write(textwrap.dedent(text))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_fixture(self, name, require_all=None):
        env = {k: v for k, v in os.environ.items() if k != "CCMON_REQUIRE_ALL"}
        if require_all is not None:
            env["CCMON_REQUIRE_ALL"] = require_all
        proc = subprocess.run([sys.executable, RUNNER, name], cwd=self.tmp.name, env=env,
                              capture_output=True, text=True, timeout=60)
        return proc.returncode, proc.stderr

    def test_all_passed_is_0(self):
        self.assertEqual(self.run_fixture("fixture_pass")[0], 0)
        self.assertEqual(self.run_fixture("fixture_pass", require_all="1")[0], 0)

    def test_a_skip_is_77_and_named(self):
        code, err = self.run_fixture("fixture_skip")
        self.assertEqual(code, 77)
        self.assertIn("SKIPPED fixture_skip.T.test_needs_frobtool: frobtool is not installed", err)
        self.assertEqual(self.run_fixture("fixture_skip", require_all="0")[0], 77)

    def test_a_skip_fails_when_everything_is_required(self):
        code, err = self.run_fixture("fixture_skip", require_all="1")
        self.assertEqual(code, 1)
        self.assertIn("SKIPPED fixture_skip.T.test_needs_frobtool", err)
        self.assertIn("CCMON_REQUIRE_ALL=1: a skipped test is a failure", err)

    def test_a_class_skipped_in_setup_is_a_skip(self):
        code, err = self.run_fixture("fixture_skip_class")
        self.assertEqual(code, 77)
        self.assertIn("prometheus not installed", err)
        self.assertEqual(self.run_fixture("fixture_skip_class", require_all="1")[0], 1)

    def test_failures_win_over_skips(self):
        self.assertEqual(self.run_fixture("fixture_fail_and_skip")[0], 1)

    def test_import_error_and_no_tests_fail(self):
        self.assertEqual(self.run_fixture("fixture_import_error")[0], 1)
        self.assertEqual(self.run_fixture("fixture_empty")[0], 1)


if __name__ == "__main__":
    unittest.main()
