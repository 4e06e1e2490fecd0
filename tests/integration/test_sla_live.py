"""A live SLA breach (oldest waiting) shows on /metrics with no new event,
and the transition is logged with rule, queue, value and target."""

import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from ccmond import Daemon, metric, poll  # noqa: E402
from events import answered, queued  # noqa: E402

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


if __name__ == "__main__":
    unittest.main()
