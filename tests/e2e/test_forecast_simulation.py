"""Erlang C and Erlang A against a simulated steady center (docs/forecasting.md,
"Verification"). `ccmon-sim --steady` runs the M/M/N+M queue (Poisson
arrivals, exponential handle time and patience, FCFS, N agents always logged
in) for 200 simulated hours. Measured from its events: P(wait > 0), ASA and
the abandon ratio; they must be within the stated tolerance of Erlang A
(tests/support/erlang_reference.py) with the true parameters, while Erlang
C's P(wait) and ASA must be outside it. Then the same events go through a
real ccmond (event clock): its inputs must be near the true parameters and
its Erlang A gauges near the measured values.
"""

import datetime as dt
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)

import erlang_reference as ref  # noqa: E402
from ccmond import Daemon, metric  # noqa: E402
from test_simulator import simulator  # noqa: E402

AGENTS, RATE, AHT, PATIENCE = 10, 0.05, 180.0, 120.0  # 9 erlangs on 10 agents
HOURS, WARMUP_S = 200, 3600
START = "2026-01-05T00:00:00Z"
# Tolerances (absolute for probabilities, relative for ASA), about four
# standard errors of a 200-hour run (batch means over 10-hour batches).
TOL_P, TOL_ASA = 0.03, 0.12

CONFIG = """\
server:
  clock: event
kpis:
  windows: [15m, 1h, 24h]
forecast:
  arrival_window: 24h
  handle_time_window: 24h
queues:
  - queue: sales
    teams: [team-steady]
"""


def run_sim():
    out = subprocess.run([simulator(), "--steady", f"{RATE},{AHT},{PATIENCE}", "--agents",
                          str(AGENTS), "--queues", "sales", "--duration", f"{HOURS}h",
                          "--start", START, "--seed", "13", "--out", "-"],
                         capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def measure(lines):
    """P(wait > 0), ASA and abandon ratio of the contacts queued after the
    warm-up whose outcome is known."""
    t0 = dt.datetime.fromisoformat(START.replace("Z", "+00:00")).timestamp()
    queued, outcome = {}, {}
    for line in lines:
        e = json.loads(line)
        t = dt.datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp()
        if e["type"] == "contact.queued":
            queued[e["contact"]] = t
        elif e["type"] in ("contact.answered", "contact.abandoned"):
            outcome[e["contact"]] = (e["type"], t - queued[e["contact"]])
    done = [outcome[c] for c, t in queued.items() if t >= t0 + WARMUP_S and c in outcome]
    answered = [w for kind, w in done if kind == "contact.answered"]
    abandoned = len(done) - len(answered)
    return {
        "contacts": len(done),
        "p_wait": sum(1 for kind, w in done if kind == "contact.abandoned" or w > 0) / len(done),
        "asa": sum(answered) / len(answered),
        "abandon": abandoned / len(done),
    }


class SteadyCenterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lines = run_sim()
        cls.measured = measure(cls.lines)
        a = ref.ErlangA(AGENTS, RATE, AHT, PATIENCE)
        c = ref.ErlangC(AGENTS, RATE, AHT)
        cls.erlang_a = {"p_wait": a.wait_probability, "asa": a.mean_answered_wait(),
                        "abandon": a.abandon_probability()}
        cls.erlang_c = {"p_wait": c.wait_probability, "asa": c.mean_wait(), "abandon": 0.0}
        print(f"\n  measured ({cls.measured['contacts']} contacts): {cls.measured}"
              f"\n  Erlang A: {cls.erlang_a}\n  Erlang C: {cls.erlang_c}")

    def within(self, predicted):
        m = self.measured
        return {"p_wait": abs(predicted["p_wait"] - m["p_wait"]) <= TOL_P,
                "asa": abs(predicted["asa"] - m["asa"]) <= TOL_ASA * m["asa"],
                "abandon": abs(predicted["abandon"] - m["abandon"]) <= TOL_P}

    def test_erlang_a_predicts_the_simulation(self):
        self.assertGreater(self.measured["contacts"], 30_000)
        self.assertEqual(self.within(self.erlang_a),
                         {"p_wait": True, "asa": True, "abandon": True})

    def test_erlang_c_does_not(self):
        # Erlang C ignores abandonment: it overstates waiting, well beyond
        # the tolerance, and predicts no abandon at all.
        self.assertEqual(self.within(self.erlang_c),
                         {"p_wait": False, "asa": False, "abandon": False})

    def test_daemon_estimates_and_predictions(self):
        with Daemon(CONFIG, state_dir="") as d:
            for i in range(0, len(self.lines), 5000):
                status, r = d.post_events("\n".join(self.lines[i:i + 5000]) + "\n")
                self.assertEqual((status, r["rejected"]), (200, []))
            d.wait_tick()
            m = d.metrics()
        s = dict(queue="sales", channel="voice")
        lam = metric(m, "ccmon_forecast_arrival_rate", **s)
        aht = metric(m, "ccmon_forecast_handle_time_seconds", **s)
        patience = metric(m, "ccmon_forecast_patience_seconds", **s)
        serving = metric(m, "ccmon_agents_serving", **s)
        p_a = metric(m, "ccmon_wait_probability", model="erlang_a", **s)
        print(f"  daemon inputs (last 24h): lambda {lam} AHT {aht} patience {patience} "
              f"N {serving}; Erlang A P(wait) {p_a}, Erlang C P(wait) "
              f"{metric(m, 'ccmon_wait_probability', model='erlang_c', **s)}")
        self.assertEqual(serving, AGENTS)
        # One day of a Poisson stream: about 4,300 arrivals, 1.5 % standard
        # error; patience from about 300 abandons, 6 %.
        self.assertAlmostEqual(lam / RATE, 1, delta=0.06)
        self.assertAlmostEqual(aht / AHT, 1, delta=0.06)
        self.assertAlmostEqual(patience / PATIENCE, 1, delta=0.25)
        # Its Erlang A, from its own estimates, near what the run measured.
        self.assertAlmostEqual(p_a, self.measured["p_wait"], delta=0.1)


if __name__ == "__main__":
    unittest.main()
