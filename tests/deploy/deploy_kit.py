"""Shared helpers for the deploy/ tests: paths, the metric-name catalogue of
spec/metrics.md, and PromQL name extraction."""

import os
import re
import shutil

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("CCMON_SOURCE_DIR", os.path.normpath(os.path.join(HERE, "..", "..")))
SHARED_DIR = os.environ.get("CCMON_SHARED_DIR", os.path.join(SOURCE_DIR, "..", "shared"))
DEPLOY = os.path.join(SOURCE_DIR, "deploy")
PROMETHEUS = os.path.join(DEPLOY, "prometheus")
RULES = os.path.join(PROMETHEUS, "rules")
RULE_TESTS = os.path.join(PROMETHEUS, "tests")
GRAFANA = os.path.join(DEPLOY, "grafana")
DASHBOARDS = os.path.join(GRAFANA, "dashboards")

PROMTOOL = shutil.which("promtool")
AMTOOL = shutil.which("amtool")

METRIC_RE = re.compile(r"ccmon_[a-z0-9_]+")
# Names as PromQL sees them once strings, label matchers and ranges are gone.
NAME_RE = re.compile(r"(?<![\w:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])")


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def metrics_catalogue():
    """Metric names of spec/metrics.md and of the project's docs/metrics.md
    (which documents what ccmond exports beyond the contract's minimum, such
    as the short-abandoned and overflowed counters), with
    _bucket/_count/_sum for histograms."""
    names = set()
    for path in (os.path.join(SHARED_DIR, "spec", "metrics.md"),
                 os.path.join(SOURCE_DIR, "docs", "metrics.md")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                found = METRIC_RE.findall(line)
                names.update(found)
                if "histogram" in line:
                    for n in found:
                        names.update({n + "_bucket", n + "_count", n + "_sum"})
    return names


def recorded_names():
    names = set()
    for doc in (load_yaml(os.path.join(RULES, "ccmon-recording.yml")),):
        for group in doc["groups"]:
            for rule in group["rules"]:
                names.add(rule["record"])
    return names


def alert_rules():
    doc = load_yaml(os.path.join(RULES, "ccmon-alerts.yml"))
    return [r for g in doc["groups"] for r in g["rules"] if "alert" in r]


PROMQL_WORDS = {
    # aggregation modifiers, vector matching, keywords
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
    "unless", "offset", "atan2",
}


def metric_names_in(expr):
    """Series names selected by a PromQL expression (functions and keywords excluded)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|`[^`]*`', '""', expr)  # strings
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for m in NAME_RE.finditer(text):
        word = m.group(1)
        rest = text[m.end():].lstrip()
        if rest.startswith("("):
            continue  # a function call
        if word in PROMQL_WORDS or re.fullmatch(r"\d.*", word):
            continue
        if re.fullmatch(r"[0-9.e+-]+|Inf|NaN|inf|nan", word):
            continue
        names.add(word)
    return names
