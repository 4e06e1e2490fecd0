"""Golden KPI scenarios: events in, hand-computed /metrics and /v1/kpis out.

Each folder under golden/ is one scenario (format: golden/README.md). For
each, a fresh ccmond runs in event-clock mode, so "now" is the latest event
time and the results never depend on the wall clock. The events are POSTed as
NDJSON, then /metrics and /v1/kpis are compared with what the scenario
expects. Every mismatch of a scenario is reported, not only the first.

CCMON_GOLDEN_DIRS (colon-separated folders of scenarios) replaces golden/,
e.g. to run tests/e2e/golden_pending/ by hand.
"""

import json
import math
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from ccmond import Daemon, parse_metrics  # noqa: E402

REL_TOL = 1e-9
SELECTOR_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
BATCH_RE = re.compile(r'^events(?:\.(\d+))?\.ndjson$')
CLOCK_EVENT_RE = re.compile(r'^\s+clock:\s*event\s*$', re.MULTILINE)


def scenario_roots():
    env = os.environ.get("CCMON_GOLDEN_DIRS")
    if env:
        return [p for p in env.split(":") if p]
    return [os.path.join(HERE, "golden")]


def scenarios():
    """[(name, folder)] of every folder holding a config.yml, sorted."""
    out = []
    for root in scenario_roots():
        for name in sorted(os.listdir(root)):
            folder = os.path.join(root, name)
            if os.path.isfile(os.path.join(folder, "config.yml")):
                out.append((name, folder))
    return out


def read(folder, name):
    with open(os.path.join(folder, name)) as f:
        return f.read()


def batches(folder):
    """events.ndjson, then events.2.ndjson, events.3.ndjson, ... in order."""
    found = []
    for name in os.listdir(folder):
        m = BATCH_RE.match(name)
        if m:
            found.append((int(m.group(1) or 1), name))
    return [name for _, name in sorted(found)]


def parse_selector(text, where):
    """`name{a="x",b="y"}` -> (name, frozenset of label pairs)."""
    m = SELECTOR_RE.match(text)
    if not m:
        raise AssertionError(f"{where}: not a series selector: {text!r}")
    labels = LABEL_RE.findall(m.group(3) or "")
    return m.group(1), frozenset(labels)


def parse_expected_prom(text, where):
    """Prometheus text samples -> [(line number, name, labels, value)]."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        selector, _, value = line.rpartition(" ")
        name, labels = parse_selector(selector.strip(), f"{where}:{n}")
        out.append((n, name, labels, float(value)))
    return out


def same_number(expected, actual):
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if math.isnan(expected):
        return math.isnan(actual)
    if math.isinf(expected):
        return expected == actual
    return math.isclose(actual, expected, rel_tol=REL_TOL, abs_tol=0.0)


def show(labels):
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels)) + "}"


def contained(expected, actual, path, problems):
    """Appends to problems every way `expected` is not a part of `actual`.

    Objects: every expected key is present and contained; `{}` matches only
    an empty object. Lists: every expected item is contained in some actual
    item. null matches only null;
    numbers compare within REL_TOL.
    """
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            problems.append(f"{path}: expected an object, got {json.dumps(actual)}")
            return
        if not expected and actual:
            problems.append(f"{path}: expected {{}}, got {json.dumps(actual)}")
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{path}.{key}: missing")
            else:
                contained(value, actual[key], f"{path}.{key}", problems)
    elif isinstance(expected, list):
        if not isinstance(actual, list):
            problems.append(f"{path}: expected a list, got {json.dumps(actual)}")
            return
        for i, item in enumerate(expected):
            misses = [mismatches(item, a, f"{path}[{j}]") for j, a in enumerate(actual)]
            if not misses:
                problems.append(f"{path}[{i}]: empty list, expected {json.dumps(item)}")
            elif all(misses):
                # Explain with the elements of the same identity (the string
                # fields: queue, channel, team) when there are some.
                same = [m for m, a in zip(misses, actual) if same_identity(item, a)]
                if not same:
                    problems.append(f"{path}[{i}]: no element like {identity(item)}")
                else:
                    problems.extend(min(same, key=len))
    elif isinstance(expected, (int, float)) and not isinstance(expected, bool):
        if not isinstance(actual, (int, float)) or isinstance(actual, bool) or \
                not same_number(float(expected), float(actual)):
            problems.append(f"{path}: expected {expected}, got {json.dumps(actual)}")
    elif expected != actual:
        problems.append(f"{path}: expected {json.dumps(expected)}, got {json.dumps(actual)}")


def identity(item):
    if not isinstance(item, dict):
        return json.dumps(item)
    return json.dumps({k: v for k, v in item.items() if isinstance(v, str)})


def same_identity(item, actual):
    if not isinstance(item, dict) or not isinstance(actual, dict):
        return True
    return all(actual.get(k) == v for k, v in item.items() if isinstance(v, str))


def mismatches(expected, actual, path):
    problems = []
    contained(expected, actual, path, problems)
    return problems


def check_ingest(folder, daemon, problems):
    """POSTs every batch; checks accepted / duplicates / rejected counts."""
    want = {"rejected": 0, "duplicates": 0}
    if os.path.exists(os.path.join(folder, "expected_rejected.json")):
        want.update(json.loads(read(folder, "expected_rejected.json")))
    names = batches(folder)
    if not names:
        problems.append("no events.ndjson")
    lines = accepted = duplicates = 0
    reasons = []
    for name in names:
        body = read(folder, name)
        lines += sum(1 for line in body.splitlines() if line.strip())
        status, answer = daemon.post_events(body)
        if status != 200:
            problems.append(f"POST {name}: status {status}: {answer}")
            continue
        accepted += answer["accepted"]
        duplicates += answer["duplicates"]
        reasons += [f'{name}[{r["index"]}] {r["reason"]}: {r["message"]}'
                    for r in answer["rejected"]]
        daemon.metrics_text()  # a snapshot between batches: later ones arrive late
    if len(reasons) != want["rejected"]:
        problems.append(f"rejected {len(reasons)}, expected {want['rejected']}: {reasons}")
    if duplicates != want["duplicates"]:
        problems.append(f"duplicates {duplicates}, expected {want['duplicates']}")
    if accepted != lines - want["rejected"] - want["duplicates"]:
        problems.append(f"accepted {accepted} of {lines} lines")


def check_metrics(folder, samples, problems):
    for n, name, labels, value in parse_expected_prom(read(folder, "expected.prom"),
                                                      "expected.prom"):
        got = samples.get((name, labels))
        if got is None:
            near = sorted(show(k[1]) for k in samples if k[0] == name)[:6]
            problems.append(f"expected.prom:{n}: {name}{show(labels)} absent "
                            f"(expected {value}; present: {near})")
        elif not same_number(value, got):
            problems.append(f"expected.prom:{n}: {name}{show(labels)} = {got}, expected {value}")


def check_absent(folder, samples, problems):
    """Each line names a series: no sample of that name may carry those labels."""
    path = os.path.join(folder, "expected_absent.txt")
    if not os.path.exists(path):
        return
    for n, line in enumerate(read(folder, "expected_absent.txt").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, labels = parse_selector(line, f"expected_absent.txt:{n}")
        hits = [(k, v) for k, v in samples.items() if k[0] == name and labels <= k[1]]
        for (_, l), v in hits:
            problems.append(f"expected_absent.txt:{n}: {name}{show(l)} present = {v}")


def check_kpis(folder, daemon, problems):
    if os.path.exists(os.path.join(folder, "expected_kpis.json")):
        contained(json.loads(read(folder, "expected_kpis.json")), daemon.kpis(), "kpis", problems)


def run_scenario(test, folder):
    config = read(folder, "config.yml")
    test.assertRegex(config, CLOCK_EVENT_RE, "config.yml must set server: {clock: event}")
    test.assertTrue(os.path.exists(os.path.join(folder, "expected.prom")), "no expected.prom")
    problems = []
    with Daemon(config) as daemon:
        check_ingest(folder, daemon, problems)
        samples = parse_metrics(daemon.metrics_text())
        check_metrics(folder, samples, problems)
        check_absent(folder, samples, problems)
        check_kpis(folder, daemon, problems)
    if problems:
        test.fail(f"{len(problems)} mismatch(es) in {folder}:\n  " + "\n  ".join(problems))


class GoldenScenarios(unittest.TestCase):
    """One test method per scenario folder, named after it."""

    def test_scenarios_exist(self):
        self.assertTrue(scenarios(), f"no scenario under {scenario_roots()}")


def _add(name, folder):
    def test(self):
        run_scenario(self, folder)

    test.__doc__ = folder
    setattr(GoldenScenarios, "test_" + re.sub(r"\W", "_", name), test)


for _name, _folder in scenarios():
    _add(_name, _folder)

if __name__ == "__main__":
    unittest.main()
