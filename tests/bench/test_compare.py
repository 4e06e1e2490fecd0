"""bench/compare.py: its statistics by hand, and real comparisons of a build's
engine bench and daemon with themselves; and the engine bench's options."""

import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import compare  # noqa: E402

COMPARE = os.path.join(ROOT, "bench", "compare.py")
BUILD = os.environ.get("CCMON_BUILD_DIR")  # set by ctest (tests/CMakeLists.txt)


class SignTest(unittest.TestCase):
    def test_exact_two_sided_p_values(self):
        # Binomial(n, 1/2) tails, counted by hand: 2 * sum(C(n, i), i <= k) / 2^n.
        self.assertAlmostEqual(compare.sign_test_p(7, 1), 2 * (1 + 8) / 256)
        self.assertAlmostEqual(compare.sign_test_p(1, 7), 2 * (1 + 8) / 256)
        self.assertAlmostEqual(compare.sign_test_p(8, 0), 2 / 256)
        self.assertAlmostEqual(compare.sign_test_p(5, 3), 2 * (1 + 8 + 28 + 56) / 256)
        self.assertEqual(compare.sign_test_p(3, 3), 1.0)  # 2 * 42/64, capped at 1
        self.assertEqual(compare.sign_test_p(0, 0), 1.0)


class Pairs(unittest.TestCase):
    def test_order_alternates(self):
        self.assertEqual([compare.pair_order(i) for i in range(4)],
                         [("a", "b"), ("b", "a"), ("a", "b"), ("b", "a")])

    def test_summary_by_hand(self):
        pairs = [{"a": {"cpu": 10.0, "rate": 100.0}, "b": {"cpu": 9.0, "rate": 90.0}},
                 {"a": {"cpu": 12.0, "rate": 120.0}, "b": {"cpu": 13.0, "rate": 130.0}},
                 {"a": {"cpu": 11.0, "rate": 110.0}, "b": {"cpu": 10.0, "rate": 110.0}}]
        rows = compare.summarise(pairs, {"cpu": True, "rate": False})
        cpu, rate = rows["cpu"], rows["rate"]
        self.assertEqual((cpu["a_median"], cpu["b_median"]), (11.0, 10.0))
        self.assertAlmostEqual(cpu["b_over_a"], 10 / 11)
        # Lower is better: B better in pairs 1 and 3, worse in 2.
        self.assertEqual((cpu["b_better"], cpu["b_worse"], cpu["pairs"]), (2, 1, 3))
        self.assertEqual(cpu["sign_test_p"], 1.0)  # 2 * (1 + 3) / 8
        # Higher is better: B worse in pair 1, better in 2, tied in 3 (left out).
        self.assertEqual((rate["b_better"], rate["b_worse"]), (1, 1))
        self.assertEqual(rate["b_median"], 110.0)

    def test_checksums_must_agree(self):
        same = [{"a_checksum": "ab", "b_checksum": "ab"}, {"a_checksum": "ab", "b_checksum": "ab"}]
        compare.check_checksums(same)
        differ = [{"a_checksum": "ab", "b_checksum": "ab"}, {"a_checksum": "ab", "b_checksum": "cd"}]
        with self.assertRaisesRegex(compare.ChecksumMismatch, r"A \['ab'\], B \['ab', 'cd'\]"):
            compare.check_checksums(differ)


def write_events(path, contacts=200):
    """A small valid day: each contact queued, answered after 10 s, ended after 60 s."""
    with open(path, "w") as f:
        for i in range(contacts):
            t = 1_790_000_000 + 5 * i
            c = f"c-{i}"
            for k, (typ, dt, extra) in enumerate((("contact.queued", 0, ',"queue":"sales"'),
                                                  ("contact.answered", 10, ',"agent":"a1"'),
                                                  ("contact.ended", 70, ""))):
                f.write(f'{{"id":"{c}-{k}","type":"{typ}","time":{t + dt},"contact":"{c}",'
                        f'"channel":"voice"{extra}}}\n')


class RealRuns(unittest.TestCase):
    """compare.py driving the real ccmon_engine_bench, ccmond and ccmon_ingest_load of
    this build (tests/CMakeLists.txt builds the benchmark programs for this test), and
    the engine bench's own options that a comparison by hand uses."""

    @classmethod
    def setUpClass(cls):
        if BUILD is None:
            raise RuntimeError("CCMON_BUILD_DIR is not set: run this test through ctest")
        cls.engine_bench = os.path.join(BUILD, "bench", "ccmon_engine_bench")
        if not os.access(cls.engine_bench, os.X_OK):
            raise unittest.SkipTest(f"{cls.engine_bench} is not built")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.events = os.path.join(cls.tmp.name, "day.ndjson")
        write_events(cls.events)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_compare(self, a, b, *extra, what="engine", events=None):
        return subprocess.run([sys.executable, COMPARE, a, b, "--what", what, "--file",
                               events or self.events, *extra], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=300)

    def fake_build(self, name, script):
        """A stand-in build directory whose engine bench is a shell script."""
        fake = os.path.join(self.tmp.name, name)
        stand_in(fake, "bench/ccmon_engine_bench", script)
        return fake

    def test_a_build_against_itself(self):
        # The checksum compare.py reports is the one the engine bench prints.
        direct = subprocess.run([self.engine_bench, "--file", self.events],
                                stdout=subprocess.PIPE, text=True, check=True).stdout
        checksum = re.search(r"KPI checksum ([0-9a-f]{16})", direct).group(1)
        self.assertIn("600 events", direct)
        out = os.path.join(self.tmp.name, "summary.json")
        r = self.run_compare(BUILD, BUILD, "--pairs", "2", "--json", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"apply_cpu_s\s")
        self.assertIn(f"KPI checksum {checksum} in every run", r.stdout)
        with open(out) as f:
            summary = json.load(f)
        row = summary["summary"]["apply_cpu_s"]
        self.assertEqual(row["pairs"], 2)
        self.assertEqual(len(row["a"]), 2)
        self.assertTrue(all(x >= 0 for x in row["a"] + row["b"]))
        self.assertEqual({p["a_checksum"] for p in summary["pairs"]} |
                         {p["b_checksum"] for p in summary["pairs"]}, {checksum})

    def test_the_engine_bench_snapshots_as_often_as_asked(self):
        # 600 events in batches of 100: six batches, a snapshot after every
        # second one (after batches 2, 4 and 6) and the last one at the end.
        out = subprocess.run([self.engine_bench, "--file", self.events, "--batch", "100",
                              "--snapshot-every", "2"], stdout=subprocess.PIPE, text=True,
                             check=True).stdout
        self.assertIn("600 events from 1 connection(s) in batches of 100", out)
        self.assertIn("; 4 snapshots in", out)
        default = subprocess.run([self.engine_bench, "--file", self.events, "--batch", "100"],
                                 stdout=subprocess.PIPE, text=True, check=True).stdout
        self.assertIn("; 1 snapshots in", default)  # every 20 batches: only the last
        for args in (["--snapshot-every", "0"], ["--snapshot-every", "-1"], ["--snapshot-every"],
                     ["--snapshot-every", "99999999999999999999"], ["--every", "2"]):
            bad = subprocess.run([self.engine_bench, "--file", self.events, *args],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertEqual(bad.returncode, 2, args)
            self.assertIn("[--snapshot-every N] [--engine-thread] (N > 0)", bad.stderr)

    def test_the_engine_bench_runs_the_engine_threads_work(self):
        # --engine-thread adds the duplicate-id memory and the answer memory
        # as the daemon's engine runner feeds them. The 600 events, then 25
        # lines reusing the ids of the first 25 for contacts of their own
        # (an id seen is a duplicate, whatever it carries), then three
        # agent states and the same id twice within that last batch of 100:
        # the memory drops 26 lines (the KPIs are those of the file without
        # them) and remembers 604 ids; the answer memory keeps one answer
        # (agent a1 in sales/voice, 200 times) and one agent away (a2; a1
        # went away and came back).
        with open(self.events) as f:
            lines = f.readlines()

        def state(i, agent, s):
            return (f'{{"id":"s-{i}","type":"agent.state","time":{1_790_001_100 + i},'
                    f'"agent":"{agent}","state":"{s}"}}\n')

        states = [state(1, "a1", "away"), state(2, "a2", "away"), state(3, "a1", "available")]
        twice = ['{"id":"x-1","type":"contact.queued","time":1790001200,"contact":"x-1",'
                 '"channel":"voice","queue":"sales"}\n',
                 '{"id":"x-1","type":"contact.queued","time":1790001201,"contact":"x-2",'
                 '"channel":"voice","queue":"sales"}\n']
        reused = [x.replace('"contact":"c-', '"contact":"r-') for x in lines[:25]]
        resent = os.path.join(self.tmp.name, "resent.ndjson")
        with open(resent, "w") as f:
            f.writelines(lines + reused + states + twice)
        plain = os.path.join(self.tmp.name, "plain.ndjson")
        with open(plain, "w") as f:
            f.writelines(lines + states + twice[:1])

        def run(path, *args):
            return subprocess.run([self.engine_bench, "--file", path, "--batch", "100", *args],
                                  stdout=subprocess.PIPE, text=True, check=True).stdout

        def checksum(out):
            return re.search(r"KPI checksum ([0-9a-f]{16})", out).group(1)

        out = run(resent, "--engine-thread")
        self.assertIn("630 events from 1 connection(s)", out)
        self.assertIn("; 26 duplicates, 604 ids remembered)", out)
        self.assertIn("; 1 answers kept, 1 agents away or offline)", out)
        self.assertRegex(out, r"applies and both memories [\d.]+ s CPU = \d+ events/s")
        self.assertEqual(checksum(out), checksum(run(plain)))
        # Without it those lines reach the engine: contacts offered, other KPIs.
        self.assertNotEqual(checksum(run(resent)), checksum(out))
        self.assertNotIn("beside the engine", run(resent))

    def test_a_daemon_with_durable_state_against_itself(self):
        # The real ccmond, sent the events by the real load generator, each
        # run keeping its state in a fresh directory: a run that journaled
        # nothing would fail the comparison (exit status 3).
        for rel in ("server/ccmond", "bench/ccmon_ingest_load"):
            if not os.access(os.path.join(BUILD, rel), os.X_OK):
                self.skipTest(f"{rel} is not built")
        # Enough events for the daemon's threads to show CPU time (a run
        # without any is a failed run too).
        events = os.path.join(self.tmp.name, "larger.ndjson")
        write_events(events, contacts=20_000)
        out = os.path.join(self.tmp.name, "state.json")
        r = self.run_compare(BUILD, BUILD, "--state", "always", "--pairs", "1", "--json", out,
                             what="http", events=events)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("http, state.sync always:", r.stdout)
        with open(out) as f:
            summary = json.load(f)
        self.assertEqual(summary["state"], "always")
        self.assertEqual(len(summary["summary"]["events_per_s"]["a"]), 1)
        self.assertGreater(summary["summary"]["events_per_s"]["b"][0], 0)
        self.assertIn("snapshot_processes_cpu_s", summary["summary"])  # a --state measure

    def test_changed_kpis_fail_the_comparison(self):
        # Build B is a stand-in (one real build only can be made here): a
        # script printing the engine bench's line with another checksum.
        fake = self.fake_build(
            "other-kpis", "echo 'file: 600 events from 1 connection(s) in batches of 5000 in "
            "0.010 s CPU = 60000 events/s per core; 1 snapshots in 0.001 s CPU; "
            "KPI checksum 0123456789abcdef (out of sequence: 0)'\n")
        r = self.run_compare(BUILD, fake, "--pairs", "1")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("KPI checksums differ", r.stderr)
        self.assertIn("0123456789abcdef", r.stderr)

    def test_a_failed_run_is_told_apart(self):
        # A stand-in again: an engine bench that fails, as on a file it cannot read.
        fake = self.fake_build("failing", "echo 'cannot read the file' >&2\nexit 1\n")
        r = self.run_compare(BUILD, fake, "--pairs", "1")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn(f"a run of B ({fake}) failed", r.stderr)


def stand_in(build, rel, script):
    """A stand-in program (a shell script) at build/rel."""
    path = os.path.join(build, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + script)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)


class Failures(unittest.TestCase):
    def test_a_daemon_that_does_not_start_is_a_failed_run(self):
        # Stand-ins: a ccmond that exits at once, and a load generator never reached.
        with tempfile.TemporaryDirectory() as build:
            stand_in(build, "server/ccmond", "echo 'cannot bind' >&2\nexit 1\n")
            stand_in(build, "bench/ccmon_ingest_load", "exit 1\n")
            r = subprocess.run([sys.executable, COMPARE, build, build, "--what", "websocket",
                                "--pairs", "2", "--file", COMPARE], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, timeout=120)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("a run of A", r.stderr)
        self.assertIn("cannot bind", r.stderr)

    def test_an_unwritable_json_path_is_refused_before_the_runs(self):
        with tempfile.TemporaryDirectory() as build:
            stand_in(build, "bench/ccmon_codec_bench", "exit 1\n")
            r = subprocess.run([sys.executable, COMPARE, build, build, "--what", "codec",
                                "--file", COMPARE, "--json",
                                os.path.join(build, "no", "such", "dir", "out.json")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=60)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("cannot write --json", r.stderr)

    def test_state_without_a_daemon_is_refused(self):
        with tempfile.TemporaryDirectory() as empty:
            r = subprocess.run([sys.executable, COMPARE, empty, empty, "--what", "engine",
                                "--state", "always", "--file", COMPARE],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--state needs a daemon", r.stderr)

    def test_a_missing_program_is_named(self):
        with tempfile.TemporaryDirectory() as empty:
            r = subprocess.run([sys.executable, COMPARE, empty, empty, "--what", "http",
                                "--file", COMPARE], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn(os.path.join(empty, "server", "ccmond"), r.stderr)
        self.assertIn(os.path.join(empty, "bench", "ccmon_ingest_load"), r.stderr)


if __name__ == "__main__":
    unittest.main()
