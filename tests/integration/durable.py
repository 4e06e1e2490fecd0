"""Helpers of the durable-state tests (docs/operations.md, docs/ingestion.md).

- StateDaemon: a ccmond on a state directory that outlives it, so a test can
  kill it (SIGKILL) and start another on the same directory; optionally run
  under a command prefix (nsenter into a private mount namespace).
- bank_day(): one converted day of the "Anonymous Bank" 1999 data (see
  docs/replay.md for the data's acknowledgement), cut into rounds and split
  between HTTP and WebSocket.
- HttpClient / WsClient: producers that keep every batch until it is
  acknowledged and resend the rest after a reconnect (docs/ingestion.md).
- kpi_samples(): the /metrics samples that describe the contact center, as
  opposed to the daemon's own transport and journal counters.
"""

import asyncio
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import zlib

import websockets

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from ccmond import Daemon, ccmond_path, parse_metrics, poll  # noqa: E402

# The bank day of the crash test: 1999-03-15, a Monday (1,706 records, 7,676
# events); the daemon's `today` in Asia/Jerusalem is that day (docs/replay.md).
BANK_DAY = "1999-03-15"
BANK_FILE = "03_March.txt.gz"

BANK_CONFIG = """\
server:
  clock: event
kpis:
  time_zone: Asia/Jerusalem
  service_level:
    threshold: 20s
    short_abandon: 5s
"""


def state_config(base, state_dir, sync="always", extra_state=""):
    """`base` YAML plus a `state:` section on `state_dir` (docs/configuration.md)."""
    return (base + "state:\n"
            f"  dir: {json.dumps(state_dir)}\n"
            f"  sync: {sync}\n" + extra_state)


class StateDaemon(Daemon):
    """A ccmond whose state directory is the caller's (it survives stop()).

    `prefix` is prepended to the command (nsenter ... for the disk-full test).
    `wait_ready=False` returns once it listens: /-/ready may still be 503
    while the state is replayed.
    """

    def __init__(self, config, prefix=(), wait_ready=True, args=()):  # noqa: super not called
        self.tmp = tempfile.TemporaryDirectory(prefix="ccmond-state-test-")
        self.config_path = os.path.join(self.tmp.name, "ccmon.yml")
        with open(self.config_path, "w") as f:
            f.write(config)
        cmd = [*prefix, ccmond_path(), "--listen", "127.0.0.1:0", "--config", self.config_path,
               *args]
        self.log_path = os.path.join(self.tmp.name, "ccmond.log")
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log_file, stderr=subprocess.STDOUT)
        match = poll(self._find_listen, timeout=60, what="ccmond to listen")
        self.host, self.port = match.group(1), int(match.group(2))
        self.base = f"http://{self.host}:{self.port}"
        if wait_ready:
            self.wait_ready()

    def wait_ready(self, timeout=60):
        poll(lambda: self._alive() and self.status("/-/ready") == 200, timeout=timeout,
             what="ccmond to be ready (state replayed)")

    def _alive(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"ccmond exited with {self.proc.returncode}:\n{self.log()}")
        return True

    def kill(self):
        """SIGKILL: the crash. Returns the log for the test's output."""
        log = self.log()
        self.stop(signal.SIGKILL)
        return log


def data_file(name):
    shared = os.environ.get("CCMON_SHARED_DIR") or os.path.join(HERE, "..", "..", "..", "shared")
    path = os.path.join(shared, "data", "anonymous-bank-1999", name)
    if not os.path.exists(path):
        raise AssertionError(f"bank data not found at {path} (set CCMON_SHARED_DIR)")
    return path


def convert_bank_day(day=BANK_DAY, file=BANK_FILE, until="23:59:59"):
    """The converter's NDJSON lines (tools/bank, docs/replay.md), in time order."""
    build = os.environ.get("CCMON_BUILD_DIR")
    if not build:
        raise AssertionError("CCMON_BUILD_DIR is not set: run the tests through ctest")
    tool = os.path.join(build, "tools", "bank", "ccmon-bank2events")
    proc = subprocess.run([tool, "--day", day, "--until", until, data_file(file)],
                          capture_output=True, text=True, check=True)
    return proc.stdout.splitlines()


def split_by_agent(lines):
    """(http_lines, ws_lines): every event of a contact on one transport.

    A contact goes where its answering agent goes (CRC-32 of the agent name),
    else where its own id goes. So each transport sends every contact's
    lifecycle, and every agent's contacts, in time order: whatever the
    interleaving of the two streams, the engine sees each contact and each
    agent (time between contacts) in the same order as in a run without kills.
    Windows, counters and the event clock only sum, count and take maxima,
    which the interleaving does not change.
    """
    agent_of = {}
    for line in lines:
        e = json.loads(line)
        if e["type"] == "contact.answered":
            agent_of[e["contact"]] = e["agent"]
    out = ([], [])
    for line in lines:
        contact = json.loads(line)["contact"]
        key = agent_of.get(contact, contact)
        out[zlib.crc32(key.encode()) % 2].append(line)
    return out


def rounds(lines, minutes=10, batch=25):
    """Cuts time-ordered lines into rounds of `minutes` of event time, each a
    list of batches of at most `batch` lines. Both transports move from one
    round to the next together, so neither runs hours ahead of the other
    (a contact must not look idle for hours because the other stream moved
    the event clock: state.contact_idle_timeout)."""
    def slot(line):
        t = json.loads(line)["time"]  # RFC 3339 with a fixed offset: text order is time order
        hour, minute = int(t[11:13]), int(t[14:16])
        return (t[:10], (hour * 60 + minute) // minutes)
    out, current, key = [], [], None
    for line in lines:
        k = slot(line)
        if k != key and current:
            out.append(current)
            current = []
        key = k
        current.append(line)
    if current:
        out.append(current)
    return {slot(r[0]): [r[i:i + batch] for i in range(0, len(r), batch)] for r in out}


def transport_rounds(lines, minutes=10, batch=25):
    """[(http_batches, ws_batches)] per round, from the day's lines."""
    http, ws = (rounds(part, minutes, batch) for part in split_by_agent(lines))
    return [(http.get(k, []), ws.get(k, [])) for k in sorted(set(http) | set(ws))]


class Target:
    """Where the producers send: the current daemon, replaced after a crash.

    `generation` grows at each restart; a client that lost its connection
    waits for a newer generation (or for the current one to be ready).
    """

    def __init__(self, daemon):
        self.cond = threading.Condition()
        self.daemon, self.generation = daemon, 0
        self.acked_events = 0

    def current(self):
        with self.cond:
            return self.daemon, self.generation

    def replace(self, daemon):
        with self.cond:
            self.daemon, self.generation = daemon, self.generation + 1
            self.cond.notify_all()

    def down(self):
        """While a daemon is being replaced (killed, not yet restarted)."""
        with self.cond:
            self.daemon = None

    def wait_usable(self, seen_generation, timeout=120):
        """The daemon to use after a failure on generation `seen_generation`:
        the same one if it is still up and ready, else the next."""
        with self.cond:
            ok = self.cond.wait_for(lambda: self.daemon is not None, timeout)
            if not ok:
                raise AssertionError("no daemon came back")
            d, g = self.daemon, self.generation
        # Readiness is polled: 503 while the journal is replayed.
        try:
            poll(lambda: d.status("/-/ready") == 200 or self.generation != g, timeout=60,
                 what="the restarted ccmond to be ready")
        except AssertionError:
            pass  # the caller retries and fails on its own deadline
        return d, g

    def count(self, n):
        with self.cond:
            self.acked_events += n
            self.cond.notify_all()


def is_ack(answer, n):
    """An answer acknowledging a whole batch of n events: all applied or duplicates."""
    return (isinstance(answer, dict) and "error" not in answer
            and answer.get("accepted", -1) + answer.get("duplicates", 0) == n
            and answer.get("rejected") == [])


class HttpClient:
    """POSTs batches (NDJSON) one at a time; resends a batch until it is acked."""

    def __init__(self, target):
        self.target, self.resends, self.refusals = target, 0, 0

    def send_round(self, batches, deadline_s=120):
        pending = list(batches)
        d, g = self.target.current()
        attempts = 0
        while pending:
            batch = pending[0]
            body = ("\n".join(batch) + "\n").encode()
            status, answer = None, None
            if d is not None:
                try:
                    req = urllib.request.Request(
                        d.base + "/v1/events", data=body, method="POST",
                        headers={"Content-Type": "application/x-ndjson"})
                    try:
                        with urllib.request.urlopen(req, timeout=30) as resp:
                            status, answer = resp.status, json.loads(resp.read())
                    except urllib.error.HTTPError as e:
                        status, answer = e.code, json.loads(e.read() or b"null")
                except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
                    pass
            if status == 200 and is_ack(answer, len(batch)):
                self.target.count(len(batch))
                pending.pop(0)
                attempts = 0
                continue
            if status is not None and status != 503:
                raise AssertionError(f"HTTP {status} is neither an ack nor a refusal: {answer}")
            if status == 503:
                self.refusals += 1
            attempts += 1
            if attempts > 2000:
                raise AssertionError(f"batch never acknowledged; last answer {status} {answer}")
            self.resends += 1
            d, g = self.target.wait_usable(g)


class WsClient:
    """Pipelines a round's batches as frames on one WebSocket; after a lost
    connection or an error reply, reconnects and resends every frame whose
    reply was not an acknowledgement."""

    def __init__(self, target):
        self.target, self.resends, self.refusals = target, 0, 0
        self.loop = asyncio.new_event_loop()
        self.ws, self.ws_generation = None, None

    def close(self):
        if self.ws is not None:
            self.loop.run_until_complete(self._close())
        self.loop.close()

    async def _close(self):
        try:
            await asyncio.wait_for(self.ws.close(), 10)
        except Exception:  # noqa: BLE001 the daemon may be gone already
            pass
        self.ws = None

    def send_round(self, batches):
        self.loop.run_until_complete(asyncio.wait_for(self._send_round(batches), 300))

    async def _send_round(self, batches):
        pending = list(batches)
        d, g = self.target.current()
        attempts = 0
        last_error = None  # refusals alone raise nothing until the stream closes
        while pending:
            acked = set()  # indexes in `pending` acknowledged on this attempt
            try:
                if self.ws is None or self.ws_generation != g:
                    if self.ws is not None:
                        await self._close()
                    if d is None:
                        raise ConnectionError("no daemon")
                    self.ws = await websockets.connect(f"ws://{d.host}:{d.port}/v1/stream",
                                                       max_size=None, open_timeout=30)
                    self.ws_generation = g
                for batch in pending:
                    await self.ws.send("\n".join(batch))
                still = []
                for i, batch in enumerate(pending):
                    reply = json.loads(await asyncio.wait_for(self.ws.recv(), 60))
                    if is_ack(reply, len(batch)):
                        self.target.count(len(batch))
                        acked.add(i)
                    else:
                        if reply.get("error") != "state_unavailable":
                            raise AssertionError(f"unexpected reply {reply}")
                        self.refusals += 1
                        still.append(batch)
                pending = still
                if not pending:
                    return
            except (OSError, ConnectionError, asyncio.TimeoutError,
                    websockets.ConnectionClosed, websockets.InvalidHandshake,
                    websockets.InvalidURI) as e:
                # Replies not read are not acks: resend every frame not acked
                # (the daemon answers the ones it had kept as duplicates). A
                # refused frame ends the stream too (close 1013).
                last_error = e
                pending = [b for i, b in enumerate(pending) if i not in acked]
                if self.ws is not None:
                    try:
                        self.ws.transport.abort()
                    except Exception:  # noqa: BLE001
                        pass
                    self.ws = None
            attempts += 1
            if attempts > 2000:
                raise AssertionError(f"frames never acknowledged: {last_error!r}")
            self.resends += 1
            d, g = await asyncio.get_running_loop().run_in_executor(
                None, self.target.wait_usable, g)


def stream(target, day_rounds, on_round=None):
    """Sends every round over both transports at once; returns the clients.

    Each round's HTTP batches go from a worker thread while the WebSocket
    frames go from this one; the next round starts when both are acked.
    """
    http, ws = HttpClient(target), WsClient(target)
    errors = []
    try:
        for i, (http_batches, ws_batches) in enumerate(day_rounds):
            def post(batches=http_batches):
                try:
                    http.send_round(batches)
                except BaseException as e:  # noqa: BLE001 reported below
                    errors.append(e)
            worker = threading.Thread(target=post)
            worker.start()
            try:
                ws.send_round(ws_batches)
            finally:
                worker.join()
            if errors:
                raise errors[0]
            if on_round:
                on_round(i)
    finally:
        ws.close()
    return http, ws


# Families about the daemon process itself ("The daemon itself" in
# docs/metrics.md) and its journal, not about the contact center: they count
# what this process received, refused, accepted and wrote since it started,
# so they differ between a run with crashes and one without by design
# (resends are received again and answered as duplicates, refusals while the
# journal is replayed, wall-clock arrival lag, each run's own journal).
# Everything else is the state that must survive exactly.
SELF_FAMILIES = (
    "ccmon_events_received_total",
    "ccmon_events_accepted_total",
    "ccmon_events_rejected_total",
    "ccmon_events_duplicate_total",
    "ccmon_last_event_timestamp_seconds",
    "ccmon_requests_rejected_total",
    "ccmon_events_in_flight",
    "ccmon_event_lag_seconds",
    "ccmon_connections",
    "ccmon_config_reloads_total",
    "ccmon_config_last_reload_success_timestamp_seconds",
    "ccmon_build_info",
    "ccmon_sla_transitions_dropped_total",
    "ccmon_engine_ticks_total",
    "ccmon_auth_rejected_total",
    "ccmon_websocket_",
    "ccmon_journal_",
    "ccmon_state_",
    "process_",
) + (
    # The forecast (docs/forecasting.md) is that of the last live tick, not
    # state: wall-clock ticks fall anywhere between the batches, and none
    # has run yet right after a restart.
    "ccmon_forecast_",
    "ccmon_agents_serving",
    "ccmon_agents_required",
    "ccmon_agents_short",
    "ccmon_estimated_wait_seconds",
    "ccmon_wait_probability",
    "ccmon_sla_at_risk",
    "ccmon_sla_breach_eta_seconds",
)


def kpi_samples(samples):
    """The samples of `parse_metrics` that describe the contact center: every
    windowed and live KPI, every since-start counter and histogram bucket,
    the engine's counters and the SLA rule states."""
    return {k: v for k, v in samples.items()
            if not any(k[0].startswith(f) for f in SELF_FAMILIES)}


def describe_differences(expected, actual, limit=30):
    """Human-readable differences of two kpi_samples() dicts."""
    lines = []
    for key in sorted(set(expected) | set(actual), key=lambda k: (k[0], sorted(k[1]))):
        e, a = expected.get(key), actual.get(key)
        if e != a and not (e is not None and a is not None and e != e and a != a):  # NaN == NaN
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(key[1]))
            lines.append(f"  {key[0]}{{{labels}}}: expected {e}, got {a}")
    more = f"\n  ... {len(lines) - limit} more" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


def metrics_samples(daemon):
    return parse_metrics(daemon.metrics_text())


def kpis_json(daemon):
    """/v1/kpis without the SLA part and the forecast (evaluated on
    wall-clock ticks)."""
    doc = daemon.kpis()
    doc.pop("sla", None)
    doc.pop("forecast", None)
    return doc
