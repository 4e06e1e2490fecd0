"""The shipped Prometheus configuration, rules and rule unit tests pass promtool,
and rules only use metric names of docs/metrics.md."""

import glob
import os
import subprocess
import unittest

import deploy_kit as kit

REQUIRED_ALERTS = {"CcmonSlaBreached", "CcmonSlaAtRisk", "CcmonOldestWaitingHigh",
                   "CcmonFeedStale", "CcmonDown", "CcmonEventsRejected", "CcmonSourceStale"}


def run(args, cwd=None):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)


@unittest.skipUnless(kit.PROMTOOL, "promtool is not installed (Debian package prometheus)")
class PromtoolTest(unittest.TestCase):
    def assert_ok(self, proc):
        self.assertEqual(proc.returncode, 0,
                         f"{' '.join(proc.args)} failed:\n{proc.stdout}\n{proc.stderr}")

    def test_check_config(self):
        proc = run([kit.PROMTOOL, "check", "config", "prometheus.yml"], cwd=kit.PROMETHEUS)
        self.assert_ok(proc)
        self.assertIn("2 rule files found", proc.stdout)

    def test_check_rules(self):
        files = sorted(glob.glob(os.path.join(kit.RULES, "*.yml")))
        self.assertEqual([os.path.basename(f) for f in files],
                         ["ccmon-alerts.yml", "ccmon-recording.yml"])
        self.assert_ok(run([kit.PROMTOOL, "check", "rules", *files]))

    def test_rule_unit_tests(self):
        files = sorted(glob.glob(os.path.join(kit.RULE_TESTS, "*.yml")))
        self.assertGreaterEqual(len(files), 2)
        proc = run([kit.PROMTOOL, "test", "rules", *[os.path.basename(f) for f in files]],
                   cwd=kit.RULE_TESTS)
        self.assert_ok(proc)
        self.assertNotIn("FAILED", proc.stdout)


class RulesContentTest(unittest.TestCase):
    """Static checks that need no promtool."""

    def test_required_alerts_have_severity_and_annotations(self):
        rules = kit.alert_rules()
        self.assertEqual({r["alert"] for r in rules}, REQUIRED_ALERTS)
        for r in rules:
            with self.subTest(alert=r["alert"]):
                self.assertIn(r.get("labels", {}).get("severity"), {"info", "warning", "critical"})
                for key in ("summary", "description"):
                    self.assertTrue(r.get("annotations", {}).get(key), f"no {key}")
                self.assertIn("for", r, "every alert needs a pending period")

    def test_contact_center_alerts_name_queue_and_channel(self):
        for r in kit.alert_rules():
            if r["alert"] in {"CcmonSlaBreached", "CcmonSlaAtRisk", "CcmonOldestWaitingHigh"}:
                for key in ("summary", "description"):
                    text = r["annotations"][key]
                    self.assertIn("$labels.queue", text, f"{r['alert']} {key}")
                    self.assertIn("$labels.channel", text, f"{r['alert']} {key}")

    def test_rules_use_only_catalogued_metrics(self):
        allowed = kit.metrics_catalogue() | kit.recorded_names() | {"up"}
        exprs = [(r["alert"], r["expr"]) for r in kit.alert_rules()]
        rec = kit.load_yaml(os.path.join(kit.RULES, "ccmon-recording.yml"))
        exprs += [(r["record"], r["expr"]) for g in rec["groups"] for r in g["rules"]]
        for name, expr in exprs:
            with self.subTest(rule=name):
                used = kit.metric_names_in(expr)
                self.assertTrue(used, "selects no metric")
                self.assertEqual(used - allowed, set(), "unknown metric names")

    def test_recording_rule_names_follow_convention(self):
        for name in kit.recorded_names():
            with self.subTest(record=name):
                level, metric, ops = name.split(":")
                self.assertTrue(level and ops)
                self.assertTrue(metric.startswith("ccmon_"))

    def test_every_rule_is_unit_tested(self):
        text = ""
        for f in glob.glob(os.path.join(kit.RULE_TESTS, "*.yml")):
            with open(f, encoding="utf-8") as fh:
                text += fh.read()
        for alert in REQUIRED_ALERTS:
            self.assertIn(f"alertname: {alert}", text)
            self.assertIn(f'alertname="{alert}",alertstate="pending"', text,
                          f"{alert}: no pending-state check")
        for record in kit.recorded_names():
            self.assertIn(record, text,
                          f"recording rule {record} untested")

    def test_scrape_interval_suits_wallboards(self):
        cfg = kit.load_yaml(os.path.join(kit.PROMETHEUS, "prometheus.yml"))
        jobs = {j["job_name"]: j for j in cfg["scrape_configs"]}
        self.assertIn("ccmon", jobs)
        self.assertEqual(jobs["ccmon"]["static_configs"][0]["targets"], ["127.0.0.1:9477"])
        self.assertIn(jobs["ccmon"]["scrape_interval"], {"1s", "2s", "5s"})


if __name__ == "__main__":
    unittest.main()
