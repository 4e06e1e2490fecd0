"""Per-role tokens read from files (server.auth.*_token_files), with the real
daemon over real sockets (docs/ingestion.md "Authentication",
docs/configuration.md "Token files"):

- 401 for a missing or unknown token, 403 for a valid token of another role,
  every refusal counted by role and reason;
- a reload reads the files again: a rotated token works at once, and an open
  /v1/stream or /v1/live whose token was revoked is closed with 1008;
- a missing or emptied file refuses the reload and keeps the old tokens; a
  file readable by others is warned about; no token is ever logged.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import unittest

import websockets

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from ccmond import Daemon, ccmond_path, metric, poll  # noqa: E402
from events import queued  # noqa: E402

TOKENS = {  # never written anywhere but the token files
    "ingest": ["ing-a-5f1c", "ing-b-93de"],
    "read": ["viewer-77aa"],
    "admin": ["adm-0c4e"],
}


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 120))


class TokenFilesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ccmon-token-files-")
        self.files = {role: os.path.join(self.tmp.name, f"{role}.tokens") for role in TOKENS}
        for role, tokens in TOKENS.items():
            self.write(role, "# " + role + " tokens\n" + "\n".join(tokens) + "\n")
        config = "server:\n  auth:\n" + "".join(
            f"    {key}_token_files: [{self.files[role]}]\n"
            for role, key in (("ingest", "ingest"), ("read", "metrics"), ("admin", "admin")))
        self.d = Daemon(config, state_dir="")
        self.stream_uri = f"ws://{self.d.host}:{self.d.port}/v1/stream"
        self.live_uri = f"ws://{self.d.host}:{self.d.port}/v1/live"

    def tearDown(self):
        self.d.stop()
        self.tmp.cleanup()

    def write(self, role, text, mode=0o600):
        with open(self.files[role], "w") as f:
            f.write(text)
        os.chmod(self.files[role], mode)

    def get(self, path, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.d.request("GET", path, headers=headers)

    def reload(self, token="adm-0c4e"):
        status, _, body = self.d.request("POST", "/-/reload",
                                         headers={"Authorization": f"Bearer {token}"})
        return status, json.loads(body)

    def auth_rejected(self, role, reason):
        return metric(self.d.metrics("viewer-77aa"), "ccmon_auth_rejected_total", role=role,
                      reason=reason)

    def assert_no_token_logged(self):
        log = self.d.log()
        for tokens in TOKENS.values():
            for t in tokens:
                self.assertNotIn(t, log)

    def test_wallboard_endpoints_need_the_read_role(self):
        # /v1/agents and /v1/intervals (docs/wallboard.md), like /v1/kpis.
        for path in ("/v1/agents", "/v1/intervals"):
            self.assertEqual(self.get(path)[0], 401, path)
            self.assertEqual(self.get(path, "ing-a-5f1c")[0], 403, path)
            self.assertEqual(self.get(path, "viewer-77aa")[0], 200, path)

    def test_401_for_missing_or_unknown_403_for_another_role(self):
        status, r = self.d.post_events([queued("a1")])
        self.assertEqual((status, r["error"]), (401, "unauthorized"))
        status, headers, _ = self.d.request("POST", "/v1/events", "{}",
                                            {"Authorization": "Bearer nope",
                                             "Content-Type": "application/json"})
        self.assertEqual(status, 401)
        self.assertEqual(headers["WWW-Authenticate"],
                         'Bearer realm="ccmon", error="invalid_token"')
        status, r = self.d.post_events([queued("a2")], token="viewer-77aa")
        self.assertEqual((status, r["error"]), (403, "forbidden"))
        self.assertEqual(self.d.post_events([queued("a3")], token="ing-b-93de")[0], 200)

        self.assertEqual(self.get("/metrics")[0], 401)
        self.assertEqual(self.get("/metrics", "ing-a-5f1c")[0], 403)
        self.assertEqual(self.get("/v1/kpis", "adm-0c4e")[0], 403)
        self.assertEqual(self.get("/v1/kpis", "viewer-77aa")[0], 200)
        self.assertEqual(self.reload("ing-a-5f1c")[0], 403)
        self.assertEqual(self.reload("viewer-77aa")[0], 403)
        self.assertEqual(self.reload("nope")[0], 401)
        self.assertEqual(self.reload()[0], 200)

        # Counted by hand from the requests above.
        self.assertEqual(self.auth_rejected("ingest", "missing_token"), 1)
        self.assertEqual(self.auth_rejected("ingest", "unknown_token"), 1)
        self.assertEqual(self.auth_rejected("ingest", "wrong_role"), 1)
        self.assertEqual(self.auth_rejected("read", "missing_token"), 1)
        self.assertEqual(self.auth_rejected("read", "wrong_role"), 2)
        self.assertEqual(self.auth_rejected("admin", "wrong_role"), 2)
        self.assertEqual(self.auth_rejected("admin", "unknown_token"), 1)
        m = self.d.metrics("viewer-77aa")
        self.assertEqual(metric(m, "ccmon_requests_rejected_total", reason="unauthorized"), 4)
        self.assertEqual(metric(m, "ccmon_requests_rejected_total", reason="forbidden"), 5)
        self.assertNotIn("readable by group or others", self.d.log())  # all 0600
        self.assert_no_token_logged()

    def test_rotation_by_reload_closes_revoked_streams(self):
        async def go():
            connect = websockets.connect
            async with connect(self.stream_uri,
                               extra_headers={"Authorization": "Bearer ing-a-5f1c"}) as a, \
                    connect(self.stream_uri,
                            extra_headers={"Authorization": "Bearer ing-b-93de"}) as b, \
                    connect(self.live_uri + "?token=viewer-77aa") as live:
                for ws in (a, b):
                    await ws.send(json.dumps(queued("s1")))
                    self.assertEqual(json.loads(await ws.recv())["seq"], 1)
                self.assertEqual(json.loads(await live.recv())["type"], "state")
                # Rotate: ing-a and the viewer token go, ing-b stays, a new
                # viewer token comes. The 200 means it is in force.
                self.write("ingest", "ing-b-93de\n")
                self.write("read", "viewer-new-1b2c\n")
                status, body = await asyncio.to_thread(self.reload)
                self.assertEqual(status, 200, body)
                closed = {}
                for name, ws in (("stream", a), ("live", live)):
                    try:
                        while True:  # the feed may have updates queued before the close
                            await asyncio.wait_for(ws.recv(), 30)
                    except websockets.ConnectionClosed as e:
                        closed[name] = (e.code, e.reason)
                await b.send(json.dumps(queued("s2")))
                return closed, json.loads(await b.recv())

        closed, reply = run(go())
        self.assertEqual(closed["stream"], (1008, "ingest token no longer accepted"))
        self.assertEqual(closed["live"], (1008, "read token no longer accepted"))
        self.assertEqual((reply["seq"], reply["accepted"]), (2, 1))  # ing-b still streams
        m = self.d.metrics("viewer-new-1b2c")
        self.assertEqual(metric(m, "ccmon_auth_rejected_total", role="ingest", reason="revoked"),
                         1)
        self.assertEqual(metric(m, "ccmon_auth_rejected_total", role="read", reason="revoked"), 1)
        # The old tokens are refused on new requests, the new one works.
        self.assertEqual(self.d.post_events([queued("s3")], token="ing-a-5f1c")[0], 401)
        self.assertEqual(self.get("/metrics", "viewer-77aa")[0], 401)
        poll(lambda: metric(self.d.metrics("viewer-new-1b2c"), "ccmon_connections",
                            transport="websocket") == 0, what="every stream to be gone")
        self.assertNotIn("viewer-new-1b2c", self.d.log())
        self.assert_no_token_logged()

    def test_unusable_token_file_refuses_the_reload(self):
        reloads = lambda result: metric(self.d.metrics("viewer-77aa"),  # noqa: E731
                                        "ccmon_config_reloads_total", result=result)
        os.remove(self.files["ingest"])
        status, body = self.reload()
        self.assertEqual((status, body["error"]), (500, "reload_failed"))
        self.assertIn(self.files["ingest"] + ": cannot open the token file: No such file",
                      body["message"])
        self.write("ingest", "# emptied by a failed rotation\n")
        self.d.proc.send_signal(signal.SIGHUP)  # SIGHUP: the same refusal
        poll(lambda: reloads("failure") == 2, what="the SIGHUP reload to be refused")
        self.assertIn(self.files["ingest"] + ": server.auth.ingest_token_files[0]: holds no token",
                      self.d.log())
        # The running tokens stay in force.
        self.assertEqual(self.d.post_events([queued("u1")], token="ing-a-5f1c")[0], 200)
        self.assertEqual(reloads("success"), 0)
        # Readable by others: reloaded, with a warning naming the file.
        self.write("ingest", "ing-c-aa01\n", mode=0o644)
        self.assertEqual(self.reload()[0], 200)
        self.assertIn(self.files["ingest"] + ": server.auth.ingest_token_files[0]: the token "
                      "file is readable by group or others (mode 0644)", self.d.log())
        self.assertEqual(self.d.post_events([queued("u2")], token="ing-c-aa01")[0], 200)
        self.assertNotIn("ing-c-aa01", self.d.log())
        self.assert_no_token_logged()

    def test_check_config_names_the_file_and_never_a_token(self):
        config = os.path.join(self.tmp.name, "check.yml")
        with open(config, "w") as f:
            f.write("server:\n  auth:\n    ingest_token_files: [ingest.tokens, gone.tokens]\n"
                    "    ingest_tokens: [\"inline secret\"]\n")
        os.chmod(self.files["ingest"], 0o640)
        res = subprocess.run([ccmond_path(), "--check-config", config], capture_output=True,
                             text=True, timeout=60)
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn(os.path.join(self.tmp.name, "gone.tokens") + ": cannot open the token file",
                      res.stderr)
        self.assertIn("warning: " + self.files["ingest"] + ": server.auth.ingest_token_files[0]: "
                      "the token file is readable by group or others (mode 0640)", res.stderr)
        self.assertIn("server.auth.ingest_tokens[0]: a token must be", res.stderr)
        for t in TOKENS["ingest"] + ["inline secret", "secret"]:
            self.assertNotIn(t, res.stderr + res.stdout)


if __name__ == "__main__":
    unittest.main()
