"""Every name the project's Python looks up exists where it is looked up.

pylint runs with tests/lint/pylintrc over every .py file of the tree, on
the interpreter that runs this test (ctest's is Debian's /usr/bin/python3,
where scripts/install-deps puts pylint). It reports a module member that is
not there, an import that fails, an undefined variable or a call with the
wrong arguments: a helper moved out of one test module while another still
imports it from there fails here, not halfway through a long test.

Its limit: every folder that holds a .py file is on the module path at once,
where each test puts only the folders it needs on `sys.path`; an import that
works only through that union passes here and fails when its test runs.
A mixin for test classes whose name does not end in `Mixin` is named in the
rc file's `mixin-class-rgx`, or its unittest methods count as missing.
"""

import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.normpath(os.environ.get("CCMON_SOURCE_DIR", os.path.join(HERE, "..", "..")))
RCFILE = os.path.join(HERE, "pylintrc")
# Not the project's: npm's packages and caches (hidden folders, such as git's
# or a virtual environment's, and build trees at the top are left out too).
SKIP_DIRS = {"node_modules", "__pycache__"}


def python_files(root):
    """The .py files under `root` that are the project's."""
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d for d in dirs
            if d not in SKIP_DIRS and not d.startswith(".")
            and not (folder == root and d.startswith("build"))
            and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg")))  # a virtual environment
        out += [os.path.join(folder, f) for f in sorted(files) if f.endswith(".py")]
    return out


def run_pylint(files):
    """pylint's exit status and output over `files`, their folders on the path."""
    path = sorted({os.path.dirname(f) for f in files})
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
    proc = subprocess.run([sys.executable, "-m", "pylint", f"--rcfile={RCFILE}", *files],
                          env=env, capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


class PythonNamesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if importlib.util.find_spec("pylint") is None:
            raise unittest.SkipTest(f"pylint is not installed for {sys.executable} "
                                    "(scripts/install-deps installs Debian's)")

    def test_every_name_looked_up_exists(self):
        files = python_files(SOURCE_DIR)
        self.assertGreater(len(files), 50)  # the tree was found
        status, output = run_pylint(files)
        self.assertEqual(status, 0, f"pylint (tests/lint/pylintrc) found:\n{output}")

    def test_a_member_missing_from_a_test_module_is_found(self):
        # What 9099324 did: a helper moved out of one module, another still
        # reading it from there.
        with tempfile.TemporaryDirectory(prefix="ccmon-lint-") as tmp:
            with open(os.path.join(tmp, "helpers.py"), "w", encoding="utf-8") as f:
                f.write("def fill(path):\n    return path\n")
            with open(os.path.join(tmp, "user.py"), "w", encoding="utf-8") as f:
                f.write("import helpers as disk\n\n\ndef use():\n"
                        "    return disk.fill('x'), disk.Holder('x')\n")
            status, output = run_pylint([os.path.join(tmp, "helpers.py"),
                                         os.path.join(tmp, "user.py")])
        self.assertNotEqual(status, 0)
        self.assertIn("Module 'helpers' has no 'Holder' member", output)
        self.assertNotIn("'fill'", output)


if __name__ == "__main__":
    unittest.main()
