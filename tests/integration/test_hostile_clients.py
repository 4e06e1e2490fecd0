"""Hostile clients against the real daemon over loopback (docs/security.md,
"Connections"): throughout each attack the scrape answers within a second,
an honest client (from 127.0.0.2, another address) gets its events
accepted, and the daemon's memory stays bounded.

Sizes: slowloris with 2,000 connections and idle keep-alives up to the
default cap of 1,024 run at the probe's size (this process raises its own
RLIMIT_NOFILE for them). The cardinality flood sends 2,000 distinct queue
names instead of a million: under AddressSanitizer on the shared 2-core
machine, loaded, 10,000 such events took over two minutes and a million
would take hours, and the bound asserted (the scrape's size, folded at
engine.limits.max_queues) is reached after the first 200 names. The burst
is ten times the in-flight budget, with the budget scaled down to 2,000
events (20,000 sent at once). The hash flood sends 100,000 crafted ids on
Release builds (the probe's size) and 20,000 under AddressSanitizer.
"""

import concurrent.futures
import http.client
import json
import os
import resource
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from ccmond import Daemon, ccmond_path, metric, parse_metrics, poll  # noqa: E402
from events import queued  # noqa: E402

HONEST = "127.0.0.2"


def sanitized():
    with open(ccmond_path(), "rb") as f:
        return b"__asan_init" in f.read()


# Seconds: far inside Prometheus's default scrape_timeout of 10 s. Under
# AddressSanitizer (several times slower) on the shared 2-core test machine a
# flood of accepts alone took a scrape to 2 s, so sanitized builds get 5 s; the
# 1 s bound is checked on Release builds.
SCRAPE_DEADLINE = 5.0 if sanitized() else 1.0
# Longer than any attack below takes to set up, so that no connection's
# deadline frees its slot halfway and blurs the counts asserted.
LONG_DEADLINE = "server:\n  limits:\n    header_timeout: 60s\n"


def raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft < want:
        raise unittest.SkipTest(f"RLIMIT_NOFILE hard limit {hard} < {want}")


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def connect(d, source="127.0.0.1", timeout=10):
    return socket.create_connection((d.host, d.port), timeout=timeout,
                                    source_address=(source, 0))


def request(d, method, path, body=None, headers=None, source=HONEST, timeout=10):
    """One request on a new connection from `source`: (status, headers, body),
    or (None, None, None) when the connection was refused or reset."""
    conn = http.client.HTTPConnection(d.host, d.port, timeout=timeout,
                                      source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, dict(res.getheaders()), res.read()
    except (ConnectionError, http.client.RemoteDisconnected, socket.timeout):
        return None, None, None
    finally:
        conn.close()


def timed_scrape(d, source=HONEST):
    """Scrapes /metrics; returns (seconds taken, parsed samples or None)."""
    start = time.monotonic()
    status, _, body = request(d, "GET", "/metrics", source=source, timeout=30)
    took = time.monotonic() - start
    return took, (parse_metrics(body.decode()) if status == 200 else None)


def scrape(d):
    """/metrics from 127.0.0.2 (the attackers' own address may be at its cap)."""
    status, _, body = request(d, "GET", "/metrics")
    assert status == 200, status
    return parse_metrics(body.decode())


def honest_post(d, tag, n=5, attempts=50):
    """Posts n events from 127.0.0.2, retrying refusals, 503 and timeouts as a
    real producer would; returns how many the daemon holds: accepted, or
    duplicates of an earlier try whose answer was lost."""
    body = "\n".join(json.dumps(queued(f"{tag}-{i}", id=f"{tag}-{i}")) for i in range(n))
    for _ in range(attempts):
        status, headers, data = request(d, "POST", "/v1/events", body,
                                        {"Content-Type": "application/x-ndjson"}, timeout=60)
        if status == 200:
            reply = json.loads(data)
            return reply["accepted"] + reply.get("duplicates", 0)
        # Retry-After is 1 s; a refused connection is retried as quickly.
        time.sleep(0.2)
    raise AssertionError(f"honest events {tag} never accepted")


class Watch:
    """Scrapes from 127.0.0.2 in a thread while an attack runs: every scrape
    must answer, each within SCRAPE_DEADLINE."""

    def __init__(self, d):
        self.d, self.times, self.failures = d, [], 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            took, samples = timed_scrape(self.d)
            self.times.append(took)
            self.failures += samples is None
            self.stop.wait(0.1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def check(self, test, deadline=SCRAPE_DEADLINE):
        test.assertGreater(len(self.times), 0)
        test.assertEqual(self.failures, 0, "a scrape was refused or failed")
        test.assertLess(max(self.times), deadline, self.times)
        print(f"{len(self.times)} scrapes, slowest {max(self.times) * 1000:.0f} ms",
              file=sys.stderr)


def delta(before, after, name, **labels):
    return (metric(after, name, **labels) or 0) - (metric(before, name, **labels) or 0)


def closed_by_peer(s):
    """True once the daemon has closed `s` (EOF or reset); False while open."""
    s.setblocking(False)
    try:
        return s.recv(4096) == b""
    except BlockingIOError:
        return False
    except ConnectionError:
        return True
    finally:
        s.setblocking(True)


class SlowlorisTest(unittest.TestCase):
    def test_2000_slowloris_connections_from_one_address(self):
        raise_nofile(2400)
        with Daemon(LONG_DEADLINE) as d:
            before = scrape(d)
            rss_before = rss_bytes(d.proc.pid)
            socks = []
            try:
                with Watch(d) as watch:
                    for _ in range(2000):
                        s = connect(d)
                        socks.append(s)
                        try:
                            s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\n")
                        except OSError:
                            pass  # refused already
                    # 128 held (max_connections_per_address), the rest refused.
                    poll(lambda: delta(before, scrape(d), "ccmon_requests_rejected_total",
                                       reason="address_limit") >= 2000 - 128,
                         what="the connections past the address cap to be refused")
                    self.assertEqual(honest_post(d, "loris"), 5)
                    rss_after = rss_bytes(d.proc.pid)
                watch.check(self)
            finally:
                for s in socks:
                    s.close()
            self.assertLess(rss_after - rss_before, 64 * 1024 * 1024, (rss_before, rss_after))

    def test_trickled_headers_cannot_renew_the_deadline(self):
        # header_timeout 2s, idle_timeout 60s: a kept-alive connection that
        # trickles its next request's headers one byte every 0.2 s is closed
        # about 2 s after its first byte. Before, the wait for the next request
        # ran on idle_timeout: held for a minute.
        with Daemon("server:\n  limits:\n    header_timeout: 2s\n    idle_timeout: 60s\n") as d:
            before = scrape(d)
            s = connect(d)
            s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertIn(b" 200 ", s.recv(4096))
            start = time.monotonic()
            closed = False
            for b in b"GET /-/healthy HTTP/1.1\r\nX-Slow: " + b"a" * 200:
                try:
                    s.send(bytes([b]))
                except ConnectionError:
                    closed = True
                    break
                if closed_by_peer(s):
                    closed = True
                    break
                time.sleep(0.2)  # the attacker's pace, not a wait for the daemon
            took = time.monotonic() - start
            s.close()
            self.assertTrue(closed, "the trickling connection was never closed")
            # 2 s deadline; the loop notices within one 0.2 s step (ASan slack).
            self.assertLess(took, 6.0, took)
            poll(lambda: delta(before, scrape(d), "ccmon_requests_rejected_total",
                               reason="timeout") >= 1, what="the timeout to be counted")

    def test_slowloris_from_many_addresses_is_reclaimed(self):
        # 12 addresses x 100 trickling connections, more than max_connections
        # (1,024): each one past the cap closes the one that has been reading
        # its headers the longest, and so do the scrape and the honest
        # producer. Before, the 177th and later were refused, scrape included.
        raise_nofile(1400)
        with Daemon(LONG_DEADLINE) as d:
            before = scrape(d)
            socks = []
            try:
                for a in range(12):
                    for _ in range(100):
                        s = connect(d, source=f"127.0.1.{a + 1}")
                        socks.append(s)
                        try:
                            s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\n")
                        except OSError:
                            pass
                poll(lambda: sum(delta(before, scrape(d), "ccmon_connections_reclaimed_total",
                                       state=state) for state in ("idle", "reading"))
                     >= 1200 - 1024, what="the oldest slow connections to be reclaimed")
                took, samples = timed_scrape(d)
                self.assertIsNotNone(samples, "the scrape did not get through")
                self.assertLess(took, SCRAPE_DEADLINE)
                self.assertEqual(honest_post(d, "many", attempts=1), 5)
                after = scrape(d)
                self.assertGreater(delta(before, after, "ccmon_connections_reclaimed_total",
                                         state="reading"), 0)
                self.assertEqual(delta(before, after, "ccmon_requests_rejected_total",
                                       reason="connection_limit"), 0)
            finally:
                for s in socks:
                    s.close()


class ProbeReserveTest(unittest.TestCase):
    def test_scrape_gets_through_when_every_connection_is_busy(self):
        # 16 WebSocket streams fill max_connections: nothing can be reclaimed.
        # The scrape and the readiness probe get in on the reserve (8); other
        # requests there are answered 503 with Retry-After. Before, refused.
        config = "server:\n  limits:\n    max_connections: 16\n"
        with Daemon(config) as d:
            before = scrape(d)
            streams = []
            try:
                for _ in range(16):
                    s = connect(d)
                    s.sendall(b"GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                              b"Connection: Upgrade\r\n"
                              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              b"Sec-WebSocket-Version: 13\r\n\r\n")
                    self.assertIn(b" 101 ", s.recv(4096))
                    streams.append(s)
                for _ in range(5):
                    took, samples = timed_scrape(d)
                    self.assertIsNotNone(samples, "the scrape did not get through")
                    self.assertLess(took, SCRAPE_DEADLINE)
                    self.assertEqual(request(d, "GET", "/-/ready")[0], 200)
                status, headers, body = request(d, "POST", "/v1/events", "x",
                                                {"Content-Type": "application/x-ndjson"})
                self.assertEqual(status, 503)
                self.assertEqual(headers.get("Retry-After"), "1")
                self.assertEqual(json.loads(body)["error"], "connection_limit")
                self.assertEqual(delta(before, scrape(d), "ccmon_requests_rejected_total",
                                       reason="connection_limit"), 1)
                # The streams themselves were never reclaimed.
                self.assertFalse(any(closed_by_peer(s) for s in streams))
            finally:
                for s in streams:
                    s.close()


class IdleKeepAliveTest(unittest.TestCase):
    def open_idle(self, d, source, n):
        out = []
        for _ in range(n):
            try:
                s = connect(d, source=source)
                s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
                if b" 200 " in s.recv(4096):
                    out.append(s)  # answered, kept alive, now idle
                else:
                    s.close()
            except ConnectionError:
                pass
        return out

    def test_idle_keepalives_up_to_the_cap(self):
        # The probe's case: 1,024 idle keep-alives from one address left 0 of
        # 20 honest requests served. Then 8 addresses fill the whole cap with
        # idle ones: the oldest are reclaimed for the honest requests.
        raise_nofile(2400)
        with Daemon() as d:
            before = scrape(d)
            socks = []
            try:
                self.idle_keepalives(d, before, socks)
            finally:
                for s in socks:
                    s.close()

    def idle_keepalives(self, d, before, socks):
        socks += self.open_idle(d, "127.0.0.1", 1024)
        self.assertEqual(len(socks), 128)  # max_connections_per_address
        served = sum(request(d, "GET", "/-/ready")[0] == 200 for _ in range(20))
        self.assertEqual(served, 20)
        for a in range(2, 9):
            socks += self.open_idle(d, f"127.0.2.{a}", 128)
        self.assertEqual(len(socks), 1024)  # the whole cap, all idle
        served = sum(request(d, "GET", "/-/ready")[0] == 200 for _ in range(20))
        self.assertEqual(served, 20)
        self.assertEqual(honest_post(d, "idle", attempts=1), 5)
        after = scrape(d)
        self.assertGreaterEqual(delta(before, after, "ccmon_connections_reclaimed_total",
                                      state="idle"), 1)
        self.assertEqual(delta(before, after, "ccmon_requests_rejected_total",
                               reason="address_limit"), 1024 - 128)
        # The reclaimed ones were closed by the daemon, oldest first: each
        # is one of the 128 from 127.0.0.1, opened before all the others.
        # (Which of those 128 went first is not asserted: the daemon files a
        # connection as idle after writing its answer, and two io threads
        # may finish neighbouring writes in either order.)
        reclaimed = int(delta(before, after, "ccmon_connections_reclaimed_total", state="idle"))
        closed = []

        def reclaimed_closed():
            closed[:] = [i for i, s in enumerate(socks) if closed_by_peer(s)]
            return len(closed) >= reclaimed

        self.assertTrue(poll(reclaimed_closed, timeout=30,
                             what=f"the {reclaimed} reclaimed connections to be closed"))
        self.assertLess(max(closed), 128, f"closed: {closed}")


class FloodTest(unittest.TestCase):
    def test_connection_flood(self):
        # 4 threads open and drop 1,000 connections each as fast as they can,
        # half of them without sending a byte.
        with Daemon() as d:
            rss_before = rss_bytes(d.proc.pid)
            stop = threading.Event()
            opened = [0]

            def flood(k):
                for _ in range(1000):
                    if stop.is_set():
                        return
                    try:
                        s = connect(d, source=f"127.0.3.{k + 1}", timeout=5)
                        if opened[0] % 2:
                            s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
                        s.close()
                        opened[0] += 1
                    except OSError:
                        pass

            with Watch(d) as watch:
                threads = [threading.Thread(target=flood, args=(k,)) for k in range(4)]
                for t in threads:
                    t.start()
                try:
                    for i in range(5):
                        self.assertEqual(honest_post(d, f"flood{i}"), 5)
                    poll(lambda: len(watch.times) >= 3, what="3 scrapes during the flood")
                finally:
                    stop.set()
                    for t in threads:
                        t.join()
            # Every scrape answers, but not within a second: the scrape's
            # connection waits in the kernel's accept queue behind the flood
            # (measured up to 19 s under ASan on the loaded 2-core machine).
            # Known gap, docs/security.md "Not yet": a separate listener for
            # the scrape.
            watch.check(self, deadline=30.0)
            print(f"{opened[0]} connections opened by the flood", file=sys.stderr)
            poll(lambda: metric(scrape(d), "ccmon_connections", transport="http") == 1,
                 what="every flood connection to be closed")  # 1: this scrape
            # AddressSanitizer keeps up to 256 MiB of freed memory in its
            # quarantine (ASAN_OPTIONS quarantine_size_mb): 4,000 sessions come
            # and go here, so a sanitized build may hold that much more.
            bound = (256 + 64 if sanitized() else 64) * 1024 * 1024
            self.assertLess(rss_bytes(d.proc.pid) - rss_before, bound)


def ws_frame(payload, opcode=1):
    """A masked client frame (RFC 6455 section 5.2); the mask is zero."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    return head + b"\0\0\0\0" + payload


class UnreadAcksTest(unittest.TestCase):
    def test_producer_that_never_reads_its_acks(self):
        # Frames of 100 bad lines, each answered with a reply listing 100
        # rejections (~50 times the frame), sent without reading any reply:
        # once the unread replies fill the socket buffers and the session's
        # bound (1,024 frames, 1 MiB), the daemon stops reading the stream, so
        # our sends block instead of its memory growing.
        with Daemon("server:\n  limits:\n    idle_timeout: 60s\n") as d:
            rss_before = rss_bytes(d.proc.pid)
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: small window
            s.bind(("127.0.0.1", 0))
            s.connect((d.host, d.port))
            s.sendall(b"GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                      b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      b"Sec-WebSocket-Version: 13\r\n\r\n")
            self.assertIn(b" 101 ", s.recv(4096))
            blob = ws_frame(b"1\n" * 100) * 1000  # 1,000 frames, ~200 KB
            s.settimeout(1.0)
            sent = 0
            with Watch(d) as watch:
                try:
                    for _ in range(500):  # 100 MB offered at most
                        s.sendall(blob)
                        sent += 1
                except (TimeoutError, BlockingIOError):
                    pass  # the daemon stopped reading: backpressure reached us
                self.assertEqual(honest_post(d, "unread"), 5)
                rss_after = rss_bytes(d.proc.pid)
            watch.check(self)
            s.close()
            self.assertLess(sent, 500, "the daemon read everything without our reading a reply")
            self.assertLess(rss_after - rss_before, 128 * 1024 * 1024, (rss_before, rss_after))
            print(f"{sent * 1000} frames taken before the stream paused; RSS "
                  f"{rss_before >> 20} -> {rss_after >> 20} MiB", file=sys.stderr)


class BurstTest(unittest.TestCase):
    def test_burst_ten_times_capacity(self):
        # 16 senders with 1,250 events each at once: 20,000 events, ten times
        # max_events_in_flight. Refusals are 503 with Retry-After;
        # every 200 is counted exactly and the honest producer gets in.
        with Daemon("server:\n  limits:\n    max_events_in_flight: 2000\n") as d:
            before = scrape(d)

            def send(k):
                body = "\n".join(json.dumps(queued(f"b{k}-{i}", id=f"burst-{k}-{i}"))
                                 for i in range(1250))
                status, headers, data = request(d, "POST", "/v1/events", body,
                                                {"Content-Type": "application/x-ndjson"},
                                                source="127.0.0.1", timeout=60)
                return status, (headers or {}).get("Retry-After"), data

            with Watch(d) as watch:
                with concurrent.futures.ThreadPoolExecutor(16) as pool:
                    burst = [pool.submit(send, k) for k in range(16)]
                    honest = honest_post(d, "burst-honest", n=100)
                    results = [f.result() for f in burst]
            watch.check(self)
            self.assertEqual(honest, 100)
            ok = [r for r in results if r[0] == 200]
            refused = [r for r in results if r[0] == 503]
            self.assertEqual(len(ok) + len(refused), 16)
            self.assertTrue(all(r[1] == "1" for r in refused))
            after = scrape(d)
            self.assertEqual(delta(before, after, "ccmon_events_accepted_total",
                                   type="contact.queued"),
                             1250 * len(ok) + 100)
            print(f"burst: {len(ok)} accepted, {len(refused)} refused with 503",
                  file=sys.stderr)


class CardinalityFloodTest(unittest.TestCase):
    def test_cardinality_flood(self):
        # 2,000 distinct queue names (CCMON_CARDINALITY_NAMES=1000000 for
        # the probe's million, docs/security.md): past
        # cardinality.max_queues (200) they fold into `other`; the scrape
        # stays small and fast.
        names = int(os.environ.get("CCMON_CARDINALITY_NAMES", "2000"))
        with Daemon() as d:
            rss_before = rss_bytes(d.proc.pid)
            with Watch(d) as watch:
                for chunk in range(max(1, names // 1000)):
                    body = "\n".join(
                        json.dumps(queued(f"c{chunk}-{i}", queue=f"flood-{chunk}-{i}",
                                          id=f"card-{chunk}-{i}"))
                        for i in range(1_000))
                    status, _, _ = request(d, "POST", "/v1/events", body,
                                           {"Content-Type": "application/x-ndjson"},
                                           source="127.0.0.1", timeout=300)
                    self.assertEqual(status, 200)
                self.assertEqual(honest_post(d, "card"), 5)
            # Every scrape answers; the 1 s bound holds on Release (367 ms
            # slowest with 100,000 names) but not under ASan on a loaded
            # machine, where a scrape waited up to 14 s for the engine thread
            # busy with a 5,000-event body. docs/security.md, "Known limits".
            watch.check(self, deadline=30.0 if sanitized() else SCRAPE_DEADLINE)
            text = request(d, "GET", "/metrics", timeout=60)[2]
            samples = parse_metrics(text.decode())
            self.assertGreater(metric(samples, "ccmon_series_folded_total") or 0, 0)
            sent = max(1, names // 1000) * 1000
            self.assertEqual(metric(samples, "ccmon_events_accepted_total",
                                    type="contact.queued"), sent + 5)
            print(f"{sent} queue names: scrape {len(text)} bytes, RSS +"
                  f"{(rss_bytes(d.proc.pid) - rss_before) >> 20} MiB", file=sys.stderr)
            # 200 queues x ~95 series x ~150 bytes is ~3 MB; 100,000 unfolded
            # names would be over a gigabyte.
            self.assertLess(len(text), 16 * 1024 * 1024, len(text))
            self.assertLess(rss_bytes(d.proc.pid) - rss_before, 256 * 1024 * 1024)


MASK = (1 << 64) - 1
OLD_MUL = 0x9E3779B97F4A7C15


def old_hash16(s):
    """The engine's id hash before keying, for 16-byte ids: a second
    implementation of tests/core/hash/flood_ids.hpp's, to check that the
    generated ids really are an attack on it."""
    def mix(h, w):
        h = ((h ^ w) * OLD_MUL) & MASK
        return h ^ (h >> 32)
    h = mix(mix(0x2545F4914F6CDD1D ^ ((16 * OLD_MUL) & MASK), int.from_bytes(s[:8], "little")),
            int.from_bytes(s[8:], "little"))
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & MASK
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & MASK
    return h ^ (h >> 33)


class HashFloodTest(unittest.TestCase):
    def test_crafted_collisions_cost_what_ordinary_ids_cost(self):
        # Contact ids crafted to collide in full under the former unkeyed
        # hash: 100k of them took 46 s to apply instead of 0.6 s, quadratic
        # in their number. Keyed (SipHash, a random key per process) they
        # are ordinary ids: applying them costs about what as many ordinary
        # ids cost, and the scrape and an honest producer are served.
        n = 20_000 if sanitized() else 100_000
        out = subprocess.run([os.environ["CCMON_COLLIDING_IDS"], str(n)], check=True,
                             capture_output=True).stdout
        crafted = out.split(b"\n")[:n]
        self.assertEqual(len(set(crafted)), n)
        self.assertEqual({len(c) for c in crafted}, {16})
        self.assertEqual(len({old_hash16(c) for c in crafted}), 1, "not one collision class")
        ordinary = [f"ordinary-{i:07d}".encode() for i in range(n)]  # 16 bytes too

        with Daemon() as d:
            def apply(contacts, tag):
                # Contacts queued now, so they stay tracked (in the table).
                start, now = time.monotonic(), int(time.time())
                for first in range(0, n, 1000):
                    body = "\n".join(
                        json.dumps(queued(c.decode(), queue=tag, t=now, id=f"{tag}-{first + i}"))
                        for i, c in enumerate(contacts[first:first + 1000]))
                    status, _, data = request(d, "POST", "/v1/events", body,
                                              {"Content-Type": "application/x-ndjson"},
                                              source="127.0.0.1", timeout=300)
                    self.assertEqual(status, 200)
                    self.assertEqual(json.loads(data)["accepted"], len(contacts[first:first + 1000]))
                return time.monotonic() - start

            with Watch(d) as watch:
                ordinary_s = apply(ordinary, "ordinary")
                crafted_s = apply(crafted, "crafted")
                self.assertEqual(honest_post(d, "hash"), 5)
            watch.check(self)
            samples = scrape(d)
            for queue in ("ordinary", "crafted"):
                self.assertEqual(metric(samples, "ccmon_contacts_waiting", queue=queue,
                                        channel="voice"), n)
            # Colliding, the crafted half took 77 times longer at 100k (46 s
            # against 0.6 s), 15 times at 20k (quadratic); allow 3x and 2 s
            # for noise.
            self.assertLess(crafted_s, 3 * ordinary_s + 2.0, (crafted_s, ordinary_s))
            print(f"{n} ordinary ids applied in {ordinary_s:.2f} s, {n} crafted in "
                  f"{crafted_s:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
