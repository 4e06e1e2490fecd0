"""Run the Grafana dashboards' queries the way Grafana would, against a real
Prometheus (helper of test_alerting.py).

Grafana is not installed, so this module does its part: it resolves the
dashboard variables (by running their label_values() queries and taking the
dashboard's saved default, "All" becoming the variable's allValue), expands
Grafana's built-in interval variables from the shipped data source settings
and the time range picked, and sends each panel target as an instant or range
query like the panel asks.
"""

import json
import os
import re

from alerting_stack import DEPLOY, load_yaml

DATASOURCE_YML = os.path.join(DEPLOY, "grafana", "provisioning", "datasources",
                              "ccmon-prometheus.yml")

# $name, ${name}, ${name:format} and the deprecated [[name]].
VAR_RE = re.compile(r"\$\{(\w+)(?::[\w]+)?\}|\$(\w+)|\[\[(\w+)\]\]")
LABEL_VALUES_RE = re.compile(r"^\s*label_values\(\s*(?:(.+?)\s*,\s*)?(\w+)\s*\)\s*$")
DURATION_RE = re.compile(r"^(\d+)(ms|s|m|h|d|w|y)$")
UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800,
                "y": 31536000}


def seconds(text):
    m = DURATION_RE.match(text)
    if not m:
        raise ValueError(f"unsupported duration {text!r}")
    return int(m.group(1)) * UNIT_SECONDS[m.group(2)]


def duration(secs):
    """Seconds as a PromQL duration (whole seconds are enough here)."""
    return f"{int(secs)}s"


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def panels(dash):
    """Every panel, those inside collapsed rows included."""
    for p in dash.get("panels", []):
        yield p
        yield from p.get("panels", [])


def scrape_interval():
    """timeInterval of the shipped Grafana data source: Grafana's lower bound
    for $__interval and the "scrape interval" of $__rate_interval."""
    doc = load_yaml(DATASOURCE_YML)
    return seconds(doc["datasources"][0]["jsonData"]["timeInterval"])


def builtins(rng):
    """Grafana's interval variables for a time range of rng seconds and a
    panel about 1000 points wide: $__interval = max(rng / 1000, timeInterval)
    and $__rate_interval = max($__interval + scrape, 4 * scrape), as Grafana
    defines them. Returns (variables, interval in seconds)."""
    scrape = scrape_interval()
    interval = max(rng / 1000, scrape)
    rate_interval = max(interval + scrape, 4 * scrape)
    return {
        "__interval": duration(interval),
        "__interval_ms": str(int(interval * 1000)),
        "__rate_interval": duration(rate_interval),
        "__range": duration(rng),
        "__range_s": str(int(rng)),
        "__range_ms": str(int(rng * 1000)),
    }, interval


def substitute(expr, values):
    def repl(m):
        name = m.group(1) or m.group(2) or m.group(3)
        if name not in values:
            raise KeyError(f"unknown Grafana variable ${name} in {expr!r}")
        return values[name]

    return VAR_RE.sub(repl, expr)


def label_values(api, query, values, start):
    """The options of a label_values() variable, as Grafana's Prometheus data
    source computes them (series matching the selector since start)."""
    m = LABEL_VALUES_RE.match(query)
    if not m:
        raise ValueError(f"unsupported variable query {query!r}")
    selector, label = m.group(1), m.group(2)
    selector = substitute(selector, values) if selector else f'{{{label}!=""}}'
    found = {s[label] for s in api.series(selector, start=start) if label in s}
    return sorted(found)


def resolve_variables(api, dash, now, rng):
    """{name: value text} for the dashboard's variables at their saved default
    with the time picker on the last rng seconds, and {name: options} found
    for each query variable. Variables are resolved in order, so later ones
    may use earlier ones."""
    values, _ = builtins(rng)
    options = {}
    for var in dash.get("templating", {}).get("list", []):
        name = var["name"]
        if var["type"] == "datasource":
            values[name] = "prometheus"
            continue
        if var["type"] != "query":
            raise ValueError(f"unsupported variable type {var['type']} ({name})")
        query = var["query"]["query"] if isinstance(var["query"], dict) else var["query"]
        options[name] = label_values(api, query, values, now - rng)
        current = var.get("current", {}).get("value")
        if isinstance(current, list):
            current = current[0] if len(current) == 1 else "(" + "|".join(current) + ")"
        if current in (None, "", "$__all"):
            if not var.get("includeAll"):
                current = options[name][0] if options[name] else ""
            else:
                # Without allValue Grafana ORs every option together.
                current = var.get("allValue") or "(" + "|".join(
                    re.escape(o) for o in options[name]) + ")"
        values[name] = current
    return values, options


def single_valued(dash):
    """Names of the query variables that hold one value (no multi, no All)."""
    return [v["name"] for v in dash.get("templating", {}).get("list", [])
            if v["type"] == "query" and not v.get("multi") and not v.get("includeAll")]


def uses(panel, name):
    """Whether some target of the panel refers to variable name."""
    return any(name in (m.group(1), m.group(2), m.group(3))
               for t in panel.get("targets", []) for m in VAR_RE.finditer(t["expr"]))


def run_panel(api, panel, values, now, rng):
    """[(refId, expr, error or None, series count)] for the panel's targets,
    the time picker on the last rng seconds (values from resolve_variables
    with the same rng)."""
    _, interval = builtins(rng)
    out = []
    for target in panel.get("targets", []):
        if target.get("hide"):
            continue
        expr = substitute(target["expr"], values)
        if target.get("instant") and not target.get("range"):
            doc = api.query(expr, at=now)
        else:
            doc = api.query_range(expr, now - rng, now, duration(interval))
        if doc.get("status") != "success":
            out.append((target.get("refId"), expr,
                        f"{doc.get('errorType')}: {doc.get('error')}", 0))
            continue
        result = doc["data"]["result"]
        # A range result has one entry per series that had some point in range.
        count = sum(1 for s in result if s.get("value") or s.get("values"))
        out.append((target.get("refId"), expr, None, count))
    return out
