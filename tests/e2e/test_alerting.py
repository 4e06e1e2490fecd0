"""Alerting end to end: ccmond -> real Prometheus (shipped rules) -> real
Alertmanager (shipped routes) -> a webhook, and the shipped Grafana
dashboards' queries against that Prometheus.

The scenario, all on 127.0.0.1 with the wall clock:

1. ccmond runs the shipped example configuration plus one SLA rule, "oldest
   waiting <= 5 s on sales/voice", short so the test is fast.
2. Two rounds of varied traffic (agents with teams, answered, abandoned and
   overflowed contacts, chat messages, surveys, one rejected, one duplicate
   and one out-of-sequence event) give every dashboard panel data. The
   rounds are a scrape apart so counters visibly grow and rate() has
   something to measure.
3. One sales/voice contact is queued and left waiting: CcmonSlaBreached (for
   the rule) and CcmonOldestWaitingHigh go pending, then firing, and the
   team-sales webhook receives both.
4. Every query of every panel runs against Prometheus: none may fail and
   none may be empty.
5. The contact is answered: both alerts resolve (the webhook gets status
   "resolved", Prometheus stops listing them).

Nothing sleeps for timing: every wait polls a condition with a deadline.
"""

import datetime as dt
import json
import os
import re
import sys
import tempfile
import time
import unittest
import uuid

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)

import alerting_dashboards as grafana  # noqa: E402
import alerting_stack as stack  # noqa: E402
from ccmond import Daemon, poll  # noqa: E402

SLA_NAME = "sales_voice_oldest_waiting"
SLA_TARGET = 5  # seconds
# Test copies of the shipped alerts (the shipped values, in comments, would
# make the test last minutes): see alert_rules().
ALERT_FOR = "3s"  # CcmonSlaBreached ships with for: 1m, CcmonOldestWaitingHigh with 30s
OLDEST_WAITING_THRESHOLD = 5  # CcmonOldestWaitingHigh ships with > 300 (s)
ALERTS = ("CcmonSlaBreached", "CcmonOldestWaitingHigh")
SCRAPE_SLACK = 0.5  # seconds, see the activeAt check
WEBHOOK_PATH = "/hooks/team-sales"  # alertmanager.yml routes queue=~"sales.*" there

# Panels allowed to show "No data" in this scenario, with the reason. Empty
# on purpose: the scenario sends one rejected, duplicate and out-of-sequence
# event so that even the error panels have data.
PANELS_ALLOWED_EMPTY = {}  # {(dashboard file, panel title): reason}
# The dashboards open on the last 3 h / 6 h; Prometheus here is a minute old,
# so the time picker is set to "Last 5 minutes": a range panel's step is then
# the data source's 5 s timeInterval, not 10-20 s of points before any data.
TIME_RANGE = 300  # seconds


def ccmond_config():
    """config/ccmon.example.yml (the shipped defaults, its four SLA rules
    included) plus the test rule. `today` starts 12 hours away from the
    current UTC hour, so the test never runs across the day boundary (a
    fresh `today` would have no answered contact and the wallboard's ratio
    panels would rightly show no data)."""
    path = os.path.join(stack.SOURCE_DIR, "config", "ccmon.example.yml")
    doc = stack.load_yaml(path)
    doc["kpis"]["day_start_hour"] = (dt.datetime.now(dt.timezone.utc).hour + 12) % 24
    doc["sla"].append({
        "name": SLA_NAME,
        "kpi": "oldest_waiting_seconds",
        "op": "<=",
        "target": SLA_TARGET,
        "queue": "sales",
        "channel": "voice",
    })
    return yaml.safe_dump(doc, sort_keys=False)


def alert_rules():
    """The shipped rule files as prometheus.yml lists them, with test copies
    of the two alerts under test: a `for` of ALERT_FOR instead of 1m / 30s,
    and CcmonOldestWaitingHigh's threshold lowered from 300 s to 5 s. The
    expressions, labels and annotations are otherwise the shipped ones."""
    docs = stack.shipped_rule_files()
    edited = set()
    for doc in docs.values():
        for group in doc["groups"]:
            for rule in group["rules"]:
                name = rule.get("alert")
                if name not in ALERTS:
                    continue
                rule["for"] = ALERT_FOR
                if name == "CcmonOldestWaitingHigh":
                    expr, n = re.subn(r">\s*300\b", f"> {OLDEST_WAITING_THRESHOLD}",
                                      rule["expr"])
                    assert n == 1, f"shipped CcmonOldestWaitingHigh changed: {rule['expr']!r}"
                    rule["expr"] = expr
                    rule["annotations"]["description"] = rule["annotations"][
                        "description"].replace("above 300 s", f"above {OLDEST_WAITING_THRESHOLD} s")
                edited.add(name)
    assert edited == set(ALERTS), f"shipped alerts missing: {set(ALERTS) - edited}"
    return docs


class Events:
    """Builders of events.md events at wall-clock times, with ids unique to
    the run (the dedup horizon must never see a reused id by accident)."""

    def __init__(self):
        self.run = uuid.uuid4().hex[:8]
        self.n = 0

    def __call__(self, type_, t, **fields):
        self.n += 1
        return {"id": f"al-{self.run}-{self.n}", "type": type_, "time": round(t, 3), **fields}


def traffic(ev, r, t):
    """Round r of finished contacts, all event times within the last 5 s of t,
    so none of them ever waits longer than the 5 s thresholds above. Each
    round has its own agents: an agent.state older than the agent's last one
    would be out of sequence, and rounds are only about a second apart."""
    c = f"{ev.run}-r{r}"
    a1, a2, a3, a4 = (f"{name}-r{r}" for name in ("s1", "p1", "p2", "v1"))
    return [
        ev("agent.state", t - 4.8, agent=a1, team="sales_team", state="available"),
        ev("agent.state", t - 4.8, agent=a2, team="support_team", state="available"),
        ev("agent.state", t - 4.8, agent=a3, team="support_team", state="available"),
        ev("agent.state", t - 4.8, agent=a4, team="vip_team", state="away", reason="break"),
        # sales/voice: one answered and handled, one abandoned (short: 3 s < 5 s).
        ev("contact.queued", t - 4.5, contact=f"{c}-sv1", queue="sales", channel="voice"),
        ev("contact.queued", t - 4.5, contact=f"{c}-sv2", queue="sales", channel="voice"),
        ev("contact.answered", t - 3.5, contact=f"{c}-sv1", agent=a1),
        ev("agent.state", t - 3.5, agent=a1, team="sales_team", state="busy"),
        ev("contact.abandoned", t - 1.5, contact=f"{c}-sv2"),
        ev("contact.ended", t - 2.5, contact=f"{c}-sv1"),
        ev("agent.state", t - 2.5, agent=a1, team="sales_team", state="wrap_up"),
        ev("contact.wrapped", t - 2.0, contact=f"{c}-sv1"),
        ev("agent.state", t - 2.0, agent=a1, team="sales_team", state="available"),
        ev("survey.answered", t - 1.0, contact=f"{c}-sv1", csat=5, nps=9, ces=2),
        # support/chat: an automated greeting (no response), then the agent's
        # first reply 2 s after queueing.
        ev("contact.queued", t - 4.0, contact=f"{c}-sc1", queue="support", channel="chat"),
        ev("message.received", t - 4.0, contact=f"{c}-sc1"),
        ev("message.sent", t - 3.8, contact=f"{c}-sc1", automated=True),
        ev("contact.answered", t - 3.0, contact=f"{c}-sc1", agent=a2),
        ev("message.sent", t - 2.0, contact=f"{c}-sc1", agent=a2),
        ev("contact.sentiment", t - 1.8, contact=f"{c}-sc1", score=-0.5),
        ev("contact.ended", t - 1.5, contact=f"{c}-sc1"),
        ev("contact.wrapped", t - 1.0, contact=f"{c}-sc1"),
        # billing/email answered; vip_gold/voice overflowed to voicemail.
        ev("contact.queued", t - 3.0, contact=f"{c}-be1", queue="billing", channel="email"),
        ev("contact.answered", t - 2.0, contact=f"{c}-be1", agent=a3),
        ev("contact.queued", t - 2.5, contact=f"{c}-vv1", queue="vip_gold", channel="voice"),
        ev("contact.overflowed", t - 1.0, contact=f"{c}-vv1", reason="voicemail"),
    ]


ROUND_OFFERED = 5  # contact.queued events per round: sv1, sv2, sc1, be1, vv1


class AlertingEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [n for n, p in (("prometheus", stack.PROMETHEUS),
                                  ("alertmanager", stack.ALERTMANAGER)) if not p]
        if missing:
            raise unittest.SkipTest(f"{' and '.join(missing)} not installed (Debian packages "
                                    "prometheus, prometheus-alertmanager)")

    def setUp(self):
        # Cleanups run even when setUp fails half way, in reverse order.
        tmp = tempfile.TemporaryDirectory(prefix="ccmon-alerting-")
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.webhook = stack.WebhookReceiver()
        self.addCleanup(self.webhook.stop)
        self.daemon = Daemon(config=ccmond_config())
        self.addCleanup(self.daemon.stop)
        self.alertmanager = stack.start_alertmanager(
            self.tmp, stack.alertmanager_config(self.webhook.url))
        self.addCleanup(self.alertmanager.stop)
        self.prometheus = stack.start_prometheus(
            self.tmp, stack.prometheus_config(self.tmp, alert_rules(), self.daemon.port,
                                              self.alertmanager.port))
        self.addCleanup(self.prometheus.stop)
        self.prom = stack.PromApi(self.prometheus.base)
        self.ev = Events()

    # --- helpers ------------------------------------------------------------
    def diagnostics(self):
        try:
            alerts = json.dumps(self.prom.alerts(), indent=1)
        except Exception as e:  # noqa: BLE001 - best effort while failing
            alerts = f"(unavailable: {e})"
        return (f"\nPrometheus alerts: {alerts}\nwebhook: "
                f"{json.dumps(self.webhook.notifications(), indent=1)}\n"
                f"--- prometheus log ---\n{self.prometheus.log_tail()}\n"
                f"--- alertmanager log ---\n{self.alertmanager.log_tail()}\n"
                f"--- ccmond log ---\n{self.daemon.log()[-4000:]}")

    def wait_for(self, predicate, timeout, what, interval=0.1):
        try:
            return poll(predicate, timeout=timeout, interval=interval, what=what)
        except AssertionError as e:
            raise AssertionError(f"{e}{self.diagnostics()}") from None

    def post(self, events, rejected=0, duplicates=0):
        status, answer = self.daemon.post_events(events)
        self.assertEqual(status, 200, answer)
        self.assertEqual(len(answer["rejected"]), rejected, answer)
        self.assertEqual(answer["duplicates"], duplicates, answer)
        self.assertEqual(answer["accepted"], len(events) - rejected - duplicates, answer)
        return answer

    def scalar(self, expr):
        """The single value of an instant query, or None when it is empty."""
        result = self.prom.vector(expr)
        self.assertLessEqual(len(result), 1, (expr, result))
        return float(result[0]["value"][1]) if result else None

    def sales_alerts(self):
        """{alertname: Prometheus alert} for the sales/voice alerts under test."""
        out = {}
        for a in self.prom.alerts():
            labels = a["labels"]
            if labels.get("queue") != "sales" or labels.get("channel") != "voice":
                continue
            if labels["alertname"] == "CcmonSlaBreached" and labels.get("sla") != SLA_NAME:
                continue
            if labels["alertname"] in ALERTS:
                out[labels["alertname"]] = a
        return out

    def notified(self, status):
        """{alertname: (webhook payload, alert)} with that status at team-sales."""
        out = {}
        for path, doc in self.webhook.notifications():
            if path != WEBHOOK_PATH:
                continue
            for alert in doc.get("alerts", []):
                labels = alert["labels"]
                if (alert["status"] == status and labels.get("queue") == "sales"
                        and labels.get("channel") == "voice"
                        and labels.get("alertname") in ALERTS):
                    out[labels["alertname"]] = (doc, alert)
        return out

    # --- the scenario -----------------------------------------------------
    def test_sla_alert_fires_notifies_resolves_and_dashboards_have_data(self):
        self.wait_for(lambda: self.scalar('up{job="ccmon"}') == 1, 30,
                      "Prometheus to scrape ccmond")

        # Round 1, then round 2 once Prometheus has scraped round 1: each
        # counter then has two different samples and rate() is positive.
        self.post(traffic(self.ev, 1, time.time()))
        self.wait_for(lambda: self.scalar("sum(ccmon_contacts_offered_total)") == ROUND_OFFERED,
                      30, "Prometheus to scrape round 1")
        round2 = traffic(self.ev, 2, time.time())
        t = time.time()
        round2 += [
            round2[0],  # a duplicate (same id)
            self.ev("contact.queued", t, contact="fax-1", queue="sales", channel="fax"),
            # Out of sequence: dated 60 s back, past the 30 s lateness for which
            # an unfit event is held (docs/events.md), so the next tick counts it.
            self.ev("contact.ended", t - 60, contact=f"{self.ev.run}-never-queued"),
        ]
        answer = self.post(round2, rejected=1, duplicates=1)
        self.assertEqual(answer["rejected"][0]["reason"], "unknown_channel")

        # The contact that breaches: queued now, left waiting.
        waiting = f"{self.ev.run}-waiting"
        queued_at = time.time()
        self.post([self.ev("contact.queued", queued_at, contact=waiting, queue="sales",
                           channel="voice")])

        # Pending, then firing, for both alerts. Pending lasts ALERT_FOR (3 s,
        # three 1 s evaluations) and we look every 0.1 s: it cannot slip by.
        seen = {name: {} for name in ALERTS}  # alertname -> {state: wall time first seen}

        def both_firing():
            for name, alert in self.sales_alerts().items():
                seen[name].setdefault(alert["state"], (time.time(), alert))
            return all("firing" in seen[name] for name in ALERTS)

        self.wait_for(both_firing, 60, "both sales/voice alerts to fire")
        for name in ALERTS:
            with self.subTest(alert=name):
                self.assertIn("pending", seen[name], f"{name} never seen pending")
                pending_at, _ = seen[name]["pending"]
                firing_at, firing = seen[name]["firing"]
                self.assertLess(pending_at, firing_at)
                active_at = dt.datetime.fromisoformat(
                    re.sub(r"(\.\d{6})\d*", r"\1", firing["activeAt"]).replace("Z", "+00:00"))
                # The contact waits more than 5 s before either condition
                # holds: ccmond's rule (<= 5 s) breaks once the wait exceeds
                # 5 s, and CcmonOldestWaitingHigh needs > 5 s. So the alert
                # became active at queued_at + 5 s at the earliest, and with
                # for: 3s fires 3 s later at the earliest. A scrape sample is
                # stamped when the scrape starts, a little before ccmond
                # answers it: SCRAPE_SLACK allows for that.
                self.assertGreaterEqual(active_at.timestamp(), queued_at + 5 - SCRAPE_SLACK)
                self.assertGreaterEqual(firing_at, active_at.timestamp() + 3 - 0.05)
                self.assertEqual(firing["labels"]["severity"], "warning")
                self.assertEqual(firing["labels"]["job"], "ccmon")
                # The alert's value: breached = 1, or the seconds waited (> 5).
                if name == "CcmonSlaBreached":
                    self.assertEqual(float(firing["value"]), 1)
                else:
                    self.assertGreater(float(firing["value"]), OLDEST_WAITING_THRESHOLD)

        # Alertmanager routed both to team-sales (queue=~"sales.*").
        fired = self.wait_for(lambda: len(self.notified("firing")) == len(ALERTS)
                              and self.notified("firing"), 30,
                              "the team-sales webhook to receive both alerts firing")
        doc, alert = fired["CcmonSlaBreached"]
        self.assertEqual(doc["receiver"], "team-sales")
        self.assertEqual(doc["status"], "firing")
        self.assertEqual({k: alert["labels"][k] for k in ("alertname", "sla", "queue", "channel")},
                         {"alertname": "CcmonSlaBreached", "sla": SLA_NAME, "queue": "sales",
                          "channel": "voice"})
        self.assertEqual(alert["annotations"]["summary"],
                         f"SLA {SLA_NAME} breached on sales/voice")
        # The description looks the value and target up with PromQL: the
        # target is the rule's 5 (printf %.3g of 5 = "5"); the value is the
        # seconds waited, more than 5 once breached.
        description = " ".join(alert["annotations"]["description"].split())
        m = re.search(r"value (\S+), target (\S+)\.$", description)
        self.assertIsNotNone(m, description)
        self.assertGreater(float(m.group(1)), SLA_TARGET)
        self.assertEqual(m.group(2), "5")
        doc, alert = fired["CcmonOldestWaitingHigh"]
        self.assertEqual(doc["receiver"], "team-sales")
        self.assertEqual(doc["status"], "firing")
        self.assertEqual(alert["labels"]["queue"], "sales")
        # Only the alerts under test reached any receiver: the shipped SLA
        # rules and the other alerts stay quiet on this traffic.
        for path, doc in self.webhook.notifications():
            for a in doc.get("alerts", []):
                with self.subTest(notification=a["labels"]):
                    self.assertEqual(path, WEBHOOK_PATH)
                    self.assertIn(a["labels"]["alertname"], ALERTS)
                    self.assertEqual(a["labels"]["queue"], "sales")

        # Every dashboard panel, evaluated while the alert fires.
        self.check_dashboards()

        # The agent answers: ccmond clears the breach at its next evaluation
        # (no hysteresis on the test rule), Prometheus resolves both alerts.
        self.post([self.ev("contact.answered", time.time(), contact=waiting, agent="s1-r1")])
        resolved = self.wait_for(lambda: len(self.notified("resolved")) == len(ALERTS)
                                 and self.notified("resolved"), 30,
                                 "the team-sales webhook to receive both alerts resolved")
        for name in ALERTS:
            doc, alert = resolved[name]
            self.assertEqual(doc["receiver"], "team-sales")
            self.assertEqual(doc["status"], "resolved")
            self.assertEqual(alert["labels"]["queue"], "sales")
        self.wait_for(lambda: not self.sales_alerts(), 30,
                      "Prometheus to stop listing the resolved alerts")
        # One transition into breach for the test rule, and none for the
        # shipped rules (sum over them = 0).
        self.assertEqual(self.scalar(f'ccmon_sla_breaches_total{{sla="{SLA_NAME}"}}'), 1)
        self.assertEqual(self.scalar(f'sum(ccmon_sla_breaches_total{{sla!="{SLA_NAME}"}})'), 0)
        self.assertEqual(self.scalar(f'ccmon_sla_breached{{sla="{SLA_NAME}"}}'), 0)
        # What the error panels showed: 1 rejected (fax), 1 duplicate, 1 out of
        # sequence (ended, never queued); offered = 2 rounds x 5 + the waiting
        # contact = 11 (the fax contact was rejected, so not offered).
        self.assertEqual(self.scalar('ccmon_events_rejected_total{reason="unknown_channel"}'), 1)
        self.assertEqual(self.scalar("ccmon_events_duplicate_total"), 1)
        self.assertEqual(self.scalar("ccmon_events_out_of_sequence_total"), 1)
        self.assertEqual(self.scalar("sum(ccmon_contacts_offered_total)"), 2 * ROUND_OFFERED + 1)

    def check_dashboards(self):
        self.assertTrue(stack.DASHBOARDS, "no dashboard under deploy/grafana/dashboards")
        for path in stack.DASHBOARDS:
            dash = grafana.load(path)
            name = os.path.basename(path)
            values, options = grafana.resolve_variables(self.prom, dash, time.time(),
                                                         TIME_RANGE)
            for var, found in options.items():
                with self.subTest(dashboard=name, variable=var):
                    self.assertTrue(found, f"variable {var} has no option")
            # The wallboard opens on window "today"; it must be an option.
            if "window" in options:
                self.assertIn(values["window"], options["window"])
            panels = [p for p in grafana.panels(dash) if p["type"] != "row"]
            for panel in panels:
                with self.subTest(dashboard=name, panel=panel["title"]):
                    self.check_panel(name, panel, values)
            # A single-valued variable (the window) shows one option at a
            # time: every other option must give data too. All the events are
            # from the last minute, so they are inside every window.
            for var in grafana.single_valued(dash):
                for option in options[var]:
                    if option == values[var]:
                        continue
                    for panel in panels:
                        if not grafana.uses(panel, var):
                            continue
                        with self.subTest(dashboard=name, panel=panel["title"], **{var: option}):
                            self.check_panel(name, panel, {**values, var: option})

    def check_panel(self, name, panel, values):
        self.assertTrue(panel.get("targets"), "panel without a query")
        last = []

        def answered():
            # Stops polling on data, and on an error (reported below).
            last[:] = grafana.run_panel(self.prom, panel, values, time.time(), TIME_RANGE)
            return any(err or count for _, _, err, count in last)

        allowed = PANELS_ALLOWED_EMPTY.get((name, panel["title"]))
        try:
            poll(answered, timeout=0 if allowed else 20, interval=0.25,
                 what=f"panel {panel['title']!r} data")
        except AssertionError:
            if not allowed:
                self.fail(f"panel {panel['title']!r} of {name} has no data: "
                          + "; ".join(f"{ref}: {expr}" for ref, expr, *_ in last))
        errors = [(ref, expr, err) for ref, expr, err, _ in last if err]
        self.assertEqual(errors, [], "query failed")

if __name__ == "__main__":
    unittest.main()
