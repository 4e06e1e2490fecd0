"""POST /v1/events and the daemon's own counters, over real sockets (curl)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from ccmond import Daemon, metric, poll  # noqa: E402
from events import answered, event, queued  # noqa: E402

CONFIG = """
server:
  limits:
    max_body_size: 64KiB
    header_timeout: 1s
    idle_timeout: 2s
  auth:
    ingest_tokens: [ingest-secret]
    metrics_tokens: [metrics-secret]
"""
ING = "ingest-secret"
MET = "metrics-secret"


def curl(daemon, *args, data=None):
    """Runs curl against the daemon; returns (status, body)."""
    cmd = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", *args]
    out = subprocess.run(cmd, input=data, capture_output=True, check=True).stdout
    body, _, code = out.rpartition(b"\n")
    return int(code), body


class HttpIngestTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(CONFIG)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def post(self, body, content_type="application/x-ndjson", token=ING):
        args = [f"{self.d.base}/v1/events", "-X", "POST", "-H", f"Content-Type: {content_type}",
                "--data-binary", "@-"]
        if token:
            args += ["-H", f"Authorization: Bearer {token}"]
        status, out = curl(self.d, *args, data=body if isinstance(body, bytes) else body.encode())
        return status, json.loads(out) if out else None

    def counters(self):
        return self.d.metrics(token=MET)

    def delta(self, before, after, name, **labels):
        return (metric(after, name, **labels) or 0) - (metric(before, name, **labels) or 0)

    def test_single_object_array_and_ndjson(self):
        before = self.counters()
        status, r = self.post(json.dumps(queued("c1")), "application/json")
        self.assertEqual((status, r["accepted"], r["duplicates"], r["rejected"]), (200, 1, 0, []))
        status, r = self.post(json.dumps([queued("c2"), queued("c3")]), "application/json")
        self.assertEqual((status, r["accepted"]), (200, 2))
        nd = "\n".join(json.dumps(e) for e in [queued("c4"), queued("c5"), answered("c4")]) + "\n"
        status, r = self.post(nd)
        self.assertEqual((status, r["accepted"]), (200, 3))
        after = self.counters()
        # 1 + 2 + 2 contact.queued, 1 contact.answered, all over HTTP.
        self.assertEqual(self.delta(before, after, "ccmon_events_accepted_total",
                                    type="contact.queued"), 5)
        self.assertEqual(self.delta(before, after, "ccmon_events_accepted_total",
                                    type="contact.answered"), 1)
        self.assertEqual(self.delta(before, after, "ccmon_events_received_total",
                                    transport="http"), 6)

    def test_mixed_valid_and_invalid_reported_by_index(self):
        before = self.counters()
        lines = [
            json.dumps(queued("m1")),                                      # 0 ok
            "{not json",                                                   # 1 invalid_json
            json.dumps(event("survey.answered", csat=9)),                  # 2 out_of_range
            json.dumps(event("contact.teleported", contact="m1")),         # 3 unknown_type
            json.dumps(queued("m2", channel="pigeon")),                    # 4 unknown_channel
            json.dumps({"type": "contact.queued", "time": 1}),             # 5 missing_field (id)
            json.dumps(queued("m3")),                                      # 6 ok
            json.dumps(event("contact.queued", t=4102444800, contact="x",  # 7 future_time (2100)
                             queue="q", channel="voice")),
            json.dumps(event("case.resolved", case="k", contacts="one")),  # 8 wrong_type
        ]
        status, r = self.post("\n".join(lines))
        self.assertEqual(status, 200)
        self.assertEqual(r["accepted"], 2)
        got = [(x["index"], x["reason"]) for x in r["rejected"]]
        self.assertEqual(got, [(1, "invalid_json"), (2, "out_of_range"), (3, "unknown_type"),
                               (4, "unknown_channel"), (5, "missing_field"), (7, "future_time"),
                               (8, "wrong_type")])
        self.assertIn("csat", r["rejected"][1]["message"])
        self.assertIn("channel", r["rejected"][3]["message"])
        self.assertIn("id", r["rejected"][4]["message"])
        after = self.counters()
        for reason in ["invalid_json", "out_of_range", "unknown_type", "unknown_channel",
                       "missing_field", "future_time", "wrong_type"]:
            self.assertEqual(self.delta(before, after, "ccmon_events_rejected_total",
                                        reason=reason), 1, reason)
        self.assertEqual(self.delta(before, after, "ccmon_events_accepted_total",
                                    type="contact.queued"), 2)

    def test_unreadable_bodies(self):
        status, r = self.post("[{\"id\": ", "application/json")
        self.assertEqual((status, r["error"]), (400, "invalid_json"))
        status, r = self.post(b'{"id": "\xff\xfe", "type": "x", "time": 1}', "application/json")
        self.assertEqual(status, 400)
        self.assertEqual(r["error"], "invalid_utf8")
        # In NDJSON a bad line is one rejected event; the good line is kept.
        body = b'{"id": "\xc3\x28"}\n' + json.dumps(queued("u1")).encode()
        status, r = self.post(body)
        self.assertEqual((status, r["accepted"]), (200, 1))
        self.assertEqual(r["rejected"][0]["reason"], "invalid_utf8")

    def test_wrong_content_type(self):
        status, r = self.post(json.dumps(queued("w1")), "text/plain")
        self.assertEqual((status, r["error"]), (415, "unsupported_media_type"))

    def test_oversized_body(self):
        before = self.counters()
        big = "\n".join(json.dumps(queued(f"big{i}")) for i in range(2000))  # > 64 KiB
        self.assertGreater(len(big), 64 * 1024)
        status, r = self.post(big)
        self.assertEqual((status, r["error"]), (413, "too_large"))
        after = self.counters()
        self.assertEqual(self.delta(before, after, "ccmon_requests_rejected_total",
                                    reason="body_too_large"), 1)
        self.assertEqual(self.delta(before, after, "ccmon_events_received_total",
                                    transport="http"), 0)
        self.assertEqual(self.d.status("/-/healthy"), 200)

    def test_tokens(self):
        status, r = self.post(json.dumps(queued("t1")), token=None)
        self.assertEqual((status, r["error"]), (401, "unauthorized"))
        status, _ = self.post(json.dumps(queued("t2")), token="wrong")
        self.assertEqual(status, 401)
        # A valid token of another role: 403 (RFC 9110 §15.5.4), not 401.
        status, r = self.post(json.dumps(queued("t3")), token=MET)  # metrics token cannot ingest
        self.assertEqual((status, r["error"]), (403, "forbidden"))
        status, _ = curl(self.d, f"{self.d.base}/metrics")
        self.assertEqual(status, 401)
        status, _ = curl(self.d, f"{self.d.base}/metrics", "-H", f"Authorization: Bearer {ING}")
        self.assertEqual(status, 403)
        status, body = curl(self.d, f"{self.d.base}/metrics", "-H",
                            f"Authorization: Bearer {MET}")
        self.assertEqual(status, 200)
        self.assertIn(b"ccmon_build_info", body)

    def test_duplicates_are_acknowledged_and_ignored(self):
        before = self.counters()
        events = [queued("d1", id="dup-1"), queued("d2", id="dup-2")]
        status, r = self.post("\n".join(json.dumps(e) for e in events))
        self.assertEqual((r["accepted"], r["duplicates"]), (2, 0))
        events.append(queued("d3", id="dup-3"))
        status, r = self.post("\n".join(json.dumps(e) for e in events))
        self.assertEqual((status, r["accepted"], r["duplicates"]), (200, 1, 2))
        after = self.counters()
        self.assertEqual(self.delta(before, after, "ccmon_events_duplicate_total"), 2)
        self.assertEqual(self.delta(before, after, "ccmon_events_accepted_total",
                                    type="contact.queued"), 3)

    def test_endpoints_and_errors(self):
        self.assertEqual(self.d.status("/-/healthy"), 200)
        self.assertEqual(self.d.status("/-/ready"), 200)
        status, _, body = self.d.request("GET", "/nope")
        self.assertEqual((status, json.loads(body)["error"]), (404, "not_found"))
        status, headers, _ = self.d.request("GET", "/v1/events")
        self.assertEqual((status, headers.get("Allow")), (405, "POST"))
        status, _, body = self.d.request("GET", "/v1/stream")
        self.assertEqual(status, 426)
        status, _, body = self.d.request("GET", "/v1/kpis?window=7m",
                                         headers={"Authorization": f"Bearer {MET}"})
        self.assertEqual((status, json.loads(body)["error"]), (400, "unknown_window"))
        self.assertEqual(self.d.kpis("?window=5m", token=MET)["windows"], ["5m"])

    def raw_exchange(self, request):
        """Sends raw bytes; returns the status line of the answer."""
        with socket.create_connection((self.d.host, self.d.port)) as s:
            s.sendall(request)
            s.settimeout(30)
            answer = b""
            while b"\r\n" not in answer:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
        return answer.split(b"\r\n")[0]

    def test_refusals_before_routing_are_counted(self):
        # Headers over 16 KiB (431) and requests that are not HTTP (400) are
        # answered and counted like every other refusal.
        before = self.counters()
        big = b"GET /-/healthy HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
        self.assertEqual(self.raw_exchange(big), b"HTTP/1.1 431 Request Header Fields Too Large")
        self.assertEqual(self.raw_exchange(b"HELLO / HTTP/9\r\n\r\n"), b"HTTP/1.1 400 Bad Request")
        status, _ = curl(self.d, f"{self.d.base}/nope")
        self.assertEqual(status, 404)
        after = self.counters()
        for reason in ["headers_too_large", "malformed_request", "not_found"]:
            self.assertEqual(self.delta(before, after, "ccmon_requests_rejected_total",
                                        reason=reason), 1, reason)

    def test_slow_client_that_never_finishes_its_request(self):
        before = self.counters()
        with socket.create_connection((self.d.host, self.d.port)) as s:
            s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Len")
            s.settimeout(30)
            self.assertEqual(s.recv(1), b"")  # the daemon closes it (header_timeout 1s)
        # The deadline's timer closes the socket, then the session's handler
        # counts the timeout: the client may see the close first.
        def timeouts():
            return self.delta(before, self.counters(), "ccmon_requests_rejected_total",
                              reason="timeout")

        poll(lambda: timeouts() >= 1, what="the timeout to be counted")
        self.assertEqual(timeouts(), 1)
        self.assertEqual(self.d.status("/-/healthy"), 200)

    def test_client_that_stops_reading(self):
        # Pipelines many scrapes and never reads the answers: the daemon's
        # writes stall, time out (idle_timeout 2s) and it drops the connection
        # while serving everyone else.
        s = socket.create_connection((self.d.host, self.d.port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        request = (f"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {MET}\r\n\r\n"
                   .encode())
        s.setblocking(False)
        sent = 0
        try:
            for _ in range(20000):
                sent += s.send(request)
        except BlockingIOError:
            pass
        self.assertGreater(sent, 0)
        self.assertEqual(self.d.status("/-/healthy"), 200)
        status, r = self.post(json.dumps(queued("sr1")))
        self.assertEqual((status, r["accepted"]), (200, 1))

        def closed():
            try:
                while True:
                    chunk = s.recv(65536)
                    if chunk == b"":
                        return True
            except BlockingIOError:
                return False
            except ConnectionResetError:
                return True
        poll(closed, timeout=60, interval=0.05, what="the stalled connection to be dropped")
        s.close()

    @unittest.skipUnless(shutil.which("promtool"), "promtool (Debian package prometheus) absent")
    def test_metrics_pass_promtool(self):
        self.post("\n".join(json.dumps(e) for e in [queued("p1"), answered("p1")]))
        text = self.d.metrics_text(token=MET)
        res = subprocess.run(["promtool", "check", "metrics"], input=text.encode(),
                             capture_output=True)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(res.stdout + res.stderr, b"")


class LargeBodyTest(unittest.TestCase):
    """A body of more than 500 lines reaches the engine in parts
    (docs/ingestion.md, "Large bodies"): one answer, indices from the body's
    first line, duplicates found across parts, a resend counted once."""

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon("")

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def post(self, body):
        status, out = curl(self.d, f"{self.d.base}/v1/events", "-X", "POST",
                           "-H", "Content-Type: application/x-ndjson", "--data-binary", "@-",
                           data=body.encode())
        return status, json.loads(out)

    def test_a_body_of_1200_lines(self):
        lines = [json.dumps(queued(f"big-c{i}", id=f"big-{i}")) for i in range(1200)]
        lines[5] = "{oops"  # part 1
        lines[700] = lines[10]  # part 2 repeats an event of part 1
        lines[1100] = lines[650]  # part 3 repeats one of part 2
        body = "\n".join(lines) + "\n"
        before = self.d.metrics()
        status, r = self.post(body)
        self.assertEqual(status, 200)
        # 1,200 lines: 1 not JSON, 2 repeats, 1,197 new.
        self.assertEqual((r["accepted"], r["duplicates"]), (1197, 2))
        self.assertEqual([(x["index"], x["reason"]) for x in r["rejected"]], [(5, "invalid_json")])
        after = self.d.metrics()

        def delta(name, **labels):
            return (metric(after, name, **labels) or 0) - (metric(before, name, **labels) or 0)

        self.assertEqual(delta("ccmon_events_accepted_total", type="contact.queued"), 1197)
        self.assertEqual(delta("ccmon_events_duplicate_total"), 2)
        self.assertEqual(delta("ccmon_events_rejected_total", reason="invalid_json"), 1)
        self.assertEqual(metric(after, "ccmon_events_in_flight"), 0)
        # Sent again whole, as after a lost answer: nothing counted twice.
        status, r = self.post(body)
        self.assertEqual((status, r["accepted"], r["duplicates"]), (200, 0, 1199))
        again = self.d.metrics()
        self.assertEqual((metric(again, "ccmon_events_accepted_total", type="contact.queued") or 0)
                         - (metric(after, "ccmon_events_accepted_total", type="contact.queued")
                            or 0), 0)

    def test_large_bodies_on_one_connection(self):
        # A large body is read with more room than a request's first bytes
        # get, given back once the connection is idle (server/http_session.hpp).
        # On one connection: a sized body answered before the next request
        # is sent (the idle path), then a chunked body and a small request
        # written in one go (the next request's bytes read beside a body).
        def ndjson(prefix, n):
            return "".join(json.dumps(queued(f"{prefix}{i}", id=f"{prefix}{i}")) + "\n"
                           for i in range(n)).encode()

        sized, chunked, small = ndjson("pl-a", 900), ndjson("pl-b", 800), ndjson("pl-c", 1)
        self.assertGreater(len(sized), 100_000)
        head = b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
        third = len(chunked) // 3
        parts = [chunked[:third], chunked[third:2 * third], chunked[2 * third:]]
        then = (head + b"Transfer-Encoding: chunked\r\n\r\n"
                + b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
                + head + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(small) + small)
        answers, data = [], b""

        def read_answer(s):
            nonlocal data
            while b"\r\n\r\n" not in data:
                data += s.recv(65536)
            header, _, rest = data.partition(b"\r\n\r\n")
            lines = header.split(b"\r\n")
            fields = dict(line.split(b": ", 1) for line in lines[1:])
            length = int(fields[b"Content-Length"])
            while len(rest) < length:
                rest += s.recv(65536)
            answers.append((int(lines[0].split()[1]), json.loads(rest[:length])))
            data = rest[length:]

        with socket.create_connection(("127.0.0.1", self.d.port), timeout=30) as s:
            s.sendall(head + b"Content-Length: %d\r\n\r\n" % len(sized) + sized)
            read_answer(s)
            s.sendall(then)
            read_answer(s)
            read_answer(s)
            self.assertEqual(s.recv(1), b"")  # closed after the last
        self.assertEqual([(status, r["accepted"], r["duplicates"], r["rejected"])
                          for status, r in answers],
                         [(200, 900, 0, []), (200, 800, 0, []), (200, 1, 0, [])])


class HttpLifecycleTest(unittest.TestCase):
    def test_failed_bind_stops_startup(self):
        with Daemon() as d:
            res = subprocess.run([os.environ["CCMOND"], "--listen", f"127.0.0.1:{d.port}",
                                  "--state-dir", ""],
                                 capture_output=True, timeout=30)
            self.assertEqual(res.returncode, 1)
            self.assertIn(b"cannot listen on", res.stderr)

    def test_version_and_help(self):
        res = subprocess.run([os.environ["CCMOND"], "--version"], capture_output=True)
        self.assertEqual(res.returncode, 0)
        self.assertRegex(res.stdout.decode(), r"^ccmond \d+\.\d+\.\d+")
        res = subprocess.run([os.environ["CCMOND"], "--bogus"], capture_output=True)
        self.assertEqual(res.returncode, 2)

    def test_bad_override_stops_with_status_2(self):
        # Checked as the same key in a file would be; the daemon never starts.
        for args, message in [
                (["--log-level", "verbose"],
                 '--log-level: server.log_level: "verbose" is not one of trace, debug'),
                (["--listen", ":9477"], '--listen: server.listen: ":9477" is not HOST:PORT'),
                (["--clock", "sundial"], '--clock: server.clock: "sundial" is not one of')]:
            res = subprocess.run([os.environ["CCMOND"], *args], capture_output=True, timeout=30)
            self.assertEqual(res.returncode, 2, args)
            self.assertIn(message, res.stderr.decode())
            self.assertNotIn(b"listening on", res.stderr)

    def test_reload_keeps_old_config_when_new_is_bad(self):
        auth = "server:\n  auth:\n    admin_tokens: [adm]\n"
        with Daemon(auth + "    ingest_tokens: [one]\n") as d:
            self.assertEqual(d.post_events([queued("r1")], token="one")[0], 200)
            with open(d.config_path, "w") as f:
                f.write(auth + "    ingest_tokens: [two]\n  bogus_key: 1\n")
            # Reloading is the admin tokens' alone.
            for token, expected in [("one", 403), ("nope", 401), (None, 401)]:
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                self.assertEqual(d.request("POST", "/-/reload", headers=headers)[0], expected)
            status, _, body = d.request("POST", "/-/reload",
                                        headers={"Authorization": "Bearer adm"})
            self.assertEqual(status, 500)
            self.assertIn("bogus_key", json.loads(body)["message"])
            self.assertEqual(d.post_events([queued("r2")], token="one")[0], 200)
            # A good file is applied; SIGHUP does the same as /-/reload.
            with open(d.config_path, "w") as f:
                f.write(auth + "    ingest_tokens: [two]\n")
            d.proc.send_signal(__import__("signal").SIGHUP)
            poll(lambda: d.post_events([queued("r3")], token="two")[0] == 200,
                 what="SIGHUP reload to apply the new token")
            self.assertEqual(d.post_events([queued("r4")], token="one")[0], 401)
            m = d.metrics()
            self.assertEqual(metric(m, "ccmon_config_reloads_total", result="failure"), 1)
            self.assertEqual(metric(m, "ccmon_config_reloads_total", result="success"), 1)

    def test_reload_without_admin_tokens(self):
        # No token of any role: anyone may reload. Tokens for other roles
        # but none for admin: nobody may over HTTP (403); SIGHUP still can.
        with Daemon() as d:
            status, _, body = d.request("POST", "/-/reload")
            self.assertEqual((status, json.loads(body)["status"]), (200, "reloaded"))
        with Daemon("server:\n  auth:\n    ingest_tokens: [one]\n") as d:
            status, _, body = d.request("POST", "/-/reload",
                                        headers={"Authorization": "Bearer one"})
            self.assertEqual((status, json.loads(body)["error"]), (403, "forbidden"))
            self.assertEqual(metric(d.metrics(), "ccmon_requests_rejected_total",
                                    reason="forbidden"), 1)
            self.assertEqual(metric(d.metrics(), "ccmon_config_reloads_total",
                                    result="success"), 0)

    def test_sigterm_drains_and_exits_zero(self):
        d = Daemon()
        body = "\n".join(json.dumps(queued(f"s{i}")) for i in range(5000))
        status, r = d.post_events(body)
        self.assertEqual((status, r["accepted"]), (200, 5000))
        self.assertEqual(d.stop(), 0)

    def test_check_config_reports_file_line_column(self):
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
            f.write("kpis:\n  windows: [5m, 7x]\n  day_start_hour: 25\n")
        try:
            res = subprocess.run([os.environ["CCMOND"], "--check-config", f.name],
                                 capture_output=True, timeout=30)
            self.assertEqual(res.returncode, 1)
            err = res.stderr.decode()
            self.assertRegex(err, rf"{f.name}:2:\d+: .*7x")
            self.assertRegex(err, rf"{f.name}:3:\d+: .*day_start_hour")
            example = os.path.join(os.environ["CCMON_SOURCE_DIR"], "config", "ccmon.example.yml")
            res = subprocess.run([os.environ["CCMOND"], "--check-config", example],
                                 capture_output=True, timeout=30)
            self.assertEqual(res.returncode, 0, res.stderr)
        finally:
            os.unlink(f.name)


if __name__ == "__main__":
    unittest.main()
