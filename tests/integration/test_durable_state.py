"""The state directory (docs/ingestion.md, "Acknowledgements"): a restart, a
SIGKILL after acknowledged events, resends after a restart, a locked
directory, damage at start, --check-state and --reset-state; the real daemon
over real sockets."""

import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from ccmond import Daemon, metric  # noqa: E402
from events import BASE, answered, event, queued  # noqa: E402

# Event clock: "now" is the latest event time, restored with the state, so
# every value (live ones included) compares exactly across a restart.
CONFIG = "server:\n  clock: event\n"

# The daemon's own metrics count what this process did (they start at 0 at
# every start, as Prometheus expects of a restarted target); everything else
# on /metrics is the KPI state and must survive.
OWN = ("ccmon_events_", "ccmon_requests_rejected", "ccmon_connections", "ccmon_config_",
       "ccmon_build_info", "ccmon_journal_", "ccmon_state_", "ccmon_event_lag",
       "ccmon_sla_transitions_dropped", "ccmon_engine_ticks", "ccmon_auth_rejected")


def kpi_lines(daemon):
    return [line for line in daemon.metrics_text().splitlines()
            if line and not line.startswith("#") and not line.startswith(OWN)]


def day(prefix, n, t0=BASE):
    """n contacts queued, answered, ended; one agent state; a survey."""
    out = [event("agent.state", t0, agent="a1", team="t1", state="available",
                 id=f"{prefix}-agent")]
    for i in range(n):
        c = f"{prefix}-c{i}"
        t = t0 + 10 * i
        out.append(queued(c, t=t, id=f"{prefix}-q{i}"))
        out.append(answered(c, t=t + 5, id=f"{prefix}-a{i}"))
        out.append(event("contact.ended", t + 65, contact=c, id=f"{prefix}-e{i}"))
    out.append(event("survey.answered", t0 + 10 * n, contact=f"{prefix}-c0", csat=5,
                     id=f"{prefix}-s"))
    return out


def journal_records(path):
    """(offset, payload) of each record of a segment: u32 length, u32 CRC,
    payload, little endian (store/journal.hpp)."""
    data = open(path, "rb").read()
    off = 0
    while off + 8 <= len(data):
        n = int.from_bytes(data[off:off + 4], "little")
        yield off, data[off + 8:off + 8 + n]
        off += 8 + n


class DurableStateTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ccmon-state-test-")
        self.state = os.path.join(self.tmp.name, "state")

    def tearDown(self):
        self.tmp.cleanup()

    def post(self, d, events):
        status, r = d.post_events(events)
        self.assertEqual(status, 200, r)
        return r

    def test_restart_keeps_today_and_counters(self):
        with Daemon(CONFIG, state_dir=self.state) as d:
            r = self.post(d, day("r", 20))
            self.assertEqual((r["accepted"], r["duplicates"]), (62, 0))
            before = kpi_lines(d)
            kpis = d.kpis("?window=today")
            self.assertEqual(d.stop(), 0)
        # The 20 answered contacts are in `today`, so the comparison means something.
        self.assertIn('ccmon_answered{queue="sales",channel="voice",window="today"} 20', before)
        with Daemon(CONFIG, state_dir=self.state) as d:
            self.assertEqual(kpi_lines(d), before)
            self.assertEqual(d.kpis("?window=today"), kpis)
            # A clean shutdown left nothing to replay but its own last records.
            m = d.metrics()
            self.assertEqual(metric(m, "ccmon_state_recovery_cut_records_total"), 0)

    def test_sigkill_after_acknowledged_events_keeps_them(self):
        d = Daemon(CONFIG, state_dir=self.state)
        for k in range(5):  # several batches, each acknowledged before the next
            self.post(d, day(f"k{k}", 10, t0=BASE + 1000 * k))
        before = kpi_lines(d)
        d.stop(sig=signal.SIGKILL)
        with Daemon(CONFIG, state_dir=self.state) as again:
            self.assertEqual(kpi_lines(again), before)
            self.assertGreaterEqual(metric(again.metrics(), "ccmon_state_replayed_records_total"), 5)

    def test_resent_events_after_restart_are_duplicates(self):
        events = day("dup", 8)
        d = Daemon(CONFIG, state_dir=self.state)
        self.post(d, events)
        before = kpi_lines(d)
        d.stop(sig=signal.SIGKILL)
        with Daemon(CONFIG, state_dir=self.state) as again:
            r = self.post(again, events)
            self.assertEqual((r["accepted"], r["duplicates"]), (0, len(events)))
            self.assertEqual(kpi_lines(again), before)

    def test_locked_directory_is_refused_with_status_2(self):
        with Daemon(CONFIG, state_dir=self.state) as d:
            res = subprocess.run([os.environ["CCMOND"], "--listen", "127.0.0.1:0",
                                  "--state-dir", self.state], capture_output=True, text=True,
                                 timeout=30)
            self.assertEqual(res.returncode, 2, res.stderr)
            self.assertIn(f"state directory {self.state} is in use by another ccmond "
                          f"(pid {d.proc.pid})", res.stderr)
            self.assertNotIn("listening on", res.stderr)
            # --reset-state refuses too; --check-state reads it as it is.
            res = subprocess.run([os.environ["CCMOND"], "--reset-state", self.state],
                                 capture_output=True, text=True, timeout=30)
            self.assertEqual(res.returncode, 2)
            self.assertIn("in use by another ccmond", res.stderr)
            res = subprocess.run([os.environ["CCMOND"], "--check-state", self.state],
                                 capture_output=True, text=True, timeout=30)
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            self.assertIn(f"in use by ccmond (pid {d.proc.pid})", res.stdout)

    def test_torn_journal_tail_is_cut_counted_and_reported(self):
        d = Daemon(CONFIG, state_dir=self.state)
        self.post(d, day("t1", 5))
        before = kpi_lines(d)
        self.post(d, day("t2", 5, t0=BASE + 5000))
        d.stop(sig=signal.SIGKILL)
        # Tear t2's record as a crash in the middle of its write would: the
        # file ends 3 bytes into it (the ticks journaled after it go too).
        segment = sorted(glob.glob(os.path.join(self.state, "journal", "*.log")))[-1]
        offset = next(off for off, payload in journal_records(segment) if b"t2-q0" in payload)
        with open(segment, "r+b") as f:
            f.truncate(offset + 3)
        check = self.check_state()
        self.assertEqual(check.returncode, 1, check.stdout)
        self.assertIn("a start would cut 1 records", check.stdout)
        with Daemon(CONFIG, state_dir=self.state) as again:
            self.assertEqual(metric(again.metrics(), "ccmon_state_recovery_cut_records_total"), 1)
            self.assertEqual(kpi_lines(again), before)
            # t2 was cut: its resend is new, not a duplicate.
            r = self.post(again, day("t2", 5, t0=BASE + 5000))
            self.assertEqual(r["duplicates"], 0)
        self.assertEqual(self.check_state().returncode, 0)

    def test_reset_state_empties_the_directory(self):
        with Daemon(CONFIG, state_dir=self.state) as d:
            self.post(d, day("x", 3))
        res = subprocess.run([os.environ["CCMOND"], "--reset-state", self.state],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(glob.glob(os.path.join(self.state, "journal", "*")), [])
        self.assertEqual(glob.glob(os.path.join(self.state, "snapshot-*")), [])
        with Daemon(CONFIG, state_dir=self.state) as d:
            self.assertEqual(metric(d.metrics(), "ccmon_state_replayed_records_total"), 0)
            r = self.post(d, day("x", 3))
            self.assertEqual(r["duplicates"], 0)
        res = subprocess.run([os.environ["CCMOND"], "--check-state",
                              os.path.join(self.tmp.name, "absent")],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(res.returncode, 2)

    def test_no_state_directory_keeps_nothing(self):
        with Daemon(CONFIG, state_dir="") as d:
            self.post(d, day("n", 2))
            self.assertIsNone(metric(d.metrics(), "ccmon_journal_records_total"))
        with Daemon(CONFIG, state_dir="") as d:
            r = self.post(d, day("n", 2))
            self.assertEqual(r["duplicates"], 0)

    def check_state(self):
        return subprocess.run([os.environ["CCMOND"], "--check-state", self.state],
                              capture_output=True, text=True, timeout=60)


if __name__ == "__main__":
    unittest.main()
