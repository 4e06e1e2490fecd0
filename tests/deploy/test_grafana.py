"""Grafana dashboards and provisioning: JSON parses, panels are well formed,
every PromQL expression is valid (checked by promtool as a recording rule)
and selects only metrics of docs/metrics.md or the shipped recording rules."""

import glob
import json
import os
import re
import subprocess
import tempfile
import unittest

import yaml

import deploy_kit as kit

VAR_RE = re.compile(r"\$(\w+)|\$\{(\w+)(?::\w+)?\}")
GRAFANA_VARS = {"__rate_interval", "__interval", "__range", "__interval_ms", "__range_s"}


def dashboards():
    out = {}
    for path in sorted(glob.glob(os.path.join(kit.DASHBOARDS, "*.json"))):
        with open(path, encoding="utf-8") as f:
            out[os.path.basename(path)] = json.load(f)
    return out


def panels(dash):
    for p in dash["panels"]:
        yield p
        yield from p.get("panels", [])  # collapsed rows


def exprs(dash):
    for p in panels(dash):
        for t in p.get("targets", []):
            yield p["title"], t["expr"]


def concrete(expr):
    """A dashboard expression with Grafana variables replaced by plain values."""
    expr = expr.replace("$__rate_interval", "1m").replace("$__interval", "1m")
    expr = expr.replace("$__range", "1h")
    return VAR_RE.sub("x", expr)


class DashboardTest(unittest.TestCase):
    def setUp(self):
        self.dashboards = dashboards()

    def test_both_dashboards_are_shipped(self):
        self.assertEqual(set(self.dashboards), {"ccmon-wallboard.json", "ccmon-operations.json"})
        uids = [d["uid"] for d in self.dashboards.values()]
        self.assertEqual(len(uids), len(set(uids)))
        for name, d in self.dashboards.items():
            with self.subTest(dashboard=name):
                self.assertTrue(d["title"])
                self.assertNotIn("id", d, "provisioned dashboards must not pin a database id")

    def test_panels_are_well_formed(self):
        for name, d in self.dashboards.items():
            ids = [p["id"] for p in panels(d)]
            self.assertEqual(len(ids), len(set(ids)), f"{name}: duplicate panel ids")
            cells = set()
            for p in panels(d):
                with self.subTest(dashboard=name, panel=p["title"]):
                    g = p["gridPos"]
                    self.assertLessEqual(g["x"] + g["w"], 24)
                    for x in range(g["x"], g["x"] + g["w"]):
                        for y in range(g["y"], g["y"] + g["h"]):
                            self.assertNotIn((x, y), cells, "panels overlap")
                            cells.add((x, y))
                    if p["type"] == "row":
                        continue
                    self.assertTrue(p["targets"], "panel without a query")
                    self.assertEqual(p["datasource"]["uid"], "${datasource}")
                    for t in p["targets"]:
                        self.assertTrue(t["expr"].strip())
                        self.assertEqual(t["datasource"]["uid"], "${datasource}")

    def test_variables_used_are_defined(self):
        for name, d in self.dashboards.items():
            defined = {v["name"] for v in d["templating"]["list"]}
            self.assertIn("datasource", defined)
            texts = [e for _, e in exprs(d)] + [p["title"] for p in panels(d)]
            texts += [v.get("definition", "") for v in d["templating"]["list"]]
            for text in texts:
                for m in VAR_RE.finditer(text):
                    var = m.group(1) or m.group(2)
                    if var not in GRAFANA_VARS:
                        self.assertIn(var, defined, f"{name}: ${var} undefined in {text!r}")

    def test_wallboard_variables_and_coverage(self):
        d = self.dashboards["ccmon-wallboard.json"]
        variables = {v["name"]: v for v in d["templating"]["list"]}
        self.assertEqual(variables["queue"]["definition"], "label_values(ccmon_offered, queue)")
        self.assertIn("label_values(ccmon_offered", variables["channel"]["definition"])
        self.assertIn("window", variables)
        self.assertFalse(variables["window"]["multi"], "one window at a time")
        used = set().union(*(kit.metric_names_in(concrete(e)) for _, e in exprs(d)))
        # A windowed ratio or mean is shown through its recording rule
        # (level:metric:ratio), summed over the instances.
        used |= {n.split(":")[1] for n in used if n.count(":") == 2}
        for metric in ("ccmon_service_level_ratio", "ccmon_contacts_waiting",
                       "ccmon_oldest_waiting_seconds", "ccmon_abandon_ratio",
                       "ccmon_average_speed_of_answer_seconds",
                       "ccmon_average_handle_time_seconds", "ccmon_agents",
                       "ccmon_average_first_response_seconds", "ccmon_sla_breached"):
            self.assertIn(metric, used)
        for _, e in exprs(d):
            if "queue" in e and "ccmon_agents" not in e:
                self.assertIn('queue=~"$queue"', e)

    def test_wallboard_ratios_add_up_across_instances(self):
        # A windowed ratio or mean of one instance cannot be summed; the
        # wallboard reads the recording rules that divide the sums of the
        # instances' parts (docs/metrics.md "Aggregating across instances").
        d = self.dashboards["ccmon-wallboard.json"]
        recorded = kit.recorded_names()
        for title, e in exprs(d):
            for name in kit.metric_names_in(concrete(e)):
                with self.subTest(panel=title, metric=name):
                    if name.endswith(("_ratio", "_seconds", "_average", "_hour")) and \
                            name.startswith("ccmon_") and not name.endswith("_total"):
                        self.assertNotIn('window=', e, f"{name} of one instance: use "
                                         f"queue_channel_window:{name}:ratio")
                    if name.startswith("queue_channel_window:"):
                        self.assertIn(name, recorded)

    def test_operations_covers_the_daemon_metrics(self):
        d = self.dashboards["ccmon-operations.json"]
        used = set().union(*(kit.metric_names_in(concrete(e)) for _, e in exprs(d)))
        for metric in ("ccmon_events_received_total", "ccmon_events_accepted_total",
                       "ccmon_events_rejected_total", "ccmon_events_duplicate_total",
                       "ccmon_events_out_of_sequence_total", "ccmon_event_lag_seconds_bucket",
                       "ccmon_last_event_timestamp_seconds", "ccmon_connections",
                       "ccmon_tracked_contacts", "ccmon_series_folded_total", "ccmon_build_info"):
            self.assertIn(metric, used)

    def test_expressions_use_only_known_metrics(self):
        allowed = kit.metrics_catalogue() | kit.recorded_names() | {"up"}
        for name, d in self.dashboards.items():
            queries = [(p, e) for p, e in exprs(d)]
            queries += [(v["name"], re.sub(r"^label_values\((.*),\s*\w+\)$", r"\1", v["definition"]))
                        for v in d["templating"]["list"] if v["type"] == "query"]
            for title, e in queries:
                with self.subTest(dashboard=name, panel=title):
                    used = kit.metric_names_in(concrete(e))
                    self.assertTrue(used, f"selects no metric: {e}")
                    self.assertEqual(used - allowed, set())

    @unittest.skipUnless(kit.PROMTOOL, "promtool is not installed (Debian package prometheus)")
    def test_expressions_parse(self):
        rules = []
        for name, d in self.dashboards.items():
            for i, (_, e) in enumerate(exprs(d)):
                rules.append({"record": f"dashboard:{name.split('.')[0].replace('-', '_')}:q{i}",
                              "expr": concrete(e)})
        self.assertGreater(len(rules), 20)
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
            yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}, f)
            path = f.name
        try:
            proc = subprocess.run([kit.PROMTOOL, "check", "rules", path], capture_output=True,
                                  text=True, timeout=60)
        finally:
            os.unlink(path)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn(f"SUCCESS: {len(rules)} rules found", proc.stdout)


class ProvisioningTest(unittest.TestCase):
    def test_datasource(self):
        files = glob.glob(os.path.join(kit.GRAFANA, "provisioning", "datasources", "*.yml"))
        self.assertEqual(len(files), 1)
        doc = kit.load_yaml(files[0])
        self.assertEqual(doc["apiVersion"], 1)
        (ds,) = doc["datasources"]
        self.assertEqual(ds["type"], "prometheus")
        self.assertTrue(ds["url"].startswith("http://"))

    def test_dashboard_provider(self):
        files = glob.glob(os.path.join(kit.GRAFANA, "provisioning", "dashboards", "*.yml"))
        self.assertEqual(len(files), 1)
        doc = kit.load_yaml(files[0])
        self.assertEqual(doc["apiVersion"], 1)
        (provider,) = doc["providers"]
        self.assertEqual(provider["type"], "file")
        self.assertTrue(provider["options"]["path"].startswith("/"))


if __name__ == "__main__":
    unittest.main()
