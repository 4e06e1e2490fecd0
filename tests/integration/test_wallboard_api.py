"""GET /v1/agents and GET /v1/intervals (docs/wallboard.md) against the real
daemon in event-clock mode, with values computed by hand, and the feed's
agents / intervals sections."""

import asyncio
import json
import os
import sys
import tempfile
import unittest
import urllib.parse

import websockets

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from ccmond import Daemon, metric  # noqa: E402
from durable import StateDaemon  # noqa: E402
from events import BASE, answered, event, queued  # noqa: E402

CONFIG = """
server:
  clock: event
sla:
  - name: sales_sl
    kpi: service_level_ratio
    window: 15m
    op: ">="
    target: 0.35
    queue: sales
    channel: voice
wallboard:
  at_risk_margin: 0.1
"""


def state(agent, s, t, team=None, reason=None):
    e = event("agent.state", t, agent=agent, state=s)
    if team:
        e["team"] = team
    if reason:
        e["reason"] = reason
    return e


# BASE is 2023-11-14T22:13:20Z (UTC: the default time zone).
# a1 (north): available at -600, answers c1 at -290 (waited 10 s, within
# T = 20 s), wrap-up at -200 when c1 ends (talk 90 s), wraps at -170 (ACW
# 30 s), available, answers c2 at -40 (waited 60 s) and is busy since.
# a2 (south): available since -600. a3 (north): away since 0 ("lunch").
# c3 waits 30 s and abandons (not short: >= 5 s).
EVENTS = [
    state("a1", "available", BASE - 600, team="north"),
    state("a2", "available", BASE - 600, team="south"),
    queued("c1", t=BASE - 300),
    answered("c1", agent="a1", t=BASE - 290),
    state("a1", "busy", BASE - 290),
    event("contact.ended", BASE - 200, contact="c1"),
    state("a1", "wrap_up", BASE - 200),
    event("contact.wrapped", BASE - 170, contact="c1"),
    state("a1", "available", BASE - 170),
    queued("c2", t=BASE - 100),
    queued("c3", t=BASE - 50),
    answered("c2", agent="a1", t=BASE - 40),
    state("a1", "busy", BASE - 40),
    event("contact.abandoned", BASE - 20, contact="c3"),
    state("a3", "away", BASE, team="north", reason="lunch"),
]


class WallboardApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(CONFIG, state_dir="")
        status, reply = cls.d.post_events(EVENTS)
        assert (status, reply["accepted"]) == (200, len(EVENTS)), reply

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def get(self, path, **query):
        q = urllib.parse.urlencode(query)
        status, _, body = self.d.request("GET", path + ("?" + q if q else ""))
        return status, json.loads(body)

    def test_agents_by_hand(self):
        status, r = self.get("/v1/agents")
        self.assertEqual(status, 200)
        self.assertEqual(r["now"], "2023-11-14T22:13:20.000Z")
        self.assertEqual(r["total"], 3)
        self.assertIsNone(r["next"])
        a1, a2, a3 = r["agents"]
        self.assertEqual([a1["agent"], a2["agent"], a3["agent"]], ["a1", "a2", "a3"])
        # a1: busy for 40 s with c2; handled c1: talk 90 + ACW 30 = 120 s.
        self.assertEqual((a1["team"], a1["state"], a1["reason"]), ("north", "busy", None))
        self.assertEqual(a1["state_since"], "2023-11-14T22:12:40.000Z")
        self.assertEqual(a1["contact"], {"contact": "c2", "queue": "sales", "channel": "voice",
                                         "answered_at": "2023-11-14T22:12:40.000Z"})
        self.assertEqual(a1["today"]["handled"], 1)
        self.assertEqual(a1["today"]["average_handle_time_seconds"], 120)
        # available 310 + 130, busy 90 + 40 (ongoing), wrap-up 30: 160 / 600.
        self.assertAlmostEqual(a1["today"]["occupancy_ratio"], 160 / 600, places=9)
        self.assertEqual((a2["team"], a2["state"], a2["contact"]), ("south", "available", None))
        self.assertEqual(a2["today"], {"handled": 0, "average_handle_time_seconds": None,
                                       "occupancy_ratio": 0})
        self.assertEqual((a3["state"], a3["reason"]), ("away", "lunch"))
        self.assertIsNone(a3["today"]["occupancy_ratio"])  # nothing staffed

    def test_team_filter_and_paging(self):
        status, r = self.get("/v1/agents", team="north")
        self.assertEqual((status, r["total"]), (200, 2))
        self.assertEqual([a["agent"] for a in r["agents"]], ["a1", "a3"])
        pages, after = [], None
        while True:
            query = {"limit": 1} if after is None else {"limit": 1, "after": after}
            status, r = self.get("/v1/agents", **query)
            self.assertEqual((status, r["total"]), (200, 3))
            pages.append([a["agent"] for a in r["agents"]])
            after = r["next"]
            if after is None:
                break
        self.assertEqual(pages, [["a1"], ["a2"], ["a3"]])
        status, r = self.get("/v1/agents", team="nobody")
        self.assertEqual((status, r["total"], r["agents"], r["next"]), (200, 0, [], None))

    def rejected(self):
        return metric(self.d.metrics(), "ccmon_requests_rejected_total",
                      reason="invalid_query") or 0

    def test_bad_limit(self):
        before = self.rejected()
        for bad in ["0", "5001", "abc", "-1", ""]:
            status, r = self.get("/v1/agents", limit=bad)
            self.assertEqual(status, 400, bad)
            self.assertEqual(r["error"], "bad_limit")
            self.assertIn("limit must be an integer from 1 to 5000", r["message"])
        # Counted (docs/metrics.md, ccmon_requests_rejected_total).
        self.assertEqual(self.rejected() - before, 5)

    def test_intervals_by_hand(self):
        status, r = self.get("/v1/intervals", queue="sales", channel="voice")
        self.assertEqual(status, 200)
        self.assertEqual((r["day"], r["time_zone"], r["interval_seconds"]),
                         ("2023-11-14", "UTC", 900))
        (s,) = r["series"]
        rows = s["intervals"]
        # 00:00 .. 22:00, the current quarter-hour included: 89 rows.
        self.assertEqual(len(rows), 89)
        self.assertEqual(rows[0]["start"], "2023-11-14T00:00:00+00:00")
        self.assertEqual(rows[-1]["start"], "2023-11-14T22:00:00+00:00")
        self.assertEqual(rows[-2], {"start": "2023-11-14T21:45:00+00:00", "offered": 0,
                                    "answered": 0, "abandoned": 0, "service_level_ratio": None,
                                    "service_level_volume": 0,
                                    "average_speed_of_answer_seconds": None})
        last = rows[-1]
        # 3 offered, c1 and c2 answered (10 s, 60 s), c3 abandoned:
        # SL 1 / (2 + 1 - 0), ASA 35 s.
        self.assertEqual((last["offered"], last["answered"], last["abandoned"]), (3, 2, 1))
        self.assertAlmostEqual(last["service_level_ratio"], 1 / 3, places=9)
        self.assertEqual(last["service_level_volume"], 3)
        self.assertEqual(last["average_speed_of_answer_seconds"], 35)

    def test_intervals_hourly_and_bad_interval(self):
        status, r = self.get("/v1/intervals", interval="60m", queue="sales")
        self.assertEqual((status, r["interval_seconds"]), (200, 3600))
        rows = r["series"][0]["intervals"]
        self.assertEqual(len(rows), 23)
        self.assertEqual(rows[-1]["start"], "2023-11-14T22:00:00+00:00")
        self.assertEqual(rows[-1]["offered"], 3)
        for bad in ["45m", "10m", "abc", "2h"]:
            status, r = self.get("/v1/intervals", interval=bad)
            self.assertEqual((status, r["error"]), (400, "unknown_interval"), bad)
            self.assertIn("15m, 30m or 60m", r["message"])
        status, r = self.get("/v1/intervals", queue="nope")
        self.assertEqual((status, r["series"]), (200, []))

    def test_feed_carries_agents_intervals_and_at_risk(self):
        async def go():
            async with websockets.connect(f"ws://{self.d.host}:{self.d.port}/v1/live") as ws:
                return json.loads(await asyncio.wait_for(ws.recv(), 30))

        msg = asyncio.run(go())
        self.assertEqual(msg["type"], "state")
        self.assertEqual(msg["agents_total"], 3)
        self.assertEqual([a["agent"] for a in msg["agents"]], ["a1", "a2", "a3"])
        self.assertEqual(msg["intervals"]["interval_seconds"], 900)
        self.assertEqual(msg["intervals"]["series"][0]["intervals"][-1]["offered"], 3)
        # SL over 15m is 1/3 < 0.35: breached (no `for`), so not at risk.
        (rule,) = [s for s in msg["sla"] if s["sla"] == "sales_sl"]
        self.assertEqual((rule["breached"], rule["at_risk"]), (True, False))


class WallboardRestartTest(unittest.TestCase):
    def test_agents_and_intervals_survive_a_restart(self):
        # SIGTERM writes a snapshot; the restart restores it (the state
        # image's wallboard part, docs/state-format.md): the answers match.
        with tempfile.TemporaryDirectory(prefix="ccmond-wallboard-") as state:
            config = CONFIG + f"state:\n  dir: {json.dumps(state)}\n"
            first = StateDaemon(config)
            try:
                status, reply = first.post_events(EVENTS)
                self.assertEqual((status, reply["accepted"]), (200, len(EVENTS)))
                before = [json.loads(first.request("GET", p)[2])
                          for p in ("/v1/agents", "/v1/intervals")]
            finally:
                first.stop()
            second = StateDaemon(config)
            try:
                self.assertIn("state: restored snapshot", second.log())
                self.assertIn(" 0 journal records replayed", second.log())
                after = [json.loads(second.request("GET", p)[2])
                         for p in ("/v1/agents", "/v1/intervals")]
            finally:
                second.stop()
        self.assertEqual(before[0]["agents"][0]["today"]["handled"], 1)
        self.assertEqual(after, before)


if __name__ == "__main__":
    unittest.main()
