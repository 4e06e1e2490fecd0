"""Restarting on the same state directory (issue 9, docs/operations.md).

- With a changed configuration: the restored state gets the new one by the
  rules of a reload (the codec restores, then the engine is reconfigured:
  docs/kpis.md "Reconfiguration", docs/sla.md "Reloads"): windows of an
  unchanged length keep their contents, a new length starts empty, a removed
  one is gone; a new service-level threshold judges outcomes from then on;
  `today`, counters and unchanged SLA rule states (breach, `since`, a pending
  `for` timer) are kept, a changed rule starts afresh; a lower cap applies to
  label values seen from then on.
- A state directory held by a running daemon is refused: exit 2 and a
  message naming the directory (and `--reset-state` refuses too).
- `--check-state` reads a directory without changing it.

Events are synthetic (tests/integration/events.py) so that every expected
value is computed by hand below; event-clock mode, time zone UTC, all events
on 2023-11-14 (BASE = 22:13:20Z, the last one 11 minutes later).
"""

import hashlib
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from durable import StateDaemon, metrics_samples, state_config  # noqa: E402
from ccmond import ccmond_path, metric  # noqa: E402
from events import BASE, answered, event, queued  # noqa: E402

SLA_RULES = """\
sla:
  - name: abandon_for
    kpi: abandon_ratio
    op: "<="
    target: 0.05
    window: today
    queue: sales
    channel: voice
    for: 10m
  - name: abandon_now
    kpi: abandon_ratio
    op: "<="
    target: 0.05
    window: today
    queue: sales
    channel: voice
  - name: abandon_changed
    kpi: abandon_ratio
    op: "<="
    target: {changed_target}
    window: today
    queue: sales
    channel: voice
"""

BEFORE = """\
server:
  clock: event
kpis:
  windows: [5m, 15m, 1h]
  service_level:
    threshold: 20s
    short_abandon: 5s
""" + SLA_RULES.format(changed_target="0.05")

# 5m removed, 4h added, T 20s -> 30s, at most 2 queues (was 200), and the
# third rule's target changed.
AFTER = """\
server:
  clock: event
kpis:
  windows: [15m, 1h, 4h]
  service_level:
    threshold: 30s
    short_abandon: 5s
cardinality:
  max_queues: 2
""" + SLA_RULES.format(changed_target="0.6")


def sla_states(daemon):
    return {s["sla"]: s for s in daemon.kpis()["sla"]
            if (s["queue"], s["channel"]) == ("sales", "voice")}


def files_digest(path):
    """{relative path: sha256} of every file under path."""
    out = {}
    for root, _, names in os.walk(path):
        for name in names:
            full = os.path.join(root, name)
            with open(full, "rb") as f:
                out[os.path.relpath(full, path)] = hashlib.sha256(f.read()).hexdigest()
    return out


class RestartWithChangedConfigTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ccmon-restart-config-")
        self.state = os.path.join(self.tmp.name, "state")
        self.d = None

    def tearDown(self):
        if self.d is not None:
            self.d.stop()
        self.tmp.cleanup()

    def post(self, *events):
        status, answer = self.d.post_events(list(events))
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["accepted"], len(events), answer)

    def today(self, m, name, queue="sales"):
        return metric(m, name, queue=queue, channel="voice", window="today")

    def test_new_configuration_applies_to_the_restored_state(self):
        self.d = StateDaemon(state_config(BEFORE, self.state))
        self.post(queued("c1", t=BASE), answered("c1", t=BASE + 25),  # waited 25 s
                  queued("c2", t=BASE + 10), event("contact.abandoned", BASE + 70, contact="c2"),
                  queued("c3", t=BASE + 20))  # c3 still waits
        # now = BASE+70. today (sales, voice): offered 3, answered 1, abandoned 1
        # (waited 60 s, not short); SL = 0 within 20 s / (1 + 1 - 0) = 0;
        # abandon ratio = (1 - 0) / (1 + 1 - 0) = 0.5 > 0.05: abandon_now and
        # abandon_changed breach now, abandon_for starts its 10 min timer (at
        # the next tick: rules are judged on the tick, not on a scrape).
        self.d.wait_tick()
        before = metrics_samples(self.d)
        self.assertEqual(self.today(before, "ccmon_abandon_ratio"), 0.5)
        self.assertEqual(metric(before, "ccmon_sla_breached", sla="abandon_now", queue="sales",
                                channel="voice"), 1)
        self.post(queued("s1", queue="support", t=BASE + 300))  # now = BASE+300
        self.d.wait_tick()
        before = metrics_samples(self.d)
        self.assertEqual(metric(before, "ccmon_sla_breached", sla="abandon_for", queue="sales",
                                channel="voice"), 0)  # 230 s of the 600 s
        self.assertEqual(self.d.stop(), 0)

        self.d = StateDaemon(state_config(AFTER, self.state))
        after = metrics_samples(self.d)
        for name, value in (("ccmon_offered", 3), ("ccmon_answered", 1), ("ccmon_abandoned", 1),
                            ("ccmon_service_level_ratio", 0), ("ccmon_abandon_ratio", 0.5)):
            self.assertEqual(self.today(after, name), value, f"{name} today kept")
        for name in ("ccmon_contacts_offered_total", "ccmon_contacts_answered_total",
                     "ccmon_contacts_abandoned_total"):
            self.assertEqual(metric(after, name, queue="sales", channel="voice"),
                             metric(before, name, queue="sales", channel="voice"), name)
        self.assertEqual(metric(after, "ccmon_contacts_waiting", queue="sales", channel="voice"),
                         1)  # c3
        # Windows: 15m and 1h (same lengths) keep their contents; 5m is gone;
        # 4h is a new length and starts empty.
        for w in ("15m", "1h"):
            self.assertEqual(metric(after, "ccmon_offered", queue="sales", channel="voice",
                                    window=w), 3, w)
        self.assertFalse([k for k in after if ("window", "5m") in k[1]], "no 5m sample left")
        self.assertEqual(metric(after, "ccmon_offered", queue="sales", channel="voice",
                                window="4h"), 0)
        # T is 30 s from now on; c1's 25 s wait was judged against 20 s.
        self.assertEqual(metric(after, "ccmon_service_level_threshold_seconds", queue="sales",
                                channel="voice"), 30)
        # SLA: unchanged rules keep their state, the changed one starts afresh
        # (judged from the first tick after the restart).
        self.d.wait_tick()
        sla = sla_states(self.d)
        self.assertEqual((sla["abandon_now"]["breached"], sla["abandon_now"]["since"],
                          sla["abandon_now"]["breaches_total"]), (True, BASE + 70, 1))
        self.assertEqual((sla["abandon_changed"]["breached"],
                          sla["abandon_changed"]["breaches_total"]), (False, 0))  # 0.5 <= 0.6

        self.post(queued("c5", t=BASE + 600), answered("c5", t=BASE + 625),  # waited 25 s
                  queued("s2", queue="support", t=BASE + 680))  # now = BASE+680
        self.d.wait_tick()
        after = metrics_samples(self.d)
        # SL today = (0 + 1 within 30 s) / (2 answered + 1 abandoned - 0) = 1/3.
        self.assertAlmostEqual(self.today(after, "ccmon_service_level_ratio"), 1 / 3, places=12)
        self.assertEqual(self.today(after, "ccmon_offered"), 4)
        # abandon ratio 1/3 has failed since BASE+70: 610 s >= 10 min, so the
        # timer kept across the restart breaches now (a timer restarted at the
        # restart, BASE+300, would have 380 s).
        self.assertEqual(metric(after, "ccmon_sla_breached", sla="abandon_for", queue="sales",
                                channel="voice"), 1)
        # The lower cap applies to new label values: sales and support are
        # kept, a third queue folds into `other`.
        folded = metric(after, "ccmon_series_folded_total")
        self.post(queued("t1", queue="third", t=BASE + 681))
        after = metrics_samples(self.d)
        self.assertEqual(metric(after, "ccmon_series_folded_total"), folded + 1)
        self.assertIsNone(self.today(after, "ccmon_offered", queue="third"))
        self.assertEqual(self.today(after, "ccmon_offered", queue="other"), 1)
        self.assertEqual(self.today(after, "ccmon_offered", queue="support"), 2)

    def test_check_state_reads_without_changing_anything(self):
        self.d = StateDaemon(state_config(BEFORE, self.state))
        self.post(queued("k1", t=BASE), answered("k1", t=BASE + 3))
        self.assertEqual(self.d.stop(), 0)
        self.d = None
        digest = files_digest(self.state)
        self.assertTrue(digest, "the state directory holds files after a clean stop")
        proc = subprocess.run([ccmond_path(), "--check-state", self.state],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        # The verdict line (docs/operations.md, "ccmond --check-state DIR").
        self.assertIn("state is intact", proc.stdout)
        self.assertEqual(files_digest(self.state), digest)


class LockedStateDirectoryTest(unittest.TestCase):
    def test_second_daemon_on_a_held_directory_exits_2_naming_it(self):
        with tempfile.TemporaryDirectory(prefix="ccmon-locked-") as tmp:
            state = os.path.join(tmp, "state")
            config = state_config("server:\n  clock: event\n", state)
            first = StateDaemon(config)
            try:
                config_path = os.path.join(tmp, "second.yml")
                with open(config_path, "w") as f:
                    f.write(config)
                proc = subprocess.run(
                    [ccmond_path(), "--listen", "127.0.0.1:0", "--config", config_path],
                    capture_output=True, text=True, timeout=30)
                out = proc.stdout + proc.stderr
                self.assertEqual(proc.returncode, 2, out)
                self.assertIn(state, out)
                self.assertIn("in use", out)
                self.assertIn(str(first.proc.pid), out)
                # Resetting a held directory is refused too; the first daemon
                # is untouched by either attempt.
                proc = subprocess.run([ccmond_path(), "--reset-state", state],
                                      capture_output=True, text=True, timeout=60)
                self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
                self.assertEqual(first.status("/-/ready"), 200)
                status, answer = first.post_events([queued("l1")])
                self.assertEqual((status, answer["accepted"]), (200, 1))
            finally:
                first.stop()


if __name__ == "__main__":
    unittest.main()
