"""ccmon-sim against a real ccmond: the daemon must count exactly what the
simulator says it emitted.

The daemon runs in event-clock mode (replayed history, no dependence on the
wall clock); the simulator runs flat out over two simulated hours and prints
its per queue x channel summary. The daemon's since-start counters
(ccmon_contacts_{offered,answered,abandoned,handled}_total) must equal it.
A third case kills the daemon mid-run and starts a new one on the same port:
the simulator must resend what was not acknowledged and lose nothing. The
last fills the disk under the daemon's state: the simulator must wait out the
`state_unavailable` answers and resend until every event is counted once.
"""

import json
import os
import shutil
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from ccmond import Daemon, metric, poll  # noqa: E402
from full_disk import HeldTmpfs, fill  # noqa: E402

CONFIG = """\
server:
  clock: event
"""
START = "2024-06-03T09:00:00Z"
COUNTERS = {
    "offered": "ccmon_contacts_offered_total",
    "answered": "ccmon_contacts_answered_total",
    "abandoned": "ccmon_contacts_abandoned_total",
    "handled": "ccmon_contacts_handled_total",
}


def simulator():
    build = os.environ.get("CCMON_BUILD_DIR")
    if not build:
        raise AssertionError("CCMON_BUILD_DIR is not set: run the tests through ctest")
    path = os.path.join(build, "tools", "sim", "ccmon-sim")
    if not os.path.exists(path):
        raise AssertionError(f"{path} is missing: build the ccmon-sim target")
    return path


def sim_command(url, seed, *extra):
    # A fixed morning in the past: the same events on every run, at a busy time
    # of day (the arrival rate follows the UTC time of day).
    return [simulator(), "--url", url, "--seed", str(seed), "--start", START, "--duration", "2h",
            "--agents", "30", "--rate", "1.5", "--summary", *extra]


def daemon_counts(daemon):
    """{(queue, channel): {key: value}} from the daemon's counters."""
    out = {}
    for (name, labels), value in daemon.metrics().items():
        for key, metric_name in COUNTERS.items():
            if name == metric_name:
                labels = dict(labels)
                out.setdefault((labels["queue"], labels["channel"]), {})[key] = value
    return out


class CountsAgree:
    def assert_counts_agree(self, d, summary):
        """The daemon's since-start counters equal the simulator's summary."""
        daemon = daemon_counts(d)
        series = {(s["queue"], s["channel"]): s for s in summary["series"]}
        self.assertGreaterEqual(len(series), 10)  # 4 queues x up to 4 channels
        for key, s in series.items():
            for name in COUNTERS:
                with self.subTest(series=key, counter=name):
                    self.assertEqual(daemon.get(key, {}).get(name, 0), s[name])
        # Nor does the daemon count anything the simulator did not emit.
        for key, values in daemon.items():
            if key not in series:
                self.assertEqual(sum(values.values()), 0, key)
        # The run was busy enough to exercise every outcome.
        self.assertGreater(sum(s["abandoned"] for s in series.values()), 0)
        self.assertGreater(sum(s["answered"] for s in series.values()), 300)


class SimulatorAgreesWithDaemon(CountsAgree, unittest.TestCase):

    def run_and_compare(self, scheme, path, seed, *extra):
        with Daemon(CONFIG) as d:
            url = f"{scheme}://{d.host}:{d.port}{path}"
            proc = subprocess.run(sim_command(url, seed, "--speed", "max", *extra),
                                  capture_output=True, text=True, timeout=300)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            summary = json.loads(proc.stdout)
            ack = summary["acknowledged"]
            self.assertEqual(ack["events"], summary["emitted"])
            self.assertEqual(ack["accepted"], summary["emitted"])
            self.assertEqual(ack["rejected"], 0)
            self.assertGreater(summary["emitted"], 5000)

            self.assert_counts_agree(d, summary)
            accepted = sum(v for (name, _), v in d.metrics().items()
                           if name == "ccmon_events_accepted_total")
            self.assertEqual(accepted, summary["emitted"])
            # Every lifecycle fits the engine's state machines.
            self.assertEqual(metric(d.metrics(), "ccmon_events_out_of_sequence_total"), 0)
            return summary

    def test_websocket(self):
        summary = self.run_and_compare("ws", "/v1/stream", 42, "--batch", "200")
        self.assertEqual(summary["acknowledged"]["reconnects"], 0)

    def test_http(self):
        summary = self.run_and_compare("http", "/v1/events", 43, "--batch", "300")
        self.assertEqual(summary["acknowledged"]["duplicates"], 0)


class SimulatorSurvivesDaemonRestart(unittest.TestCase):

    def test_websocket_resends_after_restart(self):
        first = Daemon(CONFIG)
        port = first.port
        # 2 simulated hours at 1500x: about 5 s of wall time, paced.
        url = f"ws://{first.host}:{port}/v1/stream"
        proc = subprocess.Popen(sim_command(url, 44, "--speed", "1500", "--batch", "50"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        second = None
        try:
            def accepted():
                return sum(v for (name, _), v in first.metrics().items()
                           if name == "ccmon_events_accepted_total")
            poll(lambda: accepted() > 500, timeout=60, what="the simulator's first events")
            self.assertIsNone(proc.poll(), "the simulator finished before the restart")
            first.proc.kill()  # no graceful close: frames in flight are lost with it
            first.proc.wait()
            first.stop()
            second = Daemon(CONFIG, args=("--listen", f"127.0.0.1:{port}"))
            out, err = proc.communicate(timeout=300)
            self.assertEqual(proc.returncode, 0, err)
            summary = json.loads(out)
            ack = summary["acknowledged"]
            self.assertGreaterEqual(ack["reconnects"], 1, err)
            self.assertEqual(ack["events"], summary["emitted"])
            self.assertEqual(ack["rejected"], 0)
            # The new daemon saw every event the first one had not acknowledged.
            accepted_second = sum(v for (name, _), v in second.metrics().items()
                                  if name == "ccmon_events_accepted_total")
            self.assertGreater(accepted_second, 0)
            self.assertLessEqual(accepted_second, summary["emitted"])
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
            if second is not None:
                second.stop()
            first.stop()


class SimulatorWaitsOutAFullDisk(HeldTmpfs, CountsAgree, unittest.TestCase):
    """The daemon's state on a real tmpfs, filled while the simulator streams
    (tests/support/full_disk.py): the daemon answers `state_unavailable` (503
    over HTTP, an error reply over WebSocket) until space is back."""

    TMP_PREFIX = "ccmon-sim-diskfull-"
    WINDOW = 8  # WebSocket frames in flight

    def run_through_full_disk(self, scheme, path, seed):
        state = os.path.join(self.tmp.name, f"state-{scheme}")
        filler = self.holder.inside(f"fill-{scheme}")
        d = Daemon(CONFIG, state_dir=state, prefix=self.holder.prefix())
        proc = None
        try:
            self.assertGreater(fill(filler), 0)
            url = f"{scheme}://{d.host}:{d.port}{path}"
            window = ("--window", str(self.WINDOW)) if scheme == "ws" else ()
            proc = subprocess.Popen(
                sim_command(url, seed, "--speed", "max", "--batch", "50", *window),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

            def refused():
                return metric(d.metrics(), "ccmon_requests_rejected_total",
                              reason="state_unavailable") or 0
            poll(lambda: refused() > 0, timeout=60, what="the full disk to refuse a batch")
            # Some of the journal's last page may have taken the first events:
            # the run must still be going, waiting on the daemon.
            if proc.poll() is not None:
                self.fail("the simulator exited before the disk refused, or at its refusal:\n"
                          + proc.communicate()[1])
            first_refusals = refused()
            # A refusal on a later connection, or of a later request: a resend
            # refused too, so the simulator neither gave up nor skipped the
            # batch. One WebSocket connection refuses at most its window of
            # frames (the one refused and those behind it).
            extra = self.WINDOW if scheme == "ws" else 0
            poll(lambda: refused() > first_refusals + extra, timeout=60,
                 what="a resend, refused too")
            self.assertIsNone(proc.poll(), "the simulator stopped while the disk was full")
            os.remove(filler)
            out, err = proc.communicate(timeout=300)
            self.assertEqual(proc.returncode, 0, err)
            self.assertIn("state_unavailable", err)
            summary = json.loads(out)
            ack = summary["acknowledged"]
            self.assertEqual(ack["events"], summary["emitted"])
            self.assertEqual(ack["accepted"] + ack["duplicates"], summary["emitted"])
            self.assertEqual(ack["rejected"], 0)
            self.assertGreater(ack["retries"], 0)
            if scheme == "ws":  # the daemon ends a stream at a refused frame, twice at least
                self.assertGreaterEqual(ack["reconnects"], 2)
            # Counted exactly once: nothing refused was applied, nothing resent
            # was applied twice.
            self.assert_counts_agree(d, summary)
            accepted = sum(v for (name, _), v in d.metrics().items()
                           if name == "ccmon_events_accepted_total")
            self.assertEqual(accepted, ack["accepted"])
        finally:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.communicate()
            if os.path.exists(filler):
                os.remove(filler)
            d.stop()
            shutil.rmtree(self.holder.inside(f"state-{scheme}"), ignore_errors=True)

    def test_websocket(self):
        self.run_through_full_disk("ws", "/v1/stream", 45)

    def test_http(self):
        self.run_through_full_disk("http", "/v1/events", 46)


if __name__ == "__main__":
    unittest.main()
