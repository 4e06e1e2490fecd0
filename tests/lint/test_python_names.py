"""Every name the project's Python looks up exists where it is looked up.

pylint (Debian's `pylint`) runs with tests/lint/pylintrc over every .py file
of the tree, with each folder that holds one on its module path, as the
tests' own `sys.path` inserts put them. It reports a module member that is
not there, an import that fails, an undefined variable or a call with the
wrong arguments: a helper moved out of one test module while another still
imports it from there fails here, not halfway through a long test.
"""

import os
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.normpath(os.environ.get("CCMON_SOURCE_DIR", os.path.join(HERE, "..", "..")))
RCFILE = os.path.join(HERE, "pylintrc")
# Not the project's: build trees, npm's, caches, git's.
SKIP_DIRS = {".git", ".cache", "node_modules", "__pycache__"}


def python_files(root):
    """The .py files under `root`, build trees and the folders above left out."""
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs
                         if d not in SKIP_DIRS and not (folder == root and d.startswith("build")))
        out += [os.path.join(folder, f) for f in sorted(files) if f.endswith(".py")]
    return out


def run_pylint(files):
    """pylint's exit status and output over `files`, their folders on the path."""
    path = sorted({os.path.dirname(f) for f in files})
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
    proc = subprocess.run(["pylint", f"--rcfile={RCFILE}", *files],
                          env=env, capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


class PythonNamesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("pylint") is None:
            raise unittest.SkipTest("pylint is not installed (scripts/install-deps installs it)")

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
