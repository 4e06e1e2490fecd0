"""TLS on the listeners (docs/security.md, "Running with TLS") with real
clients: curl, python3-websockets, a real Prometheus, OpenSSL's s_client.

Every certificate is made at test time with the openssl command into a
temporary directory: a server CA and its server certificates (serials 0x1001
and 0x1002, to tell a rotated certificate from the old one), a client CA with
a client certificate, and a rogue CA with a client certificate of its own.
"""

import asyncio
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import unittest

import websockets

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from ccmond import Daemon, ccmond_path, metric, parse_metrics, poll  # noqa: E402
from events import queued  # noqa: E402

OPENSSL = shutil.which("openssl")
CURL = shutil.which("curl")


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


class Pki:
    """The test's certificates, under `dir`."""

    def __init__(self, dir):
        self.dir = dir
        self.ca = self._ca("server-ca")
        self.client_ca = self._ca("client-ca")
        self.rogue_ca = self._ca("rogue-ca")
        san = "subjectAltName=IP:127.0.0.1,DNS:localhost"
        self.server_a = self._leaf("server-a", self.ca, 0x1001, san)
        self.server_b = self._leaf("server-b", self.ca, 0x1002, san)
        self.client = self._leaf("client", self.client_ca, 0x2001, "extendedKeyUsage=clientAuth")
        self.rogue_client = self._leaf("rogue-client", self.rogue_ca, 0x3001,
                                       "extendedKeyUsage=clientAuth")

    def path(self, name):
        return os.path.join(self.dir, name)

    def _key(self, name):
        key = self.path(name + ".key")
        run(OPENSSL, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", key)
        return key

    def _ca(self, name):
        key = self._key(name)
        pem = self.path(name + ".pem")
        run(OPENSSL, "req", "-x509", "-new", "-key", key, "-days", "2", "-subj",
            f"/CN=ccmon test {name}", "-out", pem)
        return (pem, key)

    def _leaf(self, name, ca, serial, extension):
        key = self._key(name)
        csr = self.path(name + ".csr")
        pem = self.path(name + ".pem")
        ext = self.path(name + ".ext")
        with open(ext, "w") as f:
            f.write(extension + "\n")
        run(OPENSSL, "req", "-new", "-key", key, "-subj", f"/CN={name}", "-out", csr)
        run(OPENSSL, "x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1], "-set_serial",
            str(serial), "-days", "2", "-extfile", ext, "-out", pem)
        return (pem, key)


def tls_config(cert, key, client_ca=None, extra=""):
    lines = ["server:", "  tls:", f"    cert_file: {cert}", f"    key_file: {key}"]
    if client_ca:
        lines.append(f"    client_ca_file: {client_ca}")
    lines.append("  limits:")
    lines.append("    header_timeout: 2s")
    return "\n".join(lines) + "\n" + extra


def served_serial(port, cafile, certfile=None):
    """The serial number (hex) of the certificate a new connection is served."""
    ctx = ssl.create_default_context(cafile=cafile)
    if certfile:
        ctx.load_cert_chain(*certfile)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            return s.getpeercert()["serialNumber"]


def handshake_failures(d, reason):
    return metric(d.metrics(), "ccmon_tls_handshake_failures_total", reason=reason) or 0


def closed_without_http_answer(port, payload):
    """Sends `payload` over plain TCP and reads until the daemon closes; True
    when what came back (at most a TLS alert) is no HTTP answer."""
    got = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(payload)
        try:
            while chunk := s.recv(4096):
                got += chunk
        except ConnectionResetError:
            pass
    return not got.startswith(b"HTTP/")


@unittest.skipUnless(OPENSSL and CURL, "the openssl and curl commands are needed")
class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ccmond-tls-")
        cls.pki = Pki(cls.tmp.name)
        cls.cafile = cls.pki.ca[0]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def client_context(self, cert=None):
        ctx = ssl.create_default_context(cafile=self.cafile)
        if cert:
            ctx.load_cert_chain(*cert)
        return ctx

    def start(self, config):
        return Daemon(config, ssl_context=self.client_context())

    def curl(self, d, path, *args, scheme="https", port=None):
        url = f"{scheme}://127.0.0.1:{port or d.port}{path}"
        return subprocess.run([CURL, "-sS", "--max-time", "20", "--cacert", self.cafile, *args,
                               url], capture_output=True, text=True)

    def test_curl_posts_events_and_reads_metrics_over_https(self):
        with self.start(tls_config(*self.pki.server_a)) as d:
            self.assertTrue(d.base.startswith("https://"), d.base)
            body = json.dumps(queued("c1"))
            for version in ("--tlsv1.3", "--tls-max"):  # TLS 1.3, then 1.2 at most
                extra = [version] if version == "--tlsv1.3" else [version, "1.2"]
                r = self.curl(d, "/v1/events", *extra, "-H", "Content-Type: application/json",
                              "--data-binary", body)
                self.assertEqual(r.returncode, 0, r.stderr)
                answer = json.loads(r.stdout)
                # The second post carries the same event id: a duplicate.
                expected = {"accepted": 1, "duplicates": 0} if version == "--tlsv1.3" else \
                    {"accepted": 0, "duplicates": 1}
                self.assertEqual({k: answer[k] for k in expected}, expected, answer)
            r = self.curl(d, "/metrics")
            self.assertEqual(r.returncode, 0, r.stderr)
            samples = parse_metrics(r.stdout)
            self.assertEqual(metric(samples, "ccmon_events_accepted_total",
                                    type="contact.queued"), 1)
            self.assertEqual(metric(samples, "ccmon_events_duplicate_total"), 1)
            # Every other endpoint answers over TLS too.
            for path, status in (("/-/ready", "200"), ("/v1/kpis", "200"), ("/", "200"),
                                 ("/-/healthy", "200")):
                r = self.curl(d, path, "-o", "/dev/null", "-w", "%{http_code}")
                self.assertEqual((r.returncode, r.stdout), (0, status), (path, r.stderr))
            r = self.curl(d, "/-/reload", "-X", "POST", "-o", "/dev/null", "-w", "%{http_code}")
            self.assertEqual((r.returncode, r.stdout), (0, "200"), r.stderr)
            # Without the CA the client refuses the certificate, and says so
            # in the alert it sends.
            r = subprocess.run([CURL, "-sS", "--max-time", "20",
                                f"https://127.0.0.1:{d.port}/metrics"],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 60, r.stderr)  # CURLE_PEER_FAILED_VERIFICATION
            poll(lambda: handshake_failures(d, "server_certificate") == 1,
                 what="the client's unknown-CA alert to be counted")

    def test_plain_http_and_old_ciphers_are_refused_in_the_handshake(self):
        with self.start(tls_config(*self.pki.server_a)) as d:
            request = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
            self.assertTrue(closed_without_http_answer(d.port, request))
            r = self.curl(d, "/metrics", scheme="http")
            self.assertNotEqual(r.returncode, 0)
            poll(lambda: handshake_failures(d, "not_tls") == 2,
                 what="two plain-HTTP attempts counted as not_tls")
            # A TLS 1.2 client offering only a CBC suite without forward
            # secrecy finds nothing in common.
            r = subprocess.run([OPENSSL, "s_client", "-connect", f"127.0.0.1:{d.port}",
                                "-tls1_2", "-cipher", "AES128-SHA", "-CAfile", self.cafile],
                               input="", capture_output=True, text=True, timeout=30)
            self.assertNotEqual(r.returncode, 0, r.stdout)
            poll(lambda: handshake_failures(d, "protocol") == 1, what="counted as protocol")
            # A client that connects and says nothing is dropped at the
            # header timeout (2 s here).
            with socket.create_connection(("127.0.0.1", d.port), timeout=20) as s:
                self.assertEqual(s.recv(1), b"")
            poll(lambda: handshake_failures(d, "timeout") == 1, what="counted as timeout")
            # None of this was served.
            self.assertEqual(d.status("/-/ready"), 200)

    def test_websocket_ingest_and_live_feed_over_wss(self):
        async def session(port):
            ctx = self.client_context()
            async with websockets.connect(f"wss://127.0.0.1:{port}/v1/stream", ssl=ctx) as ws:
                await ws.send(json.dumps(queued("w1")))
                reply = json.loads(await asyncio.wait_for(ws.recv(), 20))
            async with websockets.connect(f"wss://127.0.0.1:{port}/v1/live", ssl=ctx) as live:
                state = json.loads(await asyncio.wait_for(live.recv(), 20))
            return reply, state

        with self.start(tls_config(*self.pki.server_a)) as d:
            reply, state = asyncio.run(session(d.port))
            self.assertEqual((reply["seq"], reply["accepted"]), (1, 1), reply)
            self.assertIsInstance(state, dict)
            samples = d.metrics()
            self.assertEqual(metric(samples, "ccmon_events_received_total",
                                    transport="websocket"), 1)

    def test_rotation_by_reload_keeps_open_streams(self):
        tmp = tempfile.mkdtemp(dir=self.tmp.name)
        cert, key = os.path.join(tmp, "server.pem"), os.path.join(tmp, "server.key")

        def install(pair):
            shutil.copy(pair[0], cert)
            shutil.copy(pair[1], key)

        install(self.pki.server_a)

        async def scenario(d):
            ctx = self.client_context()
            async with websockets.connect(f"wss://127.0.0.1:{d.port}/v1/stream", ssl=ctx) as ws:
                await ws.send(json.dumps(queued("r1")))
                first = json.loads(await asyncio.wait_for(ws.recv(), 20))
                # The certificate is renewed in place (same paths), then SIGHUP.
                install(self.pki.server_b)
                d.proc.send_signal(signal.SIGHUP)
                await asyncio.to_thread(
                    poll, lambda: served_serial(d.port, self.cafile) == "1002",
                    what="new connections to get the renewed certificate")
                # The stream opened with the old certificate goes on.
                await ws.send(json.dumps(queued("r2")))
                second = json.loads(await asyncio.wait_for(ws.recv(), 20))
                # A broken certificate is refused; the renewed one stays.
                with open(cert, "w") as f:
                    f.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n")
                status, _, body = await asyncio.to_thread(d.request, "POST", "/-/reload")
                self.assertEqual(status, 500, body)
                self.assertIn(b"server.tls.cert_file", body)
                # So is a key that is not the certificate's.
                install((self.pki.server_b[0], self.pki.server_a[1]))
                status, _, body = await asyncio.to_thread(d.request, "POST", "/-/reload")
                self.assertEqual(status, 500, body)
                self.assertIn(b"server.tls.key_file", body)
                await ws.send(json.dumps(queued("r3")))
                third = json.loads(await asyncio.wait_for(ws.recv(), 20))
            return first, second, third

        with self.start(tls_config(cert, key)) as d:
            self.assertEqual(served_serial(d.port, self.cafile), "1001")
            replies = asyncio.run(scenario(d))
            self.assertEqual([(r["seq"], r["accepted"]) for r in replies], [(1, 1), (2, 1), (3, 1)])
            self.assertEqual(served_serial(d.port, self.cafile), "1002")
            samples = d.metrics()
            self.assertEqual(metric(samples, "ccmon_config_reloads_total", result="success"), 1)
            self.assertEqual(metric(samples, "ccmon_config_reloads_total", result="failure"), 2)
            self.assertIn("configuration reload refused", d.log())

    def test_mutual_tls_refuses_unknown_clients(self):
        config = tls_config(*self.pki.server_a, client_ca=self.pki.client_ca[0])
        with Daemon(config, ssl_context=self.client_context(self.pki.client)) as d:
            r = self.curl(d, "/metrics", "--cert", self.pki.client[0], "--key", self.pki.client[1],
                          "-o", "/dev/null", "-w", "%{http_code}")
            self.assertEqual((r.returncode, r.stdout), (0, "200"), r.stderr)
            r = self.curl(d, "/metrics")  # no certificate
            self.assertNotEqual(r.returncode, 0, r.stdout)
            r = self.curl(d, "/metrics", "--cert", self.pki.rogue_client[0], "--key",
                          self.pki.rogue_client[1])
            self.assertNotEqual(r.returncode, 0, r.stdout)
            poll(lambda: handshake_failures(d, "client_certificate") == 2,
                 what="both unknown clients counted")

            async def stream(cert):
                ctx = self.client_context(cert)
                async with websockets.connect(f"wss://127.0.0.1:{d.port}/v1/stream",
                                              ssl=ctx) as ws:
                    await ws.send(json.dumps(queued("m1")))
                    return json.loads(await asyncio.wait_for(ws.recv(), 20))

            self.assertEqual(asyncio.run(stream(self.pki.client))["accepted"], 1)
            with self.assertRaises((ssl.SSLError, ConnectionError, websockets.InvalidMessage,
                                    websockets.ConnectionClosed, EOFError)):
                asyncio.run(stream(self.pki.rogue_client))
            poll(lambda: handshake_failures(d, "client_certificate") == 3,
                 what="the rogue WebSocket client to be counted")

    def test_plain_and_tls_listeners_side_by_side(self):
        config = tls_config(*self.pki.server_a, extra="  plain_listen: 127.0.0.1:0\n")
        with self.start(config) as d:
            m = poll(lambda: __import__("re").search(
                r"plain HTTP also on http://127\.0\.0\.1:(\d+)", d.log()),
                what="the plain listener's port")
            plain = int(m.group(1))
            r = self.curl(d, "/v1/events", "-H", "Content-Type: application/json",
                          "--data-binary", json.dumps(queued("p1")))
            self.assertEqual(r.returncode, 0, r.stderr)
            r = self.curl(d, "/metrics", scheme="http", port=plain)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(metric(parse_metrics(r.stdout), "ccmon_events_received_total",
                                    transport="http"), 1)
            # TLS is not spoken there, nor plain HTTP on the TLS port.
            r = self.curl(d, "/metrics", port=plain)
            self.assertNotEqual(r.returncode, 0)
            self.assertTrue(closed_without_http_answer(d.port, b"GET /metrics HTTP/1.1\r\n\r\n"))

    def test_check_config_reads_the_tls_files(self):
        def check(body):
            path = os.path.join(self.tmp.name, "check.yml")
            with open(path, "w") as f:
                f.write(body)
            return subprocess.run([ccmond_path(), "--check-config", path], capture_output=True,
                                  text=True)

        r = check(tls_config(*self.pki.server_a))
        self.assertEqual(r.returncode, 0, r.stderr)
        r = check(tls_config(self.pki.server_a[0], os.path.join(self.tmp.name, "missing.key")))
        self.assertEqual(r.returncode, 1)
        self.assertIn("server.tls.key_file: cannot read", r.stderr)
        r = check(tls_config(self.pki.server_b[0], self.pki.server_a[1]))
        self.assertEqual(r.returncode, 1)
        self.assertIn("server.tls.key_file", r.stderr)
        r = check(f"server:\n  tls:\n    cert_file: {self.pki.server_a[0]}\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("cert_file and key_file go together", r.stderr)


PROMETHEUS = shutil.which("prometheus") or (
    "/usr/bin/prometheus" if os.access("/usr/bin/prometheus", os.X_OK) else None)


@unittest.skipUnless(OPENSSL and PROMETHEUS, "openssl and prometheus (Debian packages) needed")
class PrometheusOverTlsTest(unittest.TestCase):
    def test_prometheus_scrapes_metrics_over_https_with_its_ca_file(self):
        from alerting_stack import Child, PromApi, free_port, write_yaml

        with tempfile.TemporaryDirectory(prefix="ccmond-tls-prom-") as tmp:
            pki = Pki(tmp)
            ctx = ssl.create_default_context(cafile=pki.ca[0])
            with Daemon(tls_config(*pki.server_a), ssl_context=ctx) as d:
                port = free_port()
                config = os.path.join(tmp, "prometheus.yml")
                write_yaml(config, {
                    "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
                    "scrape_configs": [{
                        "job_name": "ccmon", "scheme": "https",
                        "tls_config": {"ca_file": pki.ca[0]},
                        "static_configs": [{"targets": [f"127.0.0.1:{d.port}"]}],
                    }],
                })
                prom = Child("prometheus", [
                    PROMETHEUS, f"--config.file={config}",
                    f"--storage.tsdb.path={os.path.join(tmp, 'data')}",
                    f"--web.listen-address=127.0.0.1:{port}"],
                    os.path.join(tmp, "prometheus.log"), f"http://127.0.0.1:{port}/-/ready")
                try:
                    api = PromApi(f"http://127.0.0.1:{port}")

                    def scraped():
                        result = api.vector('ccmon_build_info{job="ccmon"}')
                        return result and result[0]["value"][1] == "1"

                    poll(scraped, timeout=60, interval=0.2, what="a scrape over HTTPS")
                    up = api.vector('up{job="ccmon"}')
                    self.assertEqual(up[0]["value"][1], "1", up)
                finally:
                    prom.stop()
                self.assertEqual(handshake_failures(d, "server_certificate"), 0)
                self.assertEqual(handshake_failures(d, "other"), 0)


if __name__ == "__main__":
    unittest.main()
