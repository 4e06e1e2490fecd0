"""The example Alertmanager configuration is valid, routes each kind of ccmon
alert to the intended receiver, and CcmonDown inhibits the other alerts."""

import os
import subprocess
import unittest

import deploy_kit as kit

CONFIG = os.path.join(kit.DEPLOY, "alertmanager", "alertmanager.yml")


@unittest.skipUnless(kit.AMTOOL, "amtool is not installed (Debian package prometheus-alertmanager)")
class AmtoolTest(unittest.TestCase):
    def test_check_config(self):
        proc = subprocess.run([kit.AMTOOL, "check-config", CONFIG], capture_output=True,
                              text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("SUCCESS", proc.stdout)

    def test_routing(self):
        cases = [
            (["alertname=CcmonDown", "severity=critical", "job=ccmon"], "ccmon-ops-pager"),
            (["alertname=CcmonFeedStale", "severity=critical", "job=ccmon"], "ccmon-ops-pager"),
            (["alertname=CcmonEventsRejected", "severity=warning", "reason=invalid_json"],
             "ccmon-ops"),
            (["alertname=CcmonSlaBreached", "severity=warning", "queue=vip_gold",
              "channel=voice"], "team-vip"),
            (["alertname=CcmonOldestWaitingHigh", "severity=warning", "queue=sales",
              "channel=chat"], "team-sales"),
            (["alertname=CcmonSlaBreached", "severity=warning", "queue=billing",
              "channel=email"], "team-support"),
            (["alertname=CcmonSlaAtRisk", "severity=info", "queue=sales_b2b",
              "channel=voice"], "team-sales"),
            (["alertname=CcmonSlaBreached", "severity=warning", "queue=other",
              "channel=voice"], "supervisors"),
        ]
        for labels, receiver in cases:
            with self.subTest(labels=labels):
                proc = subprocess.run(
                    [kit.AMTOOL, "config", "routes", "test", f"--config.file={CONFIG}",
                     f"--verify.receivers={receiver}", *labels],
                    capture_output=True, text=True, timeout=60)
                self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
                self.assertEqual(proc.stdout.strip(), receiver)


class InhibitionTest(unittest.TestCase):
    def test_down_inhibits_every_other_ccmon_alert(self):
        doc = kit.load_yaml(CONFIG)
        rules = [r for r in doc["inhibit_rules"]
                 if r["source_matchers"] == ['alertname="CcmonDown"']]
        self.assertEqual(len(rules), 1)
        self.assertIn("job", rules[0]["equal"])
        self.assertIn('alertname!="CcmonDown"', rules[0]["target_matchers"])

    def test_receivers_point_at_loopback_placeholders(self):
        doc = kit.load_yaml(CONFIG)
        for r in doc["receivers"]:
            for hook in r["webhook_configs"]:
                self.assertTrue(hook["url"].startswith("http://127.0.0.1:"), hook["url"])


if __name__ == "__main__":
    unittest.main()
