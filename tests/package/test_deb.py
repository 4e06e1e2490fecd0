"""cpack -G DEB builds ccmon_<version>_<arch>.deb with the installed layout,
the configuration as a conffile and Depends covering every shared library
the programs load (docs/deploy.md, "Debian package")."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

import package_kit as kit

DPKG_DEB = shutil.which("dpkg-deb")
DPKG = shutil.which("dpkg")


def run(*cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def depends_packages(depends):
    """Package names of a Depends field: 'libc6 (>= 2.34), a | b' -> {libc6, a, b}."""
    return {re.match(r"\s*([^\s(]+)", alt).group(1)
            for item in depends.split(",") for alt in item.split("|")}


def package_of_soname(soname):
    """The Debian package shipping a shared library, found through ldconfig and dpkg -S."""
    cache = run("/sbin/ldconfig", "-p")
    paths = re.findall(rf"^\s*{re.escape(soname)} \([^)]*\) => (\S+)$", cache, re.M)
    if not paths:
        raise AssertionError(f"{soname} is not in the ldconfig cache")
    candidates = set()
    for p in paths + [os.path.realpath(p) for p in paths]:
        # merged /usr: dpkg may know either spelling
        candidates |= {p, p.replace("/usr/lib/", "/lib/", 1), p.replace("/lib/", "/usr/lib/", 1)}
    for p in sorted(candidates):
        proc = subprocess.run([DPKG, "-S", p], capture_output=True, text=True)
        if proc.returncode == 0:
            return proc.stdout.split(":")[0].strip()
    raise AssertionError(f"no package ships {soname} ({', '.join(paths)})")


def names_of(package):
    """A package's name and the virtual packages it provides."""
    provides = run("dpkg-query", "-W", "-f=${Provides}", package)
    return {package} | depends_packages(provides) if provides.strip() else {package}


@unittest.skipUnless(kit.CPACK and DPKG_DEB and DPKG,
                     "cpack or dpkg-deb is not installed (Debian packages cmake, dpkg)")
class DebTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ccmon-deb-")
        run(kit.CPACK, "-G", "DEB", "--config",
            os.path.join(kit.build_dir(), "CPackConfig.cmake"), "-B", cls.tmp.name)
        arch = run(DPKG, "--print-architecture").strip()
        cls.deb = os.path.join(cls.tmp.name, f"ccmon_{kit.project_version()}_{arch}.deb")
        cls.arch = arch

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def field(self, name):
        return run(DPKG_DEB, "-f", self.deb, name).strip()

    def test_control_fields(self):
        self.assertTrue(os.path.isfile(self.deb), os.listdir(self.tmp.name))
        self.assertEqual(self.field("Package"), "ccmon")
        self.assertEqual(self.field("Version"), kit.project_version())
        self.assertEqual(self.field("Architecture"), self.arch)
        self.assertIn("tzdata", depends_packages(self.field("Depends")))

    def test_configuration_is_a_conffile(self):
        info = run(DPKG_DEB, "-I", self.deb, "conffiles")
        self.assertEqual(info.split(), ["/etc/ccmon/ccmon.yml"])

    def test_contents_are_the_installed_layout(self):
        listing = run(DPKG_DEB, "-c", self.deb)
        files = sorted(line.split()[-1].removeprefix("./")
                       for line in listing.splitlines() if not line.startswith("d"))
        expected = sorted([f"usr/bin/{p}" for p in kit.PROGRAMS]
                          + list(kit.expected_shared_files("/usr"))
                          + ["etc/ccmon/ccmon.yml", "lib/systemd/system/ccmond.service"])
        self.assertEqual(files, expected)

    def test_depends_covers_every_shared_library(self):
        depends = depends_packages(self.field("Depends"))
        with tempfile.TemporaryDirectory(prefix="ccmon-deb-x-") as root:
            run(DPKG_DEB, "-x", self.deb, root)
            for program in kit.PROGRAMS:
                dynamic = run("objdump", "-p", os.path.join(root, "usr", "bin", program))
                for soname in re.findall(r"^\s*NEEDED\s+(\S+)$", dynamic, re.M):
                    with self.subTest(program=program, soname=soname):
                        # shlibs may name a virtual package (libspdlog1.10 provides
                        # libspdlog1.10-fmt9, tying it to fmt's ABI).
                        self.assertTrue(names_of(package_of_soname(soname)) & depends,
                                        f"{soname}: {sorted(depends)}")


if __name__ == "__main__":
    unittest.main()
