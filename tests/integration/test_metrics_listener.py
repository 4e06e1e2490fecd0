"""server.metrics_listen (docs/security.md, "Connections"): a second listener
that serves only GET /metrics, /-/ready and /-/healthy, with its own accept
queue and its own connection budget, so that a main listener held full by
busy connections (or flooded with new ones) never shuts the scrape out. A
real Prometheus scrapes it while the main listener refuses everyone.
"""

import http.client
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from ccmond import Daemon, metric, parse_metrics, poll  # noqa: E402
from events import queued  # noqa: E402

# The main listener: 16 connections and a reserve of 1, so a test can hold
# every one of them; deadlines long enough that none frees itself mid-test.
CONFIG = """server:
  metrics_listen: 127.0.0.1:0
  limits:
    max_connections: 16
    reserved_probe_connections: 1
    header_timeout: 60s
"""

PROMETHEUS = shutil.which("prometheus") or (
    "/usr/bin/prometheus" if os.access("/usr/bin/prometheus", os.X_OK) else None)


def metrics_port(d):
    m = poll(lambda: re.search(
        r"metrics and probes also on http://127\.0\.0\.1:(\d+) \(server\.metrics_listen\)",
        d.log()), what="the metrics listener's port")
    return int(m.group(1))


def request(port, method, path, body=None, headers=None, conn=None):
    """(status, body) of one request; on `conn` if given, else a new one."""
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request(method, path, body=body, headers=headers or {})
        res = c.getresponse()
        return res.status, res.read()
    finally:
        if conn is None:
            c.close()


def refused(port):
    """True when a new connection to `port` is closed without an answer."""
    try:
        status, _ = request(port, "GET", "/metrics")
        return False
    except (ConnectionError, http.client.RemoteDisconnected, socket.timeout):
        return True


def fill_main_listener(d):
    """Holds every connection of CONFIG's main listener: 16 WebSocket streams
    (busy, never reclaimed) and one silent connection in the probe reserve.
    Returns the sockets."""
    held = []
    for _ in range(16):
        s = socket.create_connection((d.host, d.port), timeout=10)
        s.sendall(b"GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                  b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  b"Sec-WebSocket-Version: 13\r\n\r\n")
        assert b" 101 " in s.recv(4096)
        held.append(s)
    held.append(socket.create_connection((d.host, d.port), timeout=10))
    return held


class MetricsListenerTest(unittest.TestCase):
    def test_serves_probes_only_and_keeps_them_alive(self):
        with Daemon(CONFIG) as d:
            port = metrics_port(d)
            self.assertNotEqual(port, d.port)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                # One keep-alive connection, several probes: unlike the
                # reserve's, it is not closed after one.
                for path in ("/metrics", "/-/ready", "/-/healthy", "/metrics"):
                    status, _ = request(port, "GET", path, conn=conn)
                    self.assertEqual(status, 200, path)
            finally:
                conn.close()
            body = json.dumps(queued("m1"))
            status, answer = request(port, "POST", "/v1/events", body,
                                     {"Content-Type": "application/json"})
            self.assertEqual(status, 404)
            self.assertEqual(json.loads(answer)["error"], "not_found")
            self.assertIn("server.metrics_listen", json.loads(answer)["message"])
            for path in ("/v1/kpis", "/"):
                self.assertEqual(request(port, "GET", path)[0], 404, path)
            samples = d.metrics()
            self.assertEqual(metric(samples, "ccmon_requests_rejected_total",
                                    reason="not_found"), 3)
            # The event sent to the metrics listener was not ingested.
            self.assertEqual(metric(samples, "ccmon_events_received_total",
                                    transport="http") or 0, 0)

    def test_tokens_apply(self):
        config = CONFIG + "  auth:\n    metrics_tokens: [scrape-secret]\n"
        with Daemon(config) as d:
            port = metrics_port(d)
            self.assertEqual(request(port, "GET", "/metrics")[0], 401)
            status, _ = request(port, "GET", "/metrics",
                                headers={"Authorization": "Bearer scrape-secret"})
            self.assertEqual(status, 200)

    def test_scrape_gets_through_a_full_main_listener(self):
        with Daemon(CONFIG) as d:
            port = metrics_port(d)
            held = fill_main_listener(d)
            try:
                # The main listener now refuses everyone, probes included...
                poll(lambda: refused(d.port), what="the main listener to be full")
                # ...and the metrics listener still answers, promptly.
                for _ in range(5):
                    start = time.monotonic()
                    status, text = request(port, "GET", "/metrics")
                    self.assertEqual(status, 200)
                    self.assertLess(time.monotonic() - start, 5.0)
                samples = parse_metrics(text.decode())
                self.assertGreaterEqual(metric(samples, "ccmon_requests_rejected_total",
                                               reason="connection_limit"), 1)
                self.assertEqual(metric(samples, "ccmon_connections", transport="websocket"), 16)
            finally:
                for s in held:
                    s.close()


@unittest.skipUnless(PROMETHEUS, "prometheus (Debian package) needed")
class PrometheusScrapesMetricsListenerTest(unittest.TestCase):
    def test_prometheus_keeps_scraping_while_the_main_listener_is_full(self):
        from alerting_stack import Child, PromApi, free_port, write_yaml

        with tempfile.TemporaryDirectory(prefix="ccmond-metrics-listen-") as tmp, \
                Daemon(CONFIG) as d:
            port = metrics_port(d)
            held = fill_main_listener(d)
            try:
                poll(lambda: refused(d.port), what="the main listener to be full")
                prom_port = free_port()
                config = os.path.join(tmp, "prometheus.yml")
                write_yaml(config, {
                    "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
                    "scrape_configs": [{"job_name": "ccmon", "static_configs": [
                        {"targets": [f"127.0.0.1:{port}"]}]}],
                })
                prom = Child("prometheus", [
                    PROMETHEUS, f"--config.file={config}",
                    f"--storage.tsdb.path={os.path.join(tmp, 'data')}",
                    f"--web.listen-address=127.0.0.1:{prom_port}"],
                    os.path.join(tmp, "prometheus.log"),
                    f"http://127.0.0.1:{prom_port}/-/ready")
                try:
                    api = PromApi(f"http://127.0.0.1:{prom_port}")

                    def streams_seen():
                        r = api.vector('ccmon_connections{job="ccmon",transport="websocket"}')
                        return r and r[0]["value"][1] == "16"

                    poll(streams_seen, timeout=60, interval=0.2,
                         what="Prometheus to scrape the metrics listener")
                    up = api.vector('up{job="ccmon"}')
                    self.assertEqual(up[0]["value"][1], "1", up)
                finally:
                    prom.stop()
            finally:
                for s in held:
                    s.close()


if __name__ == "__main__":
    unittest.main()
