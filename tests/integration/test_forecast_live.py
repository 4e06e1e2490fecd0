"""The forecast of a real ccmond, over real sockets, in event-clock mode
(docs/forecasting.md): an oldest-waiting rule is reported at risk with its
exact ETA before the breach, then breaches on time; the forecast gauges on
/metrics equal what the independent Python reference
(tests/support/erlang_reference.py) computes from the inputs the daemon
exposes; the inputs themselves are checked by hand."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from ccmond import Daemon, metric  # noqa: E402
from events import BASE, answered, event, queued  # noqa: E402
from forecast_check import check_series  # noqa: E402

# The oldest-waiting target is above the 5 minute horizon, so the rule is
# first "not at risk" while a contact waits, then at risk, then breached.
CONFIG = """
server:
  clock: event
kpis:
  windows: [15m, 1h, 24h]
forecast:
  horizon: 5m
queues:
  - queue: sales
    teams: [blue]
sla:
  - name: oldest_sales
    kpi: oldest_waiting_seconds
    op: "<="
    target: 600
    queue: sales
    channel: voice
"""

LATE = BASE + 900  # the contact that keeps waiting is queued here


def history():
    """30 contacts queued every 30 s from BASE: every fifth abandons after
    40 s, the others are answered after (i % 7) * 5 s and handled for 100 s
    talk + 10 s wrap-up. Agents of team blue: four serving, one away."""
    evs = []
    for agent, state in (("a1", "available"), ("a2", "busy"), ("a3", "wrap_up"),
                         ("a4", "available"), ("a5", "away")):
        evs.append(event("agent.state", BASE, agent=agent, team="blue", state=state))
    for i in range(30):
        t, c = BASE + 30 * i, f"h{i}"
        evs.append(queued(c, t=t))
        if i % 5 == 4:
            evs.append(event("contact.abandoned", t + 40, contact=c))
        else:
            w = (i % 7) * 5
            evs.append(answered(c, agent=f"a{i % 3 + 1}", t=t + w))
            evs.append(event("contact.ended", t + w + 100, contact=c))
            evs.append(event("contact.wrapped", t + w + 110, contact=c))
    evs.append(queued("late", t=LATE))
    return sorted(evs, key=lambda e: e["time"])


class ForecastLiveTest(unittest.TestCase):
    def setUp(self):
        self.d = Daemon(CONFIG, state_dir="")

    def tearDown(self):
        self.d.stop()

    def at(self, t):
        """Moves the event clock to t (an agent outside every mapped team
        changes state) and waits for a tick after it."""
        status, r = self.d.post_events(
            [event("agent.state", t, agent="clock", team="ops", state="away")])
        self.assertEqual((status, r["accepted"]), (200, 1))
        self.d.wait_tick()
        return self.d.metrics()

    def test_at_risk_then_breach_and_gauges_match_reference(self):
        status, r = self.d.post_events(history())
        self.assertEqual((status, r["accepted"], r["rejected"]), (200, 30 * 4 - 6 * 2 + 6, []))
        self.d.wait_tick()
        m = self.d.metrics()
        series = dict(queue="sales", channel="voice")
        rule = dict(sla="oldest_sales", **series)

        # Inputs by hand. Now is the latest event, h27's and h28's wrap-up at
        # BASE + 950, so the 15m window (15 s buckets) starts between h1
        # (queued at 30, answered at 35) and h2 (60): h2..h29 and "late" were
        # offered in it, 29 contacts over 900 s.
        self.assertEqual(metric(m, "ccmon_offered", window="15m", **series), 29)
        self.assertAlmostEqual(metric(m, "ccmon_forecast_arrival_rate", **series), 29 / 900,
                               places=15)
        # All 24 answered contacts were handled 100 + 10 s: AHT 110 (1h window).
        self.assertAlmostEqual(metric(m, "ccmon_forecast_handle_time_seconds", **series), 110)
        # Patience = total wait of those that left the queue in the window /
        # abandoned: answered waits (i % 7) * 5 of h2..h28, 40 s for each of
        # the 6 abandons.
        waits = sum((i % 7) * 5 for i in range(2, 30) if i % 5 != 4) + 6 * 40
        self.assertAlmostEqual(metric(m, "ccmon_forecast_patience_seconds", **series), waits / 6)
        self.assertEqual(metric(m, "ccmon_agents_serving", **series), 4)  # a5 is away

        compared, bad = check_series(m, "sales", "voice")
        self.assertEqual(bad, [])
        # 29 / 900 x 110 = 3.54 erlangs on 4 agents: both models finite.
        self.assertIsNotNone(compared["erlang_a agents_required"][0])
        self.assertLess(compared["erlang_c estimated_wait"][0], float("inf"))
        for name, (daemon, reference) in sorted(compared.items()):
            print(f"  {name}: daemon {daemon}  reference {reference}")

        # Nobody waited long yet: modelled, not at risk, no ETA.
        self.assertEqual(metric(m, "ccmon_sla_at_risk", **rule), 0)
        self.assertIsNone(metric(m, "ccmon_sla_breach_eta_seconds", **rule))

        # Age 200: breach in 400 s, beyond the 5 minute horizon.
        m = self.at(LATE + 200)
        self.assertEqual(metric(m, "ccmon_sla_at_risk", **rule), 0)
        self.assertIsNone(metric(m, "ccmon_sla_breach_eta_seconds", **rule))

        # Age 350: at risk, breach in exactly 600 - 350 = 250 s; logged.
        m = self.at(LATE + 350)
        self.assertEqual(metric(m, "ccmon_sla_at_risk", **rule), 1)
        self.assertEqual(metric(m, "ccmon_sla_breach_eta_seconds", **rule), 250)
        self.assertEqual(metric(m, "ccmon_sla_breached", **rule), 0)
        self.assertIn("SLA at risk: rule=oldest_sales queue=sales channel=voice breach_eta=250s",
                      self.d.log())
        sla = [s for s in self.d.kpis("?queue=sales")["sla"] if s["sla"] == "oldest_sales"]
        self.assertEqual([(s["at_risk"], s["breach_eta_seconds"]) for s in sla], [(True, 250)])

        # Age 600: the ETA has run out, the rule (<=) still holds.
        m = self.at(LATE + 600)
        self.assertEqual(metric(m, "ccmon_sla_breach_eta_seconds", **rule), 0)
        self.assertEqual(metric(m, "ccmon_sla_breached", **rule), 0)
        # Age 601: breached, on time.
        m = self.at(LATE + 601)
        self.assertEqual(metric(m, "ccmon_sla_breached", **rule), 1)
        self.assertEqual(metric(m, "ccmon_sla_at_risk", **rule), 1)

        # Answered: no longer at risk, logged.
        self.d.post_events([answered("late", t=LATE + 610)])
        self.d.wait_tick()
        m = self.d.metrics()
        self.assertEqual(metric(m, "ccmon_sla_at_risk", **rule), 0)
        self.assertIn("SLA no longer at risk: rule=oldest_sales queue=sales channel=voice",
                      self.d.log())


if __name__ == "__main__":
    unittest.main()
