"""Shared by the install and Debian package tests: paths and what the
installed layout must hold (docs/deploy.md, "Installing")."""

import os
import re
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("CCMON_SOURCE_DIR", os.path.normpath(os.path.join(HERE, "..", "..")))
BUILD_DIR = os.environ.get("CCMON_BUILD_DIR")
CMAKE = os.environ.get("CCMON_CMAKE") or shutil.which("cmake")
CPACK = os.environ.get("CCMON_CPACK") or shutil.which("cpack")

PROGRAMS = ["ccmond", "ccmon-sim", "ccmon-bank2events"]
# deploy/ folders shipped under <datadir>/ccmon (the unit goes to the unit folder).
DEPLOY_FOLDERS = ["prometheus", "alertmanager", "grafana"]


def build_dir():
    if not BUILD_DIR:
        raise RuntimeError("CCMON_BUILD_DIR is not set: run the tests through ctest")
    return BUILD_DIR


def project_version():
    """VERSION of project() in the top-level CMakeLists.txt."""
    with open(os.path.join(SOURCE_DIR, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"project\(ccmon VERSION ([0-9.]+)", f.read()).group(1)


def files_under(root):
    """Relative paths of the files (and links) below root, sorted."""
    out = []
    for folder, _, names in os.walk(root):
        out += [os.path.relpath(os.path.join(folder, n), root) for n in names]
    return sorted(out)


def expected_shared_files(prefix):
    """{installed path relative to DESTDIR: source path} for the data files
    whose content is copied unchanged."""
    share = os.path.join(prefix, "share").lstrip("/")
    out = {}
    for folder in DEPLOY_FOLDERS:
        for rel in files_under(os.path.join(SOURCE_DIR, "deploy", folder)):
            out[os.path.join(share, "ccmon", folder, rel)] = os.path.join(
                SOURCE_DIR, "deploy", folder, rel)
    doc = os.path.join(share, "doc", "ccmon")
    for name in os.listdir(os.path.join(SOURCE_DIR, "docs")):
        if name.endswith(".md"):
            out[os.path.join(doc, name)] = os.path.join(SOURCE_DIR, "docs", name)
    out[os.path.join(doc, "README.md")] = os.path.join(SOURCE_DIR, "README.md")
    out[os.path.join(doc, "copyright")] = os.path.join(SOURCE_DIR, "LICENSE")
    return out


def unit_commands(text):
    """(ExecStartPre, ExecStart) values of a systemd unit text."""
    values = dict(re.findall(r"^(ExecStartPre|ExecStart)=(.*)$", text, re.M))
    return values.get("ExecStartPre"), values.get("ExecStart")
