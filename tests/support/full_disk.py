"""A small file system that tests can fill: a real tmpfs in a private mount
namespace, so no privilege is needed (tests/integration/test_state_disk_full.py,
tests/integration/test_kafka_source.py, tests/e2e/test_simulator.py).

`unshare --user --map-root-user --mount` starts a holder process that mounts
the tmpfs; a program run with `Holder.prefix()` (nsenter) sees it, and the
test reaches it from outside through /proc/<holder>/root. Where user or mount
namespaces are not permitted, `Holder.reason` says why: the caller skips.
`HeldTmpfs` does that for a test class.
"""

import errno
import os
import shutil
import subprocess
import tempfile
import unittest

TMPFS_SIZE = "8m"


class Holder:
    """A process in fresh user + mount namespaces with a tmpfs at `path`;
    `reason` says why there is none (util-linux missing, namespaces refused)."""

    def __init__(self, path):
        self.path = path
        self.proc = None
        missing = [t for t in ("unshare", "nsenter") if shutil.which(t) is None]
        if missing:
            self.reason = f"{missing[0]} (util-linux) is not installed"
            return
        self.proc = subprocess.Popen(
            ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
             f'mount -t tmpfs -o size={TMPFS_SIZE} ccmon-test "$1" && echo mounted '
             '&& exec sleep infinity', "sh", path],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if line != "mounted":
            self.proc.wait()
            self.reason = self.proc.stderr.read().strip() or f"exit {self.proc.returncode}"
        else:
            self.reason = None

    def prefix(self):
        """Command prefix that runs a program inside the namespaces."""
        return ["nsenter", f"--target={self.proc.pid}", "--user", "--mount",
                "--preserve-credentials"]

    def inside(self, relative):
        """The path of `relative` (under the tmpfs) seen from outside."""
        return os.path.join(f"/proc/{self.proc.pid}/root", self.path.lstrip("/"), relative)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def fill(path):
    """Writes zeros to `path` until the file system is full; returns bytes written."""
    written = 0
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                n = f.write(chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                break
            written += n
            if n < len(chunk):  # a short write is where the space ran out
                try:
                    f.write(chunk[n:])
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                break
    return written


class HeldTmpfs:
    """Mixin for a unittest.TestCase: `cls.tmp` (a directory) with a tmpfs
    mounted on it by `cls.holder` for the whole class; the class is skipped,
    with the reason, where that cannot be done."""

    TMP_PREFIX = "ccmon-diskfull-"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix=cls.TMP_PREFIX)
        cls.holder = Holder(cls.tmp.name)
        if cls.holder.reason:
            cls.tmp.cleanup()
            raise unittest.SkipTest("cannot hold a tmpfs in a private user + mount namespace "
                                    f"here: {cls.holder.reason}")

    @classmethod
    def tearDownClass(cls):
        cls.holder.stop()
        cls.tmp.cleanup()
        super().tearDownClass()
