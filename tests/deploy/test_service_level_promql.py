"""The shipped service-level recording rules (deploy/prometheus/rules,
docs/metrics.md "Service level in PromQL") give exactly the daemon's own
ccmon_service_level_ratio, for each preset of the formula: a real ccmond
counts a hand-made stream, its since-start counters and wait histogram
become promtool input series, and `promtool test rules` evaluates the rules
against the value the daemon reports, which itself must equal the value
worked out by hand.

The stream is made so that a recipe estimating short abandons from the
histogram would be wrong: one abandon waits exactly S = 5 s, so it lies in
the bucket le="5" (wait <= 5) but is not a short abandon (wait < 5)."""

import math
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
import deploy_kit as kit  # noqa: E402
from ccmond import Daemon, metric  # noqa: E402

T0 = 1700000000  # 2023-11-14T22:13:20Z

# (contact, outcome, wait in seconds), all queued at T0 in q/voice.
# T = 20 s, S = 5 s:
#   answered 3 (20 s: within, since within is <= T; 30 s: not; 4 s: within)
#   abandoned 3 (2 s: short and within; 5 s: not short, within; 40 s: neither)
#   overflowed 1
CONTACTS = [("a1", "answered", 20), ("a2", "answered", 30), ("a3", "answered", 4),
            ("b1", "abandoned", 2), ("b2", "abandoned", 5), ("b3", "abandoned", 40),
            ("o1", "overflowed", 50)]

# Hand values: answered within 2, abandoned within 2, short 1.
PRESETS = {
    # preset: (recording rule, hand value)
    "default": ("queue_channel_le:ccmon_service_level:ratio_rate15m", 2 / (3 + 3 - 1)),
    "answered_only": ("queue_channel_le:ccmon_service_level_answered_only:ratio_rate15m", 2 / 3),
    "all": ("queue_channel_le:ccmon_service_level_all:ratio_rate15m", 2 / (3 + 3 + 1)),
    "removed_within": ("queue_channel_le:ccmon_service_level_removed_within:ratio_rate15m",
                       (2 + 2) / (3 + 3 + 1)),
}

SERIES = [  # (metric, extra labels) taken from the daemon's scrape
    ("ccmon_wait_seconds_bucket", {"outcome": "answered", "le": "20"}),
    ("ccmon_wait_seconds_bucket", {"outcome": "abandoned", "le": "20"}),
    ("ccmon_contacts_answered_total", {}),
    ("ccmon_contacts_abandoned_total", {}),
    ("ccmon_contacts_short_abandoned_total", {}),
    ("ccmon_contacts_overflowed_total", {}),
]


def events():
    out = []
    for c, outcome, wait in CONTACTS:
        out.append(f'{{"id":"{c}-q","type":"contact.queued","time":{T0},"contact":"{c}",'
                   f'"queue":"q","channel":"voice"}}')
        agent = ',"agent":"ag"' if outcome == "answered" else ""
        out.append(f'{{"id":"{c}-o","type":"contact.{outcome}","time":{T0 + wait},'
                   f'"contact":"{c}"{agent}}}')
    return "\n".join(out) + "\n"


def prom_round(v):
    """PromQL's round(v, 0.001)."""
    return math.floor(v * 1000 + 0.5) / 1000


def labels_text(labels):
    return ",".join(f'{k}="{v}"' for k, v in labels.items())


@unittest.skipUnless(kit.PROMTOOL, "promtool is not installed (Debian package prometheus)")
class ServiceLevelPromqlTest(unittest.TestCase):
    def daemon_values(self, preset):
        config = f"""
server:
  clock: event
ingest:
  max_event_age: 0
kpis:
  windows: [24h]
  today: false
  service_level:
    formula: {preset}
    threshold: 20s
    short_abandon: 5s
"""
        with Daemon(config) as d:
            status, _, body = d.request("POST", "/v1/events", events(),
                                        {"Content-Type": "application/x-ndjson"})
            self.assertEqual(status, 200, body)
            m = d.metrics()
        ratio = metric(m, "ccmon_service_level_ratio", queue="q", channel="voice", window="24h")
        counts = {}
        for name, extra in SERIES:
            v = metric(m, name, queue="q", channel="voice", **extra)
            self.assertIsNotNone(v, f"{name}{extra} absent from the scrape")
            counts[(name, labels_text(extra))] = v
        return ratio, counts

    def test_recording_rules_equal_the_daemons_ratio(self):
        for preset, (rule, hand) in PRESETS.items():
            with self.subTest(preset=preset):
                ratio, counts = self.daemon_values(preset)
                self.assertAlmostEqual(ratio, hand, places=12)
                # The counters the recipe needs, by hand.
                self.assertEqual(counts[("ccmon_contacts_short_abandoned_total", "")], 1)
                self.assertEqual(counts[("ccmon_contacts_overflowed_total", "")], 1)
                self.assertEqual(counts[("ccmon_wait_seconds_bucket",
                                         'outcome="abandoned",le="20"')], 2)
                self.run_promtool(rule, counts, prom_round(ratio))

    def run_promtool(self, rule, counts, expected):
        # Each counter grows by its since-start value every minute, so any
        # rate ratio over the range is the ratio of those values.
        lines = ["rule_files:", f"  - {os.path.join(kit.RULES, 'ccmon-recording.yml')}",
                 "evaluation_interval: 1m", "tests:", "  - interval: 1m", "    input_series:"]
        for (name, extra), v in counts.items():
            labels = labels_text({"queue": "q", "channel": "voice"}) + (
                "," + extra if extra else "")
            lines += [f"      - series: '{name}{{{labels}}}'",
                      f'        values: "0+{int(v)}x70"']
        lines += ["    promql_expr_test:",
                  f'      - expr: round({rule}{{le="20"}}, 0.001)',
                  "        eval_time: 65m",
                  "        exp_samples:",
                  "          - labels: '{queue=\"q\",channel=\"voice\",le=\"20\"}'",
                  f"            value: {expected!r}"]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "sl-test.yml")
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")
            proc = subprocess.run([kit.PROMTOOL, "test", "rules", path], capture_output=True,
                                  text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, f"{proc.stdout}\n{proc.stderr}")
        self.assertNotIn("FAILED", proc.stdout)


if __name__ == "__main__":
    unittest.main()
