"""No compile command of the project has a project source folder on its
include path: headers are reached only through the per-target include roots
in <build>/include (cmake/CcmonIncludeRoot.cmake)."""

import json
import os
import shlex
import unittest

SOURCE_DIR = os.path.normpath(os.environ.get(
    "CCMON_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")))
BUILD_DIR = os.environ.get("CCMON_BUILD_DIR")
INCLUDE_FLAGS = ("-isystem", "-iquote", "-idirafter", "-I")  # longest first


def include_dirs(entry):
    """Include folders of one compile_commands.json entry, absolute."""
    args = entry.get("arguments") or shlex.split(entry["command"])
    out = []
    for i, arg in enumerate(args):
        flag = next((f for f in INCLUDE_FLAGS if arg.startswith(f)), None)
        if flag is None:
            continue
        value = arg[len(flag):] or (args[i + 1] if i + 1 < len(args) else "")
        out.append(os.path.normpath(os.path.join(entry["directory"], value)))
    return out


def inside(path, folder):
    return os.path.commonpath([path, folder]) == folder


class IncludePathTest(unittest.TestCase):
    def setUp(self):
        if not BUILD_DIR:
            raise RuntimeError("CCMON_BUILD_DIR is not set: run the tests through ctest")
        self.build = os.path.normpath(BUILD_DIR)
        with open(os.path.join(self.build, "compile_commands.json"), encoding="utf-8") as f:
            self.entries = [e for e in json.load(f)
                            if inside(os.path.normpath(e["file"]), SOURCE_DIR)]

    def test_no_source_folder_on_any_include_path(self):
        self.assertGreater(len(self.entries), 50)
        for entry in self.entries:
            for d in include_dirs(entry):
                with self.subTest(file=entry["file"], include=d):
                    self.assertFalse(inside(d, SOURCE_DIR) and not inside(d, self.build),
                                     f"{d} is a source folder")

    def test_every_project_file_compiles_with_an_include_root(self):
        roots = os.path.join(self.build, "include")
        for entry in self.entries:
            if entry["file"].endswith("catch_main.cpp"):
                continue  # Catch2's main includes nothing of ours
            with self.subTest(file=entry["file"]):
                self.assertTrue(any(inside(d, roots) for d in include_dirs(entry)))


if __name__ == "__main__":
    unittest.main()
