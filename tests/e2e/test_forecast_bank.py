"""The forecast on a replayed real day of the "Anonymous Bank" (1999-03-15,
docs/forecasting.md): at several moments of the day, the independent Python
reference (tests/support/erlang_reference.py) computes P(wait), the expected
wait and the agents required from the inputs ccmond exposes, and must agree
with ccmond's own gauges for every queue with a prediction.

Data: "Anonymous Bank" call-center records, collected at the Technion by Ilan
Guedj and Avi Mandelbaum; free for use with acknowledgement of the source.
The bank's events name no teams, so agents serving are the agents who
answered the queue in the last hour (no `queues:` mapping).
"""

import datetime as dt
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)

from ccmond import Daemon, metric  # noqa: E402
from forecast_check import check_series  # noqa: E402
from test_bank_replay import CONFIG, Winter, convert_day  # noqa: E402

MOMENTS = ("09:00", "10:30", "12:00", "14:00", "16:00")


class BankForecastTest(unittest.TestCase):
    def test_gauges_match_the_reference_through_the_day(self):
        lines = convert_day(Winter)
        times = [dt.datetime.fromisoformat(json.loads(line)["time"]) for line in lines]
        day = Winter.DAY.isoformat()
        compared = 0
        with Daemon(config=CONFIG, state_dir="") as d:
            sent = 0
            for moment in MOMENTS:
                until = dt.datetime.fromisoformat(f"{day}T{moment}:00{Winter.OFFSET}")
                end = sent
                while end < len(lines) and times[end] <= until:
                    end += 1
                for i in range(sent, end, 500):
                    batch = lines[i:min(i + 500, end)]
                    status, answer = d.post_events("\n".join(batch) + "\n")
                    self.assertEqual((status, answer["accepted"]), (200, len(batch)), answer)
                sent = end
                d.wait_tick()  # the forecast is computed on the tick after the batches
                m = d.metrics()
                queues = sorted({dict(labels)["queue"] for (name, labels) in m
                                 if name == "ccmon_agents_serving"})
                with self.subTest(moment=moment):
                    self.assertTrue(queues, "no forecast series")
                    for q in queues:
                        done, bad = check_series(m, q, "voice")
                        self.assertEqual(bad, [])
                        lam = metric(m, "ccmon_forecast_arrival_rate", queue=q, channel="voice")
                        if lam is None:
                            continue
                        compared += 1
                        n = metric(m, "ccmon_agents_serving", queue=q, channel="voice")
                        aht = metric(m, "ccmon_forecast_handle_time_seconds", queue=q,
                                     channel="voice")
                        pat = metric(m, "ccmon_forecast_patience_seconds", queue=q,
                                     channel="voice")
                        print(f"  {moment} {q}: lambda {lam:.5f}/s AHT {aht} patience {pat} "
                              f"N {n:g} | " + ", ".join(
                                  f"{k} {v[0]}" for k, v in sorted(done.items())
                                  if "absent" not in k))
        # Most queues have arrivals at these hours.
        self.assertGreaterEqual(compared, 10)


if __name__ == "__main__":
    unittest.main()
