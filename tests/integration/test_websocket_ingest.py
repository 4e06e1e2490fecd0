"""GET /v1/stream with a real WebSocket client (Debian's python3-websockets)."""

import asyncio
import json
import math
import os
import select
import socket
import struct
import sys
import unittest

import websockets

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from ccmond import Daemon, metric, poll  # noqa: E402
from events import event, queued  # noqa: E402

CONFIG = """
server:
  limits:
    max_ws_message_size: 16KiB
    idle_timeout: 2s
"""


def raw_websocket(host, port):
    """A hand-made WebSocket client socket with small buffers (handshake done)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    sock.connect((host, port))
    sock.sendall(b"GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 b"Sec-WebSocket-Version: 13\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def socket_buffer_max(name):
    """The most bytes a TCP socket buffer can grow to (net.ipv4.<name>)."""
    with open(f"/proc/sys/net/ipv4/{name}") as f:
        return int(f.read().split()[2])


def send_until_stalled(sock, frames, step, limit):
    """Sends frames(n, step), the bytes of `step` frames from the n-th, in
    64 KiB writes until the socket stays unwritable for 2 s (the daemon
    stopped reading) or `limit` frames were made. Returns the frames made,
    the bytes made but not sent, and whether it stalled."""
    n, pending = 0, b""
    while n < limit:
        if len(pending) < 65536:
            pending += frames(n, step)
            n += step
            continue
        _, writable, _ = select.select([], [sock], [], 2)
        if not writable:
            return n, pending, True
        pending = pending[sock.send(pending[:65536]):]
    return n, pending, False


def client_frame(payload):
    """A masked text frame; the zero mask key leaves the payload as is."""
    n = len(payload)
    head = bytes([0x81, 0x80 | n]) if n < 126 else bytes([0x81, 0x80 | 126]) + struct.pack("!H", n)
    return head + b"\0\0\0\0" + payload


class FrameReader:
    """Parses the daemon's unmasked frames from a non-blocking socket."""

    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def read(self):
        """The text frames now complete; raises once the daemon closes."""
        try:
            data = self.sock.recv(1 << 20)
            if not data:
                raise ConnectionError("the daemon closed the connection")
            self.buf += data
        except BlockingIOError:
            pass
        out = []
        while len(self.buf) >= 2:
            n, off = self.buf[1] & 0x7F, 2
            if n == 126:
                if len(self.buf) < 4:
                    break
                n, off = struct.unpack("!H", self.buf[2:4])[0], 4
            if len(self.buf) < off + n:
                break
            opcode = self.buf[0] & 0x0F
            if opcode == 0x8:
                raise ConnectionError(f"the daemon closed the stream: {self.buf[off:off + n]!r}")
            if opcode == 0x1:  # text; pings (0x9) are skipped
                out.append(self.buf[off:off + n])
            self.buf = self.buf[off + n:]
        return out


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 120))


class WebSocketIngestTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(CONFIG)
        cls.uri = f"ws://{cls.d.host}:{cls.d.port}/v1/stream"

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def accepted(self, type_="contact.queued"):
        return metric(self.d.metrics(), "ccmon_events_accepted_total", type=type_) or 0

    def test_one_reply_per_frame_in_order(self):
        before = self.accepted()

        async def go():
            async with websockets.connect(self.uri) as ws:
                frames = [json.dumps(queued("w1")),
                          "\n".join(json.dumps(queued(f"w{i}")) for i in range(2, 5)),
                          "{broken",
                          json.dumps(queued("w1b")) + "\n" + json.dumps(event("nope.x"))]
                replies = []
                for f in frames:
                    await ws.send(f)
                    replies.append(json.loads(await ws.recv()))
                return replies
        replies = run(go())
        self.assertEqual([r["seq"] for r in replies], [1, 2, 3, 4])
        self.assertEqual([r["accepted"] for r in replies], [1, 3, 0, 1])
        self.assertEqual(replies[2]["rejected"][0]["reason"], "invalid_json")
        self.assertEqual([(x["index"], x["reason"]) for x in replies[3]["rejected"]],
                         [(1, "unknown_type")])
        self.assertEqual(self.accepted() - before, 5)

    def test_pipelined_frames_keep_order(self):
        before = self.accepted()

        async def go():
            async with websockets.connect(self.uri) as ws:
                for i in range(300):
                    lines = [json.dumps(queued(f"p{i}-{k}")) for k in range(i % 4)]
                    await ws.send("\n".join(lines) if lines else "\n")
                return [json.loads(await ws.recv()) for _ in range(300)]
        replies = run(go())
        self.assertEqual([r["seq"] for r in replies], list(range(1, 301)))
        self.assertEqual([r["accepted"] for r in replies], [i % 4 for i in range(300)])
        # sum(i % 4 for i in range(300)) = 75 * (0 + 1 + 2 + 3) = 450
        self.assertEqual(self.accepted() - before, 450)

    def test_oversized_frame_closes_with_1009(self):
        async def go():
            async with websockets.connect(self.uri, max_size=None) as ws:
                await ws.send("\n".join(json.dumps(queued(f"o{i}")) for i in range(400)))
                try:
                    await ws.recv()
                except websockets.ConnectionClosed as e:
                    return e.code
                return None
        before = metric(self.d.metrics(), "ccmon_requests_rejected_total",
                        reason="body_too_large") or 0
        self.assertEqual(run(go()), 1009)
        after = metric(self.d.metrics(), "ccmon_requests_rejected_total", reason="body_too_large")
        self.assertEqual(after - before, 1)
        self.assertEqual(self.d.status("/-/healthy"), 200)

    def test_reconnect_and_resend_loses_nothing_and_counts_once(self):
        frames = [json.dumps(queued(f"rc{i}", id=f"rc-{i}")) for i in range(20)]
        before = self.accepted()
        dup_before = metric(self.d.metrics(), "ccmon_events_duplicate_total") or 0

        async def first():
            ws = await websockets.connect(self.uri)
            for f in frames[:12]:
                await ws.send(f)
            acked = [json.loads(await ws.recv()) for _ in range(5)]
            ws.transport.abort()  # connection lost before the other acks were read
            return acked

        async def second(unacked):
            async with websockets.connect(self.uri) as ws:
                for f in unacked:
                    await ws.send(f)
                return [json.loads(await ws.recv()) for _ in unacked]
        acked = run(first())
        self.assertEqual([a["seq"] for a in acked], [1, 2, 3, 4, 5])
        replies = run(second(frames[5:]))  # resend everything not acknowledged
        self.assertEqual(len(replies), 15)
        self.assertEqual(sum(r["accepted"] + r["duplicates"] for r in replies), 15)
        # Every event counted exactly once, whatever the first connection got
        # through before it died.
        poll(lambda: self.accepted() - before == 20, what="20 distinct events accepted")
        dups = (metric(self.d.metrics(), "ccmon_events_duplicate_total") or 0) - dup_before
        self.assertEqual(dups, sum(r["duplicates"] for r in replies))

    def test_bad_handshake_is_refused_and_counted(self):
        # An upgrade without Sec-WebSocket-Key: Beast answers 400, and the
        # refusal is counted as for a malformed HTTP request.
        before = metric(self.d.metrics(), "ccmon_requests_rejected_total",
                        reason="malformed_request") or 0
        with socket.create_connection((self.d.host, self.d.port)) as s:
            s.sendall(b"GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                      b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")
            s.settimeout(30)
            self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 400"))
        poll(lambda: metric(self.d.metrics(), "ccmon_requests_rejected_total",
                            reason="malformed_request") == before + 1,
             what="the refused handshake to be counted")

    def test_idle_client_without_pong_is_dropped(self):
        # A raw client completes the handshake and then never answers pings.
        key = "dGhlIHNhbXBsZSBub25jZQ=="
        s = socket.create_connection((self.d.host, self.d.port))
        s.sendall((f"GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                   f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
        s.settimeout(30)
        self.assertIn(b"101", s.recv(4096).split(b"\r\n")[0])
        got_ping = False
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            got_ping |= chunk[0] & 0x0F == 0x9  # opcode 9: ping
        s.close()
        self.assertTrue(got_ping, "the daemon pings an idle client")

    def test_live_client_answering_pings_stays_connected(self):
        async def go():
            async with websockets.connect(self.uri, ping_interval=None) as ws:
                # Silence for longer than idle_timeout (2s): the library
                # answers the daemon's pings, so the connection survives.
                try:
                    await asyncio.wait_for(ws.recv(), 5)
                except asyncio.TimeoutError:
                    pass
                await ws.send(json.dumps(queued("alive")))
                return json.loads(await ws.recv())
        reply = run(go())
        self.assertEqual(reply["accepted"], 1)


RELOAD_CONFIG = """
server:
  limits:
    max_ws_message_size: 64KiB
  auth:
    ingest_tokens: [one, two]
    admin_tokens: [adm]
ingest:
  channels: [voice]
"""


class ReloadReachesOpenStreamsTest(unittest.TestCase):
    """What a reload changes for a stream that is already open (docs/ingestion.md)."""

    def setUp(self):
        self.d = Daemon(RELOAD_CONFIG)
        self.uri = f"ws://{self.d.host}:{self.d.port}/v1/stream"

    def tearDown(self):
        self.d.stop()

    def connect(self, token):
        return websockets.connect(self.uri, extra_headers={"Authorization": f"Bearer {token}"},
                                  max_size=None)

    def reload(self, config):
        with open(self.d.config_path, "w") as f:
            f.write(config)
        status, _, body = self.d.request("POST", "/-/reload",
                                         headers={"Authorization": "Bearer adm"})
        self.assertEqual(status, 200, body)

    async def reload_async(self, config):
        # The 200 comes once the new configuration is in force everywhere.
        await asyncio.get_running_loop().run_in_executor(None, self.reload, config)

    def test_next_frame_uses_the_new_channels_and_limits(self):
        reloaded = RELOAD_CONFIG.replace("64KiB", "1KiB").replace("[voice]", "[voice, video]")

        async def go():
            async with self.connect("one") as ws:
                await ws.send(json.dumps(queued("v1", channel="video")))
                before = json.loads(await ws.recv())
                await self.reload_async(reloaded)
                await ws.send(json.dumps(queued("v2", channel="video")))
                after = json.loads(await ws.recv())
                # 30 events of ~110 bytes: over the new 1 KiB, under the old 64 KiB.
                await ws.send("\n".join(json.dumps(queued(f"v3-{i}")) for i in range(30)))
                try:
                    await ws.recv()
                except websockets.ConnectionClosed as e:
                    return before, after, e.code
                return before, after, None
        before, after, code = run(go())
        self.assertEqual([x["reason"] for x in before["rejected"]], ["unknown_channel"])
        self.assertEqual((after["seq"], after["accepted"], after["rejected"]), (2, 1, []))
        self.assertEqual(code, 1009)

    def test_a_revoked_token_closes_its_stream_with_1008(self):
        async def go():
            async with self.connect("one") as a, self.connect("two") as b:
                for ws in (a, b):
                    await ws.send(json.dumps(queued("r")))
                    self.assertEqual(json.loads(await ws.recv())["seq"], 1)
                await self.reload_async(RELOAD_CONFIG.replace("[one, two]", "[two]"))
                # `a` sends nothing more: the daemon closes it on its own.
                try:
                    await asyncio.wait_for(a.recv(), 30)
                    code = None
                except websockets.ConnectionClosed as e:
                    code = e.code
                await b.send(json.dumps(queued("r2")))
                return code, json.loads(await b.recv())
        code, reply = run(go())
        self.assertEqual(code, 1008)  # policy violation
        self.assertEqual((reply["seq"], reply["accepted"]), (2, 1))  # `two` still streams
        m = self.d.metrics()
        self.assertEqual(metric(m, "ccmon_requests_rejected_total", reason="unauthorized"), 1)
        poll(lambda: metric(self.d.metrics(), "ccmon_connections", transport="websocket") == 0,
             what="both streams to be gone")


class BackpressureTest(unittest.TestCase):
    def setUp(self):
        # A long idle timeout: the test stalls on purpose for seconds. No
        # state directory: tens of thousands of one-event frames are about
        # backpressure, not about waiting for fsync (docs/ingestion.md,
        # "Acknowledgements").
        self.d = Daemon("server:\n  limits:\n    idle_timeout: 60s\n", state_dir="")

    def tearDown(self):
        self.d.stop()

    def accepted(self, type_="contact.queued"):
        return metric(self.d.metrics(), "ccmon_events_accepted_total", type=type_) or 0

    def test_client_that_stops_reading_is_backpressured(self):
        # A raw client (small socket buffers) sends one-event frames and reads
        # nothing: the daemon answers up to its outstanding-frame cap, then
        # stops reading, so the sender stalls. Each reply is some 50 bytes,
        # so the cap of 1,024 frames comes long before the 1 MiB of unsent
        # replies (docs/security.md). The stall comes once the replies and
        # the frames fill the kernel's buffers (some 70,000 frames here);
        # frames are made as they are sent, up to a limit the stall must
        # come before: 1.5 times what the largest buffers hold (the maxima
        # of net.ipv4.tcp_wmem and tcp_rmem). Then the client sends 1,000
        # more while it reads everything: every frame is answered in order
        # and counted once. Then it stops reading again: a second pause.
        def frame(i):
            return client_frame(json.dumps(queued(f"bp{i}", id=f"bp-{i}")).encode())

        def frames(first, k):
            return b"".join(frame(i) for i in range(first, first + k))

        limit = max(400_000, math.ceil(1.5 * (socket_buffer_max("tcp_wmem") / 50
                                              + socket_buffer_max("tcp_rmem") / len(frame(0)))))
        before = self.accepted()
        sock = raw_websocket(self.d.host, self.d.port)
        sock.setblocking(False)
        n, pending, stalled = send_until_stalled(sock, frames, 1000, limit)
        self.assertTrue(stalled, f"the sender should stall while nobody reads replies "
                        f"({limit} frames made)")
        # Stopped, not slow: with frames waiting in its socket, the daemon
        # takes none in while the sender stays stalled 2 s more.
        received = metric(self.d.metrics(), "ccmon_events_received_total", transport="websocket")
        _, writable, _ = select.select([], [sock], [], 2)
        self.assertFalse(writable, "the sender should stay stalled")
        self.assertEqual(
            metric(self.d.metrics(), "ccmon_events_received_total", transport="websocket"),
            received, "the daemon should read no frame while its replies are not read")
        self.assertEqual(self.d.status("/-/healthy"), 200)
        # The frame bound stopped it, not the one on reply bytes.
        m = self.d.metrics()
        self.assertGreaterEqual(
            metric(m, "ccmon_websocket_reads_paused_total", reason="unanswered_frames"), 1)
        self.assertEqual(metric(m, "ccmon_websocket_reads_paused_total", reason="unsent_replies"),
                         0)
        # Now read every reply while sending the rest and 1,000 more.
        pending += frames(n, 1000)
        n += 1000
        reader = FrameReader(sock)
        replies = []
        while len(replies) < n:
            want_write = [sock] if pending else []
            readable, writable, _ = select.select([sock], want_write, [], 30)
            self.assertTrue(readable or writable, "the daemon stopped answering")
            if writable:
                pending = pending[sock.send(pending[:65536]):]
            if readable:
                replies.extend(json.loads(p) for p in reader.read())
        self.assertEqual([r["seq"] for r in replies], list(range(1, n + 1)))
        self.assertEqual(sum(r["accepted"] for r in replies), n)
        self.assertEqual(self.accepted() - before, n)
        # Reading the replies ended the pause: when the client stops reading
        # again, the same connection pauses again, and that pause counts too.
        paused = metric(self.d.metrics(), "ccmon_websocket_reads_paused_total",
                        reason="unanswered_frames")
        _, _, stalled = send_until_stalled(sock, lambda first, k: frames(n + first, k), 1000,
                                           limit)
        self.assertTrue(stalled, f"the sender should stall again ({limit} frames made)")
        # Polled: a stall of 2 s could also be a busy machine, before the pause.
        poll(lambda: metric(self.d.metrics(), "ccmon_websocket_reads_paused_total",
                            reason="unanswered_frames") > paused,
             timeout=30, what="the second stall to count a second pause")
        sock.close()

    def test_large_unread_replies_pause_reading_at_their_byte_bound(self):
        # Frames of 100 lines that are not events: each reply lists 100
        # rejections (some 8 kB), so the 1 MiB bound on unsent replies comes
        # after some 130 frames, long before 1,024 (docs/security.md). The
        # sender stalls once the kernel's buffers are full of frames too.
        frame = client_frame(b"\n".join(b"[]" for _ in range(100)))
        limit = max(100_000, math.ceil(1.5 * (socket_buffer_max("tcp_wmem") / 8000
                                              + socket_buffer_max("tcp_rmem") / len(frame))))
        sock = raw_websocket(self.d.host, self.d.port)
        sock.setblocking(False)
        _, _, stalled = send_until_stalled(sock, lambda first, k: frame * k, 100, limit)
        self.assertTrue(stalled, f"the sender should stall ({limit} frames made)")
        m = self.d.metrics()
        self.assertGreaterEqual(
            metric(m, "ccmon_websocket_reads_paused_total", reason="unsent_replies"), 1)
        self.assertEqual(
            metric(m, "ccmon_websocket_reads_paused_total", reason="unanswered_frames"), 0)
        self.assertEqual(self.d.status("/-/healthy"), 200)
        sock.close()


class OverloadTest(unittest.TestCase):
    def test_http_503_with_retry_after_and_nothing_accepted_is_lost(self):
        # A tiny in-flight budget and concurrent senders: some requests must
        # be refused with 503, and every 200 is counted exactly.
        with Daemon("server:\n  limits:\n    max_events_in_flight: 10\n") as d:
            import concurrent.futures

            def send(k):
                body = "\n".join(json.dumps(queued(f"ov{k}-{i}", id=f"ov-{k}-{i}"))
                                 for i in range(2000))
                status, headers, data = d.request(
                    "POST", "/v1/events", body, {"Content-Type": "application/x-ndjson"})
                return status, headers.get("Retry-After"), json.loads(data)
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                results = list(pool.map(send, range(80)))
            ok = [r for r in results if r[0] == 200]
            refused = [r for r in results if r[0] == 503]
            self.assertEqual(len(ok) + len(refused), 80)
            self.assertGreater(len(refused), 0)
            self.assertTrue(all(r[1] == "1" and r[2]["error"] == "overloaded" for r in refused))
            accepted = sum(r[2]["accepted"] for r in ok)
            self.assertEqual(accepted, 2000 * len(ok))
            m = d.metrics()
            self.assertEqual(metric(m, "ccmon_events_accepted_total", type="contact.queued"),
                             accepted)
            self.assertEqual(metric(m, "ccmon_requests_rejected_total", reason="overloaded"),
                             len(refused))


if __name__ == "__main__":
    unittest.main()
