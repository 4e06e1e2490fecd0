"""Real Prometheus and Alertmanager on loopback, fed from the shipped deploy/
configuration, plus a webhook receiver that records notifications (helpers of
test_alerting.py).

Configurations are generated from the shipped files by editing the parsed
YAML, so the test runs the rules, routes and receivers operators deploy; only
addresses, intervals and the few values the test must shorten are changed,
and each change is made where the caller can see (and comment) it.
"""

import glob
import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

from ccmond import poll

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("CCMON_SOURCE_DIR", os.path.normpath(os.path.join(HERE, "..", "..")))
DEPLOY = os.path.join(SOURCE_DIR, "deploy")
PROMETHEUS_DIR = os.path.join(DEPLOY, "prometheus")
ALERTMANAGER_YML = os.path.join(DEPLOY, "alertmanager", "alertmanager.yml")
DASHBOARDS = sorted(glob.glob(os.path.join(DEPLOY, "grafana", "dashboards", "*.json")))


def find_binary(*names):
    for name in names:
        path = shutil.which(name) or (os.path.join("/usr/bin", name)
                                      if os.access(os.path.join("/usr/bin", name), os.X_OK)
                                      else None)
        if path:
            return path
    return None


PROMETHEUS = find_binary("prometheus")
ALERTMANAGER = find_binary("prometheus-alertmanager", "alertmanager")


def free_port():
    """A loopback port free right now (the child binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def write_yaml(path, doc):
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(doc, f, sort_keys=False)


def http_json(url, timeout=10):
    """GET url and decode its JSON; raises on transport and HTTP errors."""
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read())


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, ConnectionError, socket.timeout):
        return None


# --- Webhook receiver ---------------------------------------------------------


class WebhookReceiver:
    """http.server on 127.0.0.1:0 in a thread; keeps every POSTed JSON body."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = []  # (path, decoded body)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                try:
                    doc = json.loads(body)
                except ValueError:
                    doc = {"unparseable": body.decode("utf-8", "replace")}
                with outer.lock:
                    outer.received.append((self.path, doc))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # keep the test output readable
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def notifications(self):
        with self.lock:
            return list(self.received)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


# --- Child processes --------------------------------------------------------


class Child:
    """A started binary whose output goes to a log file; stop() kills it."""

    def __init__(self, name, cmd, log_path, ready_url):
        self.name = name
        self.log_path = log_path
        self.log_file = open(log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log_file, stderr=subprocess.STDOUT)
        try:
            poll(lambda: self._ready(ready_url), timeout=60, interval=0.05,
                 what=f"{name} to be ready")
        except BaseException:
            self.stop()  # the caller never gets the object to clean it up
            raise

    def _ready(self, url):
        if self.proc.poll() is not None:
            raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n"
                                 f"{self.log_tail()}")
        return http_status(url) == 200

    def log_tail(self, lines=40):
        with open(self.log_path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()


def alertmanager_config(webhook_url, group_wait="1s", group_interval="1s",
                        repeat_interval="1m"):
    """deploy/alertmanager/alertmanager.yml with every receiver's URL moved to
    the test webhook (same path, so the path names the receiver) and the
    route timers shortened from tens of seconds to test speed."""
    doc = load_yaml(ALERTMANAGER_YML)

    def shorten(route):
        for key, value in (("group_wait", group_wait), ("group_interval", group_interval),
                           ("repeat_interval", repeat_interval)):
            if key in route:
                route[key] = value
        for child in route.get("routes", []):
            shorten(child)

    route = doc["route"]
    route.update(group_wait=group_wait, group_interval=group_interval,
                 repeat_interval=repeat_interval)
    shorten(route)
    for receiver in doc["receivers"]:
        for hook in receiver.get("webhook_configs", []):
            path = urllib.parse.urlsplit(hook["url"]).path or f"/{receiver['name']}"
            hook["url"] = webhook_url + path
    return doc


def start_alertmanager(tmp, config_doc):
    port = free_port()
    config = os.path.join(tmp, "alertmanager.yml")
    write_yaml(config, config_doc)
    storage = os.path.join(tmp, "alertmanager-data")
    os.makedirs(storage)
    cmd = [ALERTMANAGER, f"--config.file={config}", f"--storage.path={storage}",
           f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
           "--log.level=info"]
    child = Child("alertmanager", cmd, os.path.join(tmp, "alertmanager.log"),
                  f"http://127.0.0.1:{port}/-/ready")
    child.base = f"http://127.0.0.1:{port}"
    child.port = port
    return child


def shipped_rule_files():
    """{relative path in prometheus.yml: parsed rule file}, as Prometheus loads them."""
    doc = load_yaml(os.path.join(PROMETHEUS_DIR, "prometheus.yml"))
    return {rel: load_yaml(os.path.join(PROMETHEUS_DIR, rel)) for rel in doc["rule_files"]}


def prometheus_config(tmp, rule_docs, ccmond_port, alertmanager_port, interval="1s"):
    """deploy/prometheus/prometheus.yml pointed at the test daemon and
    Alertmanager, with 1 s scrapes and evaluations, loading rule_docs (the
    shipped rules, possibly edited by the caller) written under tmp."""
    doc = load_yaml(os.path.join(PROMETHEUS_DIR, "prometheus.yml"))
    doc["global"].update(scrape_interval=interval, evaluation_interval=interval)
    rule_paths = []
    for rel, rules in rule_docs.items():
        path = os.path.join(tmp, "rules", os.path.basename(rel))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_yaml(path, rules)
        rule_paths.append(path)
    doc["rule_files"] = rule_paths
    doc["alerting"]["alertmanagers"] = [
        {"static_configs": [{"targets": [f"127.0.0.1:{alertmanager_port}"]}]}]
    jobs = [job for job in doc["scrape_configs"] if job["job_name"] == "ccmon"]
    assert len(jobs) == 1, "deploy/prometheus/prometheus.yml has no single job ccmon"
    job = jobs[0]
    job.update(scrape_interval=interval, scrape_timeout=interval,
               static_configs=[{"targets": [f"127.0.0.1:{ccmond_port}"]}])
    return doc


def start_prometheus(tmp, config_doc):
    port = free_port()
    config = os.path.join(tmp, "prometheus.yml")
    write_yaml(config, config_doc)
    cmd = [PROMETHEUS, f"--config.file={config}",
           f"--storage.tsdb.path={os.path.join(tmp, 'prometheus-data')}",
           f"--web.listen-address=127.0.0.1:{port}", "--log.level=info"]
    child = Child("prometheus", cmd, os.path.join(tmp, "prometheus.log"),
                  f"http://127.0.0.1:{port}/-/ready")
    child.base = f"http://127.0.0.1:{port}"
    child.port = port
    return child


# --- Prometheus HTTP API --------------------------------------------------


class PromApi:
    def __init__(self, base):
        self.base = base

    def _get(self, path, **params):
        url = f"{self.base}{path}?{urllib.parse.urlencode(params)}"
        try:
            doc = http_json(url)
        except urllib.error.HTTPError as e:  # 400/422 carry the PromQL error
            doc = json.loads(e.read() or b"{}")
        return doc

    def query(self, expr, at=None):
        """The raw API answer {status, data | errorType, error}."""
        params = {"query": expr}
        if at is not None:
            params["time"] = f"{at:.3f}"
        return self._get("/api/v1/query", **params)

    def query_range(self, expr, start, end, step):
        return self._get("/api/v1/query_range", query=expr, start=f"{start:.3f}",
                         end=f"{end:.3f}", step=step)

    def vector(self, expr):
        doc = self.query(expr)
        if doc.get("status") != "success":
            raise AssertionError(f"query {expr!r} failed: {doc}")
        return doc["data"]["result"]

    def alerts(self):
        doc = self._get("/api/v1/alerts")
        if doc.get("status") != "success":
            raise AssertionError(f"/api/v1/alerts failed: {doc}")
        return doc["data"]["alerts"]

    def series(self, match, start=None):
        params = {"match[]": match}
        if start is not None:
            params["start"] = f"{start:.3f}"
        doc = self._get("/api/v1/series", **params)
        if doc.get("status") != "success":
            raise AssertionError(f"series {match!r} failed: {doc}")
        return doc["data"]


def now():
    return time.time()
