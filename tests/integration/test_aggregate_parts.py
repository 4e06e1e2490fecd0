"""The parts of the windowed ratios and means add up across instances
(docs/metrics.md "Aggregating across instances").

Three real daemons on the event clock: "one" gets the events of queue
sales/voice and agent a1, "two" those of queue support/voice and agent a2,
and the contacts of queue chat/chat are split between them, each contact
whole (as a Kafka topic keyed by queue would split them, with one queue per
partition no more); "all" gets every event. Agents a1 and a2 are both of
team t1, so the team's KPIs are split too. For every ratio and mean, the sum
of a numerator over the two instances divided by the sum of its denominator
must be the KPI that "all" computed from every event, and defined exactly
where "all" has it: the test's formulas below are written from
docs/metrics.md, independently of the daemon's catalogue. The split queue
also shows that the average of the two instances' values is not the KPI.
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from ccmond import Daemon  # noqa: E402
from events import BASE, event  # noqa: E402

CONFIG = """
server:
  clock: event
"""

# KPI -> (numerator, denominator, scale), sums of parts as docs/metrics.md writes them:
# KPI = scale x (numerator summed over the instances) / (denominator summed).
RATIOS = {
    "ccmon_answer_ratio": ("ccmon_answered",
                           "ccmon_answered + ccmon_abandoned + ccmon_overflowed", 1),
    "ccmon_abandon_ratio": ("ccmon_abandoned - ccmon_short_abandoned",
                            "ccmon_answered + ccmon_abandoned - ccmon_short_abandoned"
                            " + ccmon_overflowed", 1),
    "ccmon_service_level_ratio": ("ccmon_service_level_met", "ccmon_service_level_eligible", 1),
    "ccmon_average_speed_of_answer_seconds": ("ccmon_answered_wait_seconds", "ccmon_answered", 1),
    "ccmon_average_abandon_time_seconds": ("ccmon_abandoned_wait_seconds", "ccmon_abandoned", 1),
    "ccmon_average_handle_time_seconds": (
        "ccmon_talk_time_seconds + ccmon_hold_time_seconds + ccmon_after_contact_work_seconds",
        "ccmon_handled", 1),
    "ccmon_average_talk_time_seconds": ("ccmon_talk_time_seconds", "ccmon_handled", 1),
    "ccmon_average_hold_time_seconds": ("ccmon_hold_time_seconds", "ccmon_handled", 1),
    "ccmon_average_after_contact_work_seconds": ("ccmon_after_contact_work_seconds",
                                                 "ccmon_handled", 1),
    "ccmon_transfer_ratio": ("ccmon_transferred", "ccmon_handled", 1),
    "ccmon_average_first_response_seconds": ("ccmon_first_response_time_seconds",
                                             "ccmon_first_responses", 1),
    "ccmon_average_response_seconds": ("ccmon_response_time_seconds", "ccmon_responses", 1),
    "ccmon_self_service_ratio": ("ccmon_self_served", "ccmon_created", 1),
    "ccmon_first_contact_resolution_ratio": ("ccmon_first_contact_resolved_cases",
                                             "ccmon_resolved_cases", 1),
    "ccmon_average_resolution_seconds": ("ccmon_resolution_time_seconds",
                                         "ccmon_resolution_timed_cases", 1),
    "ccmon_escalation_ratio": ("ccmon_escalated_cases", "ccmon_opened_cases", 1),
    "ccmon_csat_ratio": ("ccmon_csat_satisfied_answers", "ccmon_csat_answers", 1),
    "ccmon_csat_average": ("ccmon_csat_points", "ccmon_csat_answers", 1),
    "ccmon_nps": ("ccmon_nps_promoters - ccmon_nps_detractors", "ccmon_nps_answers", 100),
    "ccmon_ces_average": ("ccmon_ces_points", "ccmon_ces_answers", 1),
    "ccmon_negative_sentiment_ratio": ("ccmon_sentiment_negative", "ccmon_sentiment_scored", 1),
    "ccmon_conversion_ratio": ("ccmon_converted", "ccmon_handled", 1),
    # {team, window}
    "ccmon_occupancy_ratio": ("ccmon_team_occupied_seconds", "ccmon_team_staffed_seconds", 1),
    "ccmon_contacts_per_agent_hour": ("ccmon_team_handled", "ccmon_team_staffed_seconds", 3600),
    "ccmon_average_time_between_contacts_seconds": ("ccmon_team_between_contacts_seconds",
                                                    "ccmon_team_between_contacts", 1),
}
COUNTS = {"ccmon_offered", "ccmon_answered", "ccmon_abandoned", "ccmon_short_abandoned",
          "ccmon_overflowed", "ccmon_handled", "ccmon_resolved_cases", "ccmon_churned_customers",
          "ccmon_deflected"}
# Not sums: the longest is the max of the instances' longest; quantiles have
# no exact aggregate (docs/metrics.md).
WAITS = {"ccmon_wait_max_seconds", "ccmon_wait_p50_seconds", "ccmon_wait_p90_seconds"}


def terms(expr):
    out, sign = [], 1
    for word in expr.split():
        if word in "+-":
            sign = 1 if word == "+" else -1
        else:
            out.append((sign, word))
    return out


def by_key(samples):
    """The samples with a window label."""
    return {k: v for k, v in samples.items() if any(name == "window" for name, _ in k[1])}


def series_keys(samples, name):
    return {labels for (n, labels) in samples if n == name}


def total(samples_list, expr, labels):
    return sum(sign * s.get((part, labels), 0.0) for s in samples_list for sign, part in terms(expr))


def scenario():
    """(events for "one", events for "two"), each in time order; "all" gets both."""
    one, two = [], []

    def contact(to, cid, queue, channel, agent, queued_at, answered_at=None, abandoned_at=None,
                hold=None, ended_at=None, wrapped_at=None, extra=()):
        to.append(event("contact.queued", BASE + queued_at, contact=cid, queue=queue,
                        channel=channel))
        if answered_at is not None:  # the agent's state first, as a platform sends it
            state(to, agent, answered_at, "busy")
            to.append(event("contact.answered", BASE + answered_at, contact=cid, agent=agent))
        if abandoned_at is not None:
            to.append(event("contact.abandoned", BASE + abandoned_at, contact=cid))
        if hold:
            to.append(event("contact.held", BASE + hold[0], contact=cid))
            to.append(event("contact.resumed", BASE + hold[1], contact=cid))
        for t, type_, fields in extra:
            to.append(event(type_, BASE + t, contact=cid, **fields))
        if ended_at is not None:
            to.append(event("contact.ended", BASE + ended_at, contact=cid))
            state(to, agent, ended_at, "wrap_up")
            to.append(event("contact.wrapped", BASE + wrapped_at, contact=cid))
            state(to, agent, wrapped_at, "available")

    def state(to, agent, t, st):
        to.append(event("agent.state", BASE + t, agent=agent, state=st, team="t1"))

    # Agent a1 (team t1) on "one": sales/voice and part of chat.
    state(one, "a1", 0, "available")
    contact(one, "s1", "sales", "voice", "a1", 0, answered_at=10, hold=(20, 30), ended_at=100,
            wrapped_at=130,
            extra=[(101, "survey.answered", {"csat": 5, "nps": 9, "ces": 2}),
                   (102, "contact.sentiment", {"score": -0.5}),
                   (103, "contact.converted", {})])
    contact(one, "s2", "sales", "voice", None, 5, abandoned_at=8)  # short abandon
    contact(one, "s3", "sales", "voice", None, 6, abandoned_at=46)
    contact(one, "s4", "sales", "voice", "a1", 140, answered_at=150, ended_at=200,
            wrapped_at=210)
    # chat on "one": two answered quickly, one self-served, cases.
    one.append(event("contact.created", BASE + 300, contact="c1", channel="chat", queue="chat"))
    contact(one, "c1", "chat", "chat", "a1", 300, answered_at=305, ended_at=400, wrapped_at=410,
            extra=[(306, "message.received", {}),
                   (320, "message.sent", {"agent": "a1"}),
                   (330, "message.received", {}),
                   (345, "message.sent", {"agent": "a1"}),
                   (346, "survey.answered", {"csat": 4, "nps": 10})])
    one.append(event("contact.created", BASE + 310, contact="c2", channel="chat", queue="chat"))
    one.append(event("contact.self_served", BASE + 320, contact="c2", channel="chat"))
    one.append(event("case.opened", BASE + 300, case="k1", queue="chat", channel="chat"))
    one.append(event("case.resolved", BASE + 420, case="k1", contacts=1))
    one.append(event("case.opened", BASE + 330, case="k3", queue="chat", channel="chat"))
    contact(one, "c4", "chat", "chat", "a1", 420, answered_at=422, ended_at=430, wrapped_at=431)

    # Agent a2 (team t1) on "two": support/voice and the rest of chat.
    state(two, "a2", 0, "available")
    contact(two, "p1", "support", "voice", "a2", 0, answered_at=30, ended_at=130, wrapped_at=150,
            extra=[(131, "survey.answered", {"csat": 2, "nps": 3, "ces": 6}),
                   (132, "contact.sentiment", {"score": 0.3})])
    contact(two, "p2", "support", "voice", "a2", 160, answered_at=185,
            extra=[(250, "contact.transferred", {"to_queue": "support"})])
    state(two, "a2", 250, "available")
    contact(two, "p2", "support", "voice", "a2", 250, answered_at=260, ended_at=280,
            wrapped_at=290)
    contact(two, "p3", "support", "voice", None, 200, abandoned_at=215)
    contact(two, "c3", "chat", "chat", "a2", 305, answered_at=365, ended_at=450, wrapped_at=460,
            extra=[(305, "message.received", {}),
                   (380, "message.sent", {"agent": "a2"}),
                   (461, "survey.answered", {"csat": 1, "nps": 0, "ces": 7}),
                   (462, "contact.sentiment", {"score": -0.9})])
    two.append(event("contact.created", BASE + 300, contact="c5", channel="chat", queue="chat"))
    two.append(event("case.opened", BASE + 310, case="k2", queue="chat", channel="chat"))
    two.append(event("case.escalated", BASE + 320, case="k2"))
    two.append(event("case.resolved", BASE + 480, case="k2", contacts=2))

    # Both end on the same instant, so that their windows end where the
    # daemon with every event has its own ("now" is the latest event time).
    state(one, "a1", 500, "available")
    state(two, "a2", 500, "available")
    one.sort(key=lambda e: e["time"])
    two.sort(key=lambda e: e["time"])
    return one, two


class AggregatePartsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        one_events, two_events = scenario()
        every = sorted(one_events + two_events, key=lambda e: e["time"])
        cls.samples = {}
        for name, evs in (("one", one_events), ("two", two_events), ("all", every)):
            with Daemon(CONFIG, state_dir="") as d:
                status, answer = d.post_events(evs)
                assert status == 200 and answer["accepted"] == len(evs), answer
                d.wait_tick()  # a snapshot wholly after the batch
                cls.samples[name] = d.metrics()
                # A clean scenario: nothing held or out of sequence anywhere.
                for clean in ("ccmon_events_out_of_sequence_total", "ccmon_held_events"):
                    assert cls.samples[name][(clean, frozenset())] == 0, (name, clean)

    def test_sums_of_parts_give_the_kpis_of_all_events(self):
        one, two, full = (by_key(self.samples[n]) for n in ("one", "two", "all"))
        checked = 0
        for kpi, (num, den, scale) in RATIOS.items():
            labelsets = set()
            for _, part in terms(num) + terms(den):
                labelsets |= series_keys(one, part) | series_keys(two, part)
            labelsets |= series_keys(full, kpi)
            for labels in labelsets:
                with self.subTest(kpi=kpi, labels=dict(labels)):
                    d = total([one, two], den, labels)
                    want = full.get((kpi, labels))
                    if d == 0:
                        self.assertIsNone(want, "defined without a denominator in the parts")
                        continue
                    self.assertIsNotNone(want, f"parts give {d} to divide by, the KPI is absent")
                    got = scale * total([one, two], num, labels) / d
                    self.assertAlmostEqual(got, want, delta=1e-9 * max(1.0, abs(want)))
                    checked += 1
        # Something was compared: most KPIs in several windows.
        self.assertGreater(checked, 60)
        for kpi in RATIOS:
            self.assertTrue(series_keys(full, kpi), f"{kpi}: the scenario never defines it")

    def test_the_longest_wait_is_the_longest_of_the_instances(self):
        one, two, full = (by_key(self.samples[n]) for n in ("one", "two", "all"))
        name = "ccmon_wait_max_seconds"
        for labels in series_keys(full, name):
            got = max(s[(name, labels)] for s in (one, two) if (name, labels) in s)
            self.assertEqual(got, full[(name, labels)])

    def test_every_windowed_kpi_is_covered(self):
        names = {n for n, _ in by_key(self.samples["all"])}
        parts = {p for num, den, _ in RATIOS.values() for _, p in terms(num) + terms(den)}
        self.assertEqual(names - set(RATIOS) - COUNTS - WAITS - parts, set())

    def test_the_split_queue_is_not_the_average_of_its_shares(self):
        # chat/chat, 1h: "one" answered c1 after 5 s and c4 after 2 s (ASA
        # 3.5 s), "two" answered c3 after 60 s: the ASA of the three is
        # (5 + 2 + 60) / 3 = 22.333 s, the average of the two ASAs 31.75 s.
        labels = frozenset({("queue", "chat"), ("channel", "chat"), ("window", "1h")})
        key = ("ccmon_average_speed_of_answer_seconds", labels)
        self.assertEqual(self.samples["one"][key], 3.5)
        self.assertEqual(self.samples["two"][key], 60)
        self.assertAlmostEqual(self.samples["all"][key], 67 / 3, delta=1e-12)
        # Its parts, by hand: 7 s over 2 answers, 60 s over 1.
        parts = [(self.samples[n][("ccmon_answered_wait_seconds", labels)],
                  self.samples[n][("ccmon_answered", labels)]) for n in ("one", "two")]
        self.assertEqual(parts, [(7, 2), (60, 1)])
        # Team t1, 1h: a1 and a2 both staffed for the 500 s on the event clock.
        team = frozenset({("team", "t1"), ("window", "1h")})
        staffed = [self.samples[n][("ccmon_team_staffed_seconds", team)] for n in ("one", "two")]
        self.assertEqual(staffed, [500, 500])
        self.assertEqual(self.samples["all"][("ccmon_team_staffed_seconds", team)], 1000)

    def test_no_part_without_its_kpi_or_a_value(self):
        # An idle window has no part sample: "one" never saw support/voice.
        one = self.samples["one"]
        self.assertFalse({n for n, labels in one if ("queue", "support") in labels})


if __name__ == "__main__":
    unittest.main()
