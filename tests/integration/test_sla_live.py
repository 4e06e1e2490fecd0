"""A live SLA breach (oldest waiting) shows on /metrics with no new event,
and the transition is logged with rule, queue, value and target. Rules are
judged on the engine tick only, never on a scrape, and the transition lines
of one tick are capped (docs/sla.md, "Log lines")."""

import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from ccmond import Daemon, metric, poll  # noqa: E402
from events import BASE, answered, queued  # noqa: E402

CONFIG = """
sla:
  - name: oldest_waiting_sales
    kpi: oldest_waiting_seconds
    op: "<="
    target: 2
    queue: sales
    channel: voice
"""


class LiveSlaTest(unittest.TestCase):
    def test_breach_appears_without_events_and_is_logged(self):
        with Daemon(CONFIG) as d:
            # Wall clock: the contact starts waiting now, so it is within
            # target at first and crosses 2 s while nothing else arrives.
            status, r = d.post_events([queued("live-1", t=time.time())])
            self.assertEqual((status, r["accepted"]), (200, 1))
            labels = dict(sla="oldest_waiting_sales", queue="sales", channel="voice")
            d.wait_tick()  # rules are judged on the tick, not on a scrape
            self.assertEqual(metric(d.metrics(), "ccmon_sla_target", **labels), 2)
            poll(lambda: metric(d.metrics(), "ccmon_sla_breached", **labels) == 1,
                 timeout=30, what="the live breach to show")
            m = d.metrics()
            self.assertGreater(metric(m, "ccmon_sla_value", **labels), 2)
            self.assertEqual(metric(m, "ccmon_sla_breaches_total", **labels), 1)
            self.assertRegex(d.log(), r"SLA breached: rule=oldest_waiting_sales queue=sales "
                                      r"channel=voice value=[0-9.]+ target=2")
            kpis = d.kpis("?queue=sales")
            self.assertEqual([(s["sla"], s["breached"]) for s in kpis["sla"]],
                             [("oldest_waiting_sales", True)])
            # Answering the contact ends the breach, logged too.
            d.post_events([answered("live-1", t=time.time())])
            poll(lambda: metric(d.metrics(), "ccmon_sla_breached", **labels) == 0,
                 what="the breach to clear")
            self.assertTrue(re.search(r"SLA recovered: rule=oldest_waiting_sales queue=sales",
                                      d.log()))


FLAP_CONFIG = """
server:
  clock: event
sla:
  - name: nobody_waits
    kpi: contacts_waiting
    op: "<="
    target: 0
"""


class SlaTickOnlyTest(unittest.TestCase):
    def setUp(self):
        # No state directory: the flapping loop must run fast (no fsync).
        self.d = Daemon(FLAP_CONFIG, state_dir="")

    def tearDown(self):
        self.d.stop()

    def ticks(self):
        return metric(self.d.metrics(), "ccmon_engine_ticks_total")

    def test_scrapes_do_not_judge_rules(self):
        # A queue flaps: one contact waits (1 > 0: breach), is answered
        # (0: recovered), with scrapes in between. Judged on every scrape,
        # each flap would be a breach; judged on the tick, at most one
        # breach per tick that ran meanwhile.
        flaps = 40
        labels = dict(sla="nobody_waits", queue="flap", channel="voice")
        start = self.ticks()
        for i in range(flaps):
            t = BASE + 2 * i
            self.assertEqual(self.d.post_events([queued(f"f{i}", queue="flap", t=t)])[0], 200)
            self.d.metrics()
            self.d.kpis()
            self.assertEqual(self.d.post_events([answered(f"f{i}", t=t + 1)])[0], 200)
            self.d.metrics()
        breaches = metric(self.d.metrics(), "ccmon_sla_breaches_total", **labels) or 0
        ticks = self.ticks() - start  # read after the breaches: at least the ticks before
        self.assertLess(ticks, flaps, "the loop ran too slowly to tell scrapes from ticks")
        self.assertLessEqual(breaches, ticks)
        self.assertLessEqual(self.d.log().count("SLA breached: rule=nobody_waits queue=flap"),
                             ticks)

    def test_transition_lines_are_capped_per_tick(self):
        # 50 queues start waiting in one batch: 50 breaches at the next tick;
        # 10 lines (kMaxSlaLogLines), then one summary line for the other 40.
        status, r = self.d.post_events([queued(f"c{i}", queue=f"q{i:02d}") for i in range(50)])
        self.assertEqual((status, r["accepted"]), (200, 50))
        self.d.wait_tick()
        m = self.d.metrics()
        self.assertEqual(sum(v for (name, _), v in m.items() if name == "ccmon_sla_breached"), 50)
        poll(lambda: "SLA transitions suppressed" in self.d.log(), what="the summary line")
        log = self.d.log()
        self.assertEqual(log.count("SLA breached: rule=nobody_waits"), 10)
        self.assertIn("40 more SLA transitions suppressed (40 breached, 0 recovered)", log)
        self.assertEqual(log.count("SLA transitions suppressed"), 1)
        self.assertEqual(metric(m, "ccmon_sla_transitions_dropped_total"), 40)


if __name__ == "__main__":
    unittest.main()
