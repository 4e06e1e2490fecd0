"""server.limits.message_timeout: a WebSocket message must arrive whole within
it of its first bytes (docs/security.md, "Connections"), on /v1/stream and
/v1/live, whatever the pace of its bytes. Raw sockets, so that one frame can
be trickled a byte at a time."""

import json
import os
import select
import socket
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from ccmond import Daemon, metric, poll  # noqa: E402
from events import queued  # noqa: E402

# idle_timeout far above the trickle: only message_timeout can close it.
CONFIG = """
server:
  limits:
    message_timeout: 1s
    idle_timeout: 60s
"""

TRICKLE_INTERVAL = 0.2  # seconds between two bytes of the slow message
# The deadline is 1 s from the first payload byte; closing takes a round trip
# on loopback. The margin is for a loaded machine (sanitizer builds).
CLOSE_WITHIN = 1.0 + 2.0


def connect(host, port, path):
    """A raw WebSocket client socket, handshake done."""
    sock = socket.create_connection((host, port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 "Sec-WebSocket-Version: 13\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def frame_header(n, fin=True):
    """A masked text frame's header announcing n payload bytes; the zero mask
    key leaves the payload as is."""
    first = 0x81 if fin else 0x01
    if n < 126:
        return bytes([first, 0x80 | n]) + b"\0\0\0\0"
    return bytes([first, 0x80 | 126]) + struct.pack("!H", n) + b"\0\0\0\0"


class Frames:
    """The daemon's (unmasked) frames on a socket: (opcode, payload)."""

    def __init__(self, sock):
        self.sock, self.buf, self.eof = sock, b"", False

    def _parse(self):
        out = []
        while len(self.buf) >= 2:
            n, off = self.buf[1] & 0x7F, 2
            if n >= 126:  # a 16- or 64-bit length follows
                fmt, off = ("!H", 4) if n == 126 else ("!Q", 10)
                if len(self.buf) < off:
                    break
                n = struct.unpack(fmt, self.buf[2:off])[0]
            if len(self.buf) < off + n:
                break
            out.append((self.buf[0] & 0x0F, self.buf[off:off + n]))
            self.buf = self.buf[off + n:]
        return out

    def read(self, timeout):
        """Frames that arrive within timeout seconds (at least one read)."""
        if not self.eof and select.select([self.sock], [], [], timeout)[0]:
            chunk = self.sock.recv(1 << 20)
            self.eof = not chunk
            self.buf += chunk
        return self._parse()

    def next_text(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for op, payload in self.read(0.1):
                if op == 0x1:
                    return payload
        raise AssertionError("no reply frame")


def close_code(payload):
    return struct.unpack("!H", payload[:2])[0], payload[2:].decode()


class MessageDeadlineTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(CONFIG, state_dir="")

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def timeouts(self):
        return metric(self.d.metrics(), "ccmon_requests_rejected_total", reason="timeout") or 0

    def accepted(self):
        return metric(self.d.metrics(), "ccmon_events_accepted_total", type="contact.queued") or 0

    def logged(self, endpoint):
        return self.d.log().count(f"WebSocket {endpoint} from 127.0.0.1: a message not received "
                                  "whole within 1000 ms")

    def trickle_until_closed(self, slow, on_tick=lambda: None):
        """Sends a frame announcing 1000 bytes, then one byte every
        TRICKLE_INTERVAL, until the daemon's close frame comes. Returns (code,
        reason, seconds from the first payload byte to the close)."""
        frames = Frames(slow)
        slow.sendall(frame_header(1000) + b" ")  # the header and the first byte
        start = time.monotonic()
        sent = 1
        while time.monotonic() - start < 30:
            for op, payload in frames.read(TRICKLE_INTERVAL):
                if op == 0x8:
                    return (*close_code(payload), time.monotonic() - start)
            self.assertFalse(frames.eof, "closed without a close frame")
            self.assertLess(sent, 1000, "the whole message went through")
            slow.sendall(b" ")
            sent += 1
            on_tick()
        self.fail("the trickled message was never cut off")

    def test_trickled_stream_message_is_closed_with_1008(self):
        timeouts, accepted, logged = self.timeouts(), self.accepted(), self.logged("/v1/stream")
        honest = connect(self.d.host, self.d.port, "/v1/stream")
        honest_frames = Frames(honest)
        acks = []

        def honest_sends():
            # An honest producer beside the slow one is served meanwhile.
            body = json.dumps(queued(f"dl{len(acks)}")).encode()
            honest.sendall(frame_header(len(body)) + body)
            acks.append(json.loads(honest_frames.next_text()))

        slow = connect(self.d.host, self.d.port, "/v1/stream")
        code, reason, elapsed = self.trickle_until_closed(slow, honest_sends)
        self.assertEqual(code, 1008)  # policy violation
        self.assertIn("message_timeout", reason)
        # Not before the deadline: bytes kept coming every 0.2 s all along.
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(elapsed, CLOSE_WITHIN)
        poll(lambda: self.timeouts() == timeouts + 1, what="the timeout to be counted once")
        poll(lambda: self.logged("/v1/stream") == logged + 1, what="one log line")
        # The honest client sent one frame a tick, each acknowledged in turn.
        self.assertGreaterEqual(len(acks), 3)
        self.assertEqual([a["seq"] for a in acks], list(range(1, len(acks) + 1)))
        self.assertEqual([a["accepted"] for a in acks], [1] * len(acks))
        poll(lambda: self.accepted() - accepted == len(acks), what="the honest events applied")
        # Its stream is still open and served after the slow one is gone.
        honest_sends()
        self.assertEqual(acks[-1]["accepted"], 1)
        # The slow client's connection ends: it need not answer the close.
        slow_frames = Frames(slow)
        poll(lambda: slow_frames.read(0.1) is not None and slow_frames.eof, timeout=15,
             what="the daemon to close the slow client's connection")
        slow.close()
        honest.close()

    def test_trickled_live_message_is_closed_with_1008(self):
        # The wallboard feed only sends, but what a viewer sends is bounded too.
        timeouts, logged = self.timeouts(), self.logged("/v1/live")
        viewer = connect(self.d.host, self.d.port, "/v1/live")
        code, reason, elapsed = self.trickle_until_closed(viewer)
        self.assertEqual(code, 1008)
        self.assertIn("message_timeout", reason)
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(elapsed, CLOSE_WITHIN)
        poll(lambda: self.timeouts() == timeouts + 1, what="the timeout to be counted once")
        poll(lambda: self.logged("/v1/live") == logged + 1, what="one log line")
        viewer.close()

    def test_messages_in_time_are_not_limited_in_total(self):
        # Four messages, each sent in three parts over 0.5 s (under the 1 s
        # deadline), with 1.5 s of silence between the second and the third:
        # 3.5 s in all. Each message starts its own deadline at its first
        # bytes; silence between messages is idle_timeout's (60 s).
        timeouts = self.timeouts()
        sock = connect(self.d.host, self.d.port, "/v1/stream")
        frames = Frames(sock)
        replies = []
        for i in range(4):
            if i == 2:
                time.sleep(1.5)
            body = json.dumps(queued(f"ok{i}")).encode()
            parts = [frame_header(len(body)) + body[:10], body[10:20], body[20:]]
            for k, part in enumerate(parts):
                if k:
                    time.sleep(0.25)
                sock.sendall(part)
            replies.append(json.loads(frames.next_text()))
        self.assertEqual([r["seq"] for r in replies], [1, 2, 3, 4])
        self.assertEqual([r["accepted"] for r in replies], [1, 1, 1, 1])
        self.assertEqual(self.timeouts(), timeouts)
        self.assertFalse(frames.eof)
        sock.close()


if __name__ == "__main__":
    unittest.main()
