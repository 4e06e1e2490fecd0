"""The journal on a real full file system: a 256 KiB tmpfs mounted in a
private user and mount namespace (unshare --user --map-root-user --mount),
so no privilege is needed. Where the kernel does not allow unprivileged user
namespaces the test is skipped, visibly (exit 77; a failure under
CCMON_REQUIRE_ALL=1)."""

import os
import subprocess
import sys
import tempfile

SKIP = 77


def main():
    binary = sys.argv[1]
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"SKIPPED: unprivileged mount namespaces are not available: {probe.stderr.strip()}")
        return 1 if os.environ.get("CCMON_REQUIRE_ALL") == "1" else SKIP
    with tempfile.TemporaryDirectory(prefix="ccmon-tmpfs-") as mnt:
        script = 'mount -t tmpfs -o size=256k tmpfs "$1" && shift && exec "$@"'
        env = dict(os.environ, CCMON_TMPFS_DIR=mnt)
        return subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script,
                               "sh", mnt, binary, "[.tmpfs]"], env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
