"""cmake --install lays ccmon out as a Debian package would (docs/deploy.md):
binaries, the example configuration, the systemd unit pointing at them,
the deploy/ files and the docs; nothing else."""

import filecmp
import os
import subprocess
import tempfile
import unittest

import package_kit as kit


def install(prefix, destdir):
    proc = subprocess.run([kit.CMAKE, "--install", kit.build_dir(), "--prefix", prefix],
                          env={**os.environ, "DESTDIR": destdir}, capture_output=True,
                          text=True, timeout=300)
    if proc.returncode != 0:
        raise AssertionError(f"cmake --install failed:\n{proc.stdout}{proc.stderr}")


class InstallTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="ccmon-install-")
        self.addCleanup(tmp.cleanup)
        self.destdir = tmp.name

    def path(self, rel):
        return os.path.join(self.destdir, rel.lstrip("/"))

    def read(self, rel):
        with open(self.path(rel), encoding="utf-8") as f:
            return f.read()

    def test_debian_layout_under_usr(self):
        install("/usr", self.destdir)
        shared = kit.expected_shared_files("/usr")
        expected = sorted([f"usr/bin/{p}" for p in kit.PROGRAMS] + list(shared)
                          + ["etc/ccmon/ccmon.yml", "lib/systemd/system/ccmond.service"])
        self.assertEqual(kit.files_under(self.destdir), expected)

        for program in kit.PROGRAMS:
            self.assertTrue(os.access(self.path(f"usr/bin/{program}"), os.X_OK), program)
        for rel, source in shared.items():
            self.assertTrue(filecmp.cmp(self.path(rel), source, shallow=False), rel)
        self.assertTrue(filecmp.cmp(self.path("etc/ccmon/ccmon.yml"),
                                    os.path.join(kit.SOURCE_DIR, "config", "ccmon.example.yml"),
                                    shallow=False))
        # Under /usr the shipped unit already names the installed paths.
        self.assertEqual(self.read("lib/systemd/system/ccmond.service"),
                         self.read_source_unit())
        pre, start = kit.unit_commands(self.read("lib/systemd/system/ccmond.service"))
        self.assertEqual(pre, "/usr/bin/ccmond --check-config /etc/ccmon/ccmon.yml")
        self.assertEqual(start, "/usr/bin/ccmond --config /etc/ccmon/ccmon.yml")

    def test_installed_daemon_accepts_installed_configuration(self):
        install("/usr", self.destdir)
        proc = subprocess.run([self.path("usr/bin/ccmond"), "--check-config",
                               self.path("etc/ccmon/ccmon.yml")],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_other_prefix_rewrites_the_unit(self):
        install("/opt/ccmon", self.destdir)
        for program in kit.PROGRAMS:
            self.assertTrue(os.access(self.path(f"opt/ccmon/bin/{program}"), os.X_OK), program)
        self.assertTrue(os.path.isfile(self.path("opt/ccmon/etc/ccmon/ccmon.yml")))
        unit = self.read("opt/ccmon/lib/systemd/system/ccmond.service")
        pre, start = kit.unit_commands(unit)
        self.assertEqual(pre, "/opt/ccmon/bin/ccmond --check-config /opt/ccmon/etc/ccmon/ccmon.yml")
        self.assertEqual(start, "/opt/ccmon/bin/ccmond --config /opt/ccmon/etc/ccmon/ccmon.yml")
        self.assertIn("Documentation=file:///opt/ccmon/share/doc/ccmon/deploy.md", unit)
        self.assertTrue(os.path.isfile(self.path("opt/ccmon/share/doc/ccmon/deploy.md")))
        # Nothing lands outside the prefix.
        self.assertEqual(os.listdir(self.destdir), ["opt"])

    def read_source_unit(self):
        with open(os.path.join(kit.SOURCE_DIR, "deploy", "systemd", "ccmond.service"),
                  encoding="utf-8") as f:
            return f.read()


if __name__ == "__main__":
    unittest.main()
