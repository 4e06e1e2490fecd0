#!/usr/bin/env python3
"""Runs ccmon's benchmark suite against an optimised build and writes
docs/benchmarks.md. Driven by scripts/bench; see docs/benchmarks.md for what
each benchmark measures.

  bench/run_benchmarks.py --build build/bench [--out docs/benchmarks.md] [--quick]

Everything runs on loopback, the load generator on the same machine as the
daemon. --quick shrinks every size (a smoke run, not for the docs).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LISTEN_RE = re.compile(r"listening on (?:http|ws)://([0-9.]+):(\d+)")

# Event-clock mode: the replayed day's windows behave as a live center's
# (every event lands in all windows). Caps wide enough for 100 queues and the
# freshness markers; everything else is the default configuration.
CONFIG = """server:
  clock: event
  log_level: info
cardinality:
  max_queues: 1000
  max_teams: 1000
"""
# 7.: the three ways to run (docs/configuration.md, state.*); the directory
# itself is given with --state-dir (Suite.daemon).
STATE_MODES = (
    ("none", "no state directory", None),
    ("always", "`state.sync: always`", "state:\n  sync: always\n"),
    ("interval", "`state.sync: interval` (100 ms)",
     "state:\n  sync: interval\n  sync_interval: 100ms\n"),
)

TARGETS = {
    # Issue 12's targets (the first release's were 1 M, 500 k and 300 k).
    "engine": 3_000_000,
    "ws_ratio": 0.6,
    "ws_batched": 1_000_000,
    "http": 1_000_000,
    "scrape_50k_p99_ms": 100,
    "scrape_200k_p99_ms": 1000,  # issue 12: the default caps allow that many series
    "fresh_p99_ms": 50,
    "bytes_per_contact": 1024,
    "state_ratio": 0.7,
    "restart_s": 5.0,
    "cpu_us_per_event": 1.0,  # issue 12: all daemon threads, batched clients
    "peer_ratio": 2.0,  # issue 12: ccmond >= 2x mtail over the same lines
}
# The batched loads of rows 2b and 3 (ccmon_ingest_load options), also what
# bench/compare.py sends.
WS_BATCHED_LOAD = {"batch": 500, "connections": 4, "window": 64}
HTTP_BATCHED_LOAD = {"batch": 1000, "connections": 4, "window": 1}
# 8.: the peer (bench/mtail/), the ceiling and 9.: the adapter endpoints.
MTAIL_PROGS = os.path.join(ROOT, "bench", "mtail")
ADAPTER_CONFIG = """adapters:
  twilio:
    auth_token: bench-token
  amazon_connect:
    api_key: bench-key
"""
# (key, title, ccmon-sim --format, endpoint, ccmon_ingest_load options)
ADAPTERS = (
    ("ccmon", "ccmon NDJSON", "ccmon", "/v1/events", {}),
    ("queue_log", "Asterisk queue_log", "queue_log", "/v1/adapters/asterisk/queue_log",
     {"content_type": "text/plain"}),
    ("connect", "Amazon Connect (EventBridge)", "connect", "/v1/adapters/amazon-connect/events",
     {"content_type": "application/json", "body": "array", "header": "X-Api-Key: bench-key"}),
    ("twilio", "Twilio TaskRouter (Event Streams)", "twilio", "/v1/adapters/twilio/taskrouter",
     {"content_type": "application/json", "body": "array", "twilio_token": "bench-token"}),
)


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def proc_stat(path):
    """(name, the fields after it) of a /proc stat file (proc(5)): fields[11]
    and [12] are utime and stime, [13] and [14] cutime and cstime, in ticks.
    OSError when the process or thread is gone."""
    with open(path) as f:
        name, rest = f.read().split(" (", 1)[1].rsplit(")", 1)
    return name, rest.split()


def thread_stats(pid):
    """{thread id: (name, user + system CPU seconds)} of a process's live
    threads (the daemon's threads name themselves: docs/architecture.md,
    "The daemon's threads")."""
    out = {}
    tick = os.sysconf("SC_CLK_TCK")
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name, fields = proc_stat(f"/proc/{pid}/task/{tid}/stat")
            out[tid] = (name, (int(fields[11]) + int(fields[12])) / tick)
        except OSError:
            pass
    return out


def process_cpu(pid):
    """User + system CPU seconds of a process: all its threads, those that
    ended too (a snapshot's waiting thread), not its children."""
    _, fields = proc_stat(f"/proc/{pid}/stat")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu(pid):
    """User + system CPU seconds of a process's children: those it waited for
    (cutime, cstime) and those still running (the daemon's snapshot
    processes, docs/operations.md)."""
    tick = os.sysconf("SC_CLK_TCK")

    def waited():
        _, fields = proc_stat(f"/proc/{pid}/stat")
        return (int(fields[13]) + int(fields[14])) / tick  # cutime, cstime

    for _ in range(10):  # again if a child was reaped during the scan
        try:
            before = waited()
        except OSError:
            return 0.0
        running = 0.0
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                _, fields = proc_stat(f"/proc/{p}/stat")
            except OSError:
                continue
            if int(fields[1]) == pid:  # ppid: a child still running
                running += sum(int(x) for x in fields[11:15]) / tick
        if waited() == before:
            break
    return before + running


def http_get(base, path, timeout=60):
    with urllib.request.urlopen(base + path, timeout=timeout) as r:
        return r.read().decode()


def metric_value(text, name):
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None


def sample(text, name, **labels):
    """The value of one sample of `name` whose labels include `labels`, or None."""
    for line in text.splitlines():
        if not (line.startswith(name + " ") or line.startswith(name + "{")):
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', line.rsplit(" ", 1)[0]))
        if all(got.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def metric_sum(text, name):
    """Sum of every sample of one family (all label sets), or None."""
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
              if line.startswith(name + " ") or line.startswith(name + "{")]
    return sum(values) if values else None


def line_count(path):
    with open(path) as f:
        return sum(1 for _ in f)


def wait_accepted(base, events, timeout=300):
    """Polls /metrics until the daemon has accepted `events` events: a
    background load first reads its whole file, which for the largest
    centers takes longer than a fixed pause would allow."""
    deadline = time.monotonic() + timeout
    while True:
        got = metric_sum(http_get(base, "/metrics"), "ccmon_events_accepted_total") or 0
        if got >= events:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {got:.0f} of {events} events accepted after {timeout} s")
        time.sleep(0.2)


def dir_bytes(path):
    """Bytes of the regular files under path (apparent sizes)."""
    total = 0
    for root, _, names in os.walk(path):
        for name in names:
            total += os.path.getsize(os.path.join(root, name))
    return total


def count_series(text):
    return sum(1 for line in text.splitlines() if line and not line.startswith("#"))


# Function name patterns -> area, first match wins (profile summaries). Only
# the qualified name is matched, not the parameter types.
AREAS = [
    ("JSON decoding (simdjson, core/codec)", r"simdjson|codec|Decoder|rfc3339|from_string"),
    ("de-duplication (core/dedup)", r"Deduplicator|dedup|Remembered"),
    ("KPI engine (core/engine)", r"engine_detail|Engine|LruTable|WaitBins"),
    ("snapshot KPIs and /metrics text (core/exposition, core/sla)",
     r"exposition|append_|open_labels|queue_channel_window|window_kpis|add_windowed|render_|"
     r"MetricFamily|Sla|build_view"),
    ("number formatting (std::to_chars)", r"to_chars|__d2s|ryu"),
    ("allocation (malloc/free/new/delete)", r"malloc|free|operator new|operator delete|_int_"),
    ("memcpy / memchr / memcmp", r"mem(cpy|move|cmp|set|chr)|str(len|cmp)"),
    ("WebSocket / HTTP / Asio (Beast)", r"beast|asio|websocket|http"),
    ("self metrics (prometheus-cpp)", r"prometheus"),
    ("hashing, locks, std::function, shared_ptr",
     r"_Hash|_Node|hash|std::function|_Function|shared_ptr|_Sp_counted|mutex"),
]


def areas(top):
    sums = {}
    for pct, fn in top:
        name = fn.replace("(anonymous namespace)", "").split("(", 1)[0]
        area = next((a for a, pat in AREAS if re.search(pat, name)), "other")
        sums[area] = sums.get(area, 0.0) + pct
    return sorted(sums.items(), key=lambda kv: -kv[1])


class Process:
    """A child that logs "listening on ...://HOST:PORT" once bound."""

    def __init__(self, cmd, workdir, name, ready_path=None, timeout=120):
        self.log_path = os.path.join(workdir, name + ".log")
        self.log_file = open(self.log_path, "w")
        try:
            self.proc = subprocess.Popen(cmd, stdout=self.log_file, stderr=subprocess.STDOUT)
        except BaseException:
            self.log_file.close()
            raise
        try:
            self.wait_ready(cmd[0], ready_path, time.monotonic() + timeout)
        except BaseException:
            self.stop(timeout=10)  # not left running behind the error
            raise

    def wait_ready(self, name, ready_path, deadline):
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited: {open(self.log_path).read()}")
            m = LISTEN_RE.search(open(self.log_path).read())
            if m:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start")
            time.sleep(0.05)
        self.port = int(m.group(2))
        self.base = f"http://127.0.0.1:{self.port}"
        while ready_path:
            try:
                urllib.request.urlopen(self.base + ready_path, timeout=5)
                break
            except Exception:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{name} exited: {open(self.log_path).read()}") from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    @property
    def pid(self):
        return self.proc.pid

    def stop(self, timeout=120):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()


def daemon_cpu_words(results):
    """How the saved results measured a daemon's CPU, for the page's text."""
    if results.get("daemon_cpu") == "process":
        return "the process's, all its threads, those that ended too (`/proc/PID/stat`)"
    return "its live threads' summed (`/proc/PID/task/*/stat`)"


class Suite:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build)
        self.work = tempfile.mkdtemp(prefix="ccmon-bench-")
        self.quick = args.quick
        # "process": a daemon's CPU is its process's (/proc/PID/stat), threads
        # that ended included; results saved before a7050fe lack the key and
        # summed the live threads (/proc/PID/task/*/stat).
        self.results = {"daemon_cpu": "process"}
        self.rows = []  # (benchmark, target, measured, pass)
        self.loads = []
        self.config_path = os.path.join(self.work, "ccmon.yml")
        with open(self.config_path, "w") as f:
            f.write(CONFIG)

    def exe(self, rel):
        return os.path.join(self.build, rel)

    def daemon(self, config=None, prefix=(), state_dir=""):
        # state_dir "": nothing kept, so every run starts fresh (every event id
        # new to it); a directory measures the durable state (docs/ingestion.md).
        cmd = list(prefix) + [self.exe("server/ccmond"), "--config", config or self.config_path,
                              "--listen", "127.0.0.1:0", "--state-dir", state_dir]
        return Process(cmd, self.work, "ccmond", ready_path="/-/ready", timeout=300)

    def load(self, url, file, background=False, daemon=None, **opts):
        cmd = [self.exe("bench/ccmon_ingest_load"), "--url", url, "--file", file]
        for k, v in opts.items():
            cmd += ["--" + k.replace("_", "-"), str(v)]
        if background:
            return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        self.loads.append(loadavg())
        before = thread_stats(daemon.pid) if daemon else {}
        children_before = children_cpu(daemon.pid) if daemon else 0.0
        process_before = process_cpu(daemon.pid) if daemon else 0.0
        out = json.loads(subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True).stdout)
        # CPU spent by the load generator (its cpu_s) and by each daemon
        # thread: a thread near 100 % of the wall time is a serial bottleneck.
        if daemon:
            # The process's total: threads that ended count too (a snapshot's
            # waiting thread); the per-thread lists are of live threads.
            out["daemon_cpu_s"] = process_cpu(daemon.pid) - process_before
            spent = [(name, cpu - before.get(tid, (name, 0.0))[1])
                     for tid, (name, cpu) in thread_stats(daemon.pid).items()]
            threads = sorted((cpu for _, cpu in spent), reverse=True)
            out["daemon_thread_cpu_s"] = [round(x, 2) for x in threads if x > 0.005]
            by_name = {}
            for name, cpu in spent:
                by_name[name] = by_name.get(name, 0.0) + cpu
            out["daemon_thread_cpu_by_name_s"] = {k: round(v, 2) for k, v in by_name.items()}
            out["daemon_children_cpu_s"] = children_cpu(daemon.pid) - children_before
        if out["rejected"]:
            raise RuntimeError(f"the daemon rejected events: {out}")
        return out

    @staticmethod
    def stop_load(proc):
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
        return json.loads(out)

    def row(self, name, target, measured, ok):
        self.rows.append((name, target, measured, "pass" if ok else "MISS"))
        log(f"{name}: {measured} (target {target}) {'pass' if ok else 'MISS'}")

    # --- data -----------------------------------------------------------
    def sim(self, out, seed, agents, queues, duration="8h", start="2026-11-16T09:00:00Z"):
        cmd = [self.exe("tools/sim/ccmon-sim"), "--out", out, "--seed", str(seed), "--start", start,
               "--duration", duration, "--agents", str(agents), "--queues", queues]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    def make_data(self):
        q = self.quick
        dur = "1h" if q else "8h"
        # The large center: 5,000 agents, 100 queues. ccmon-sim makes at most
        # 64 queues, so two halves of 2,500 agents and 50 queues each (their
        # own agent ids) are merged in time order.
        halves = []
        for seed, letter in ((1, "a"), (2, "b")):
            path = os.path.join(self.work, f"half-{letter}.ndjson")
            names = ",".join(f"q{letter}{i:02d}" for i in range(50))
            self.sim(path, seed, 500 if q else 2500, names, dur)
            halves.append(path)
        self.day = os.path.join(self.work, "day.ndjson")
        # "agent" and "to_agent" fields of the second half: its own staff.
        subprocess.run(["sed", "-i", 's/agent":"agent-/agent":"agentb-/g', halves[1]], check=True)
        self.merge(halves, self.day)
        for h in halves:
            os.remove(h)
        self.day_events = line_count(self.day)
        if self.args.only is not None and set(self.args.only) <= {"state", "peer", "adapters",
                                                                  "kafka"}:
            return  # 7., 8. and 9. need only the large center's day
        # Scrape sizes: queues x channels make the series count.
        self.scrape_files = {}
        # 39 queues make the ~50,000 series of the issue-12 target.
        for label, queues in (("1k", 1), ("10k", 12), ("50k", 39), ("80k", 64)):
            path = os.path.join(self.work, f"scrape-{label}.ndjson")
            self.sim(path, 10 + queues, 400 if q else 2000, str(queues), dur)
            self.scrape_files[label] = path
        # ~200k series (issue 12): four centers of 64 queues each, their own
        # queue and agent names, merged in time order as the large center.
        parts = []
        for k in range(4):
            path = os.path.join(self.work, f"scrape-200k-{k}.ndjson")
            names = ",".join(f"s{k}q{i:02d}" for i in range(64))
            self.sim(path, 100 + k, 400 if q else 2000, names, dur)
            subprocess.run(["sed", "-i", f's/agent":"agent-/agent":"agent{k}-/g', path], check=True)
            parts.append(path)
        self.scrape_files["200k"] = os.path.join(self.work, "scrape-200k.ndjson")
        self.merge(parts, self.scrape_files["200k"])
        for path in parts:
            os.remove(path)
        # Counted here, not while a background load reads them: the scrape
        # runs wait for at most half of a file's events (--quick files are small).
        self.scrape_events = {k: line_count(p) for k, p in self.scrape_files.items()}
        # Memory per contact: contacts queued and answered, never ended.
        self.contacts = os.path.join(self.work, "contacts.ndjson")
        n = 20_000 + (30_000 if q else 300_000)
        t0 = 1_790_000_000.0  # 2026-09-21: in the past, or the daemon rejects them
        with open(self.contacts, "w") as f:
            for i in range(n):
                t = t0 + i * 0.001
                # 36-character ids (UUIDs), for the contact and for both events.
                f.write(f'{{"id":"e{i:08d}-0000-4000-8000-000000000001","type":"contact.queued",'
                        f'"time":{t:.3f},"contact":"c{i:08d}-0000-4000-8000-000000000000",'
                        f'"channel":"voice","queue":"queue{i % 50}"}}\n'
                        f'{{"id":"e{i:08d}-0000-4000-8000-000000000002","type":"contact.answered",'
                        f'"time":{t + 0.5:.3f},"contact":"c{i:08d}-0000-4000-8000-000000000000",'
                        f'"agent":"agent-{i % 5000}"}}\n')
        self.contacts_warmup = 20_000
        self.contacts_measured = n - 20_000

    @staticmethod
    def merge(paths, out):
        import heapq

        def key(line):
            at = line.find('"time":"') + 8
            return line[at:at + 24]

        files = [open(p) for p in paths]
        with open(out, "w") as o:
            o.writelines(heapq.merge(*files, key=key))
        for f in files:
            f.close()

    # --- 1. engine --------------------------------------------------------
    def engine(self):
        log("engine only")
        args = [self.exe("bench/ccmon_engine_bench")] + (["50000"] if self.quick else [])
        # Five runs, the median counts: CPU-time rates on a shared VM move by
        # about 20 % from run to run.
        outs, rates = [], []
        for _ in range(5):
            self.loads.append(loadavg())
            out = subprocess.run(args, stdout=subprocess.PIPE, text=True, check=True).stdout
            outs.append(out.strip())
            rates.append(int(re.search(r"= (\d+) events/s per core", out).group(1)))
        rate = sorted(rates)[len(rates) // 2]
        out = outs[rates.index(rate)]
        self.results["engine"] = {"events_per_s": rate, "output": out, "all_runs": rates}
        # The duplicate-id memory, which the engine runner feeds beside the
        # engine: steady-state inserts once it holds max_ids.
        dedup = [self.exe("bench/ccmon_dedup_bench")] + (["200000", "400000"] if self.quick else [])
        if os.path.exists(dedup[0]):  # scripts/bench builds it; a bare build dir may not have it
            log("duplicate-id memory at max_ids")
            self.loads.append(loadavg())
            self.results["engine"]["dedup_output"] = subprocess.run(
                dedup, stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
        else:
            log(f"skipped: {dedup[0]} is not built")
        self.row("1. engine only, events/s per core (5 windows)",
                 f">= {TARGETS['engine']:,}", f"{rate:,}", rate >= TARGETS["engine"])

    # --- 1c. shard scaling --------------------------------------------------
    def shards(self):
        """Issue 12: the sharded engine (core/engine/sharded_engine.hpp) over
        the large center's day with 1..4 shards, each on a thread of its own
        (ccmon_engine_bench --shards 4 --file day): the router's and each
        shard's CPU time, so the scaling shows on more cores than this
        machine has."""
        # Three runs, each a fresh process: one shard count's rate spreads by
        # some 30 % between single runs on the AMD guest (bench/analysis.md).
        # Per shard count, the median run.
        n_runs = 1 if self.quick else 3
        log(f"engine shards: 1..4 over the large center's day, {n_runs} run(s)")
        self.loads.append(loadavg())
        pattern = (r"shards: (\d+) \| router ([\d.]+) s CPU \((\d+) ns/event\) \| shard CPU max "
                   r"([\d.]+) s, sum ([\d.]+) s \(([\d.]+) applies/event\) \| wall ([\d.]+) s = "
                   r"(\d+) events/s here \| (\d+) events/s with a core per shard \| snapshot of "
                   r"(\d+) series merged in ([\d.]+) ms CPU"
                   r"(?: \| busiest shard's applies ([\d.]+)x the mean)?")
        runs, outputs, hash_ns = [], [], []
        for _ in range(n_runs):
            out = subprocess.run([self.exe("bench/ccmon_engine_bench"), "--shards", "4", "--file",
                                  self.day], stdout=subprocess.PIPE, text=True,
                                 check=True).stdout
            rows = []
            for m in re.finditer(pattern, out):
                rows.append({"shards": int(m.group(1)), "router_s": float(m.group(2)),
                             "router_ns": int(m.group(3)), "max_s": float(m.group(4)),
                             "sum_s": float(m.group(5)), "applies": float(m.group(6)),
                             "wall_s": float(m.group(7)), "here": int(m.group(8)),
                             "per_core": int(m.group(9)), "series": int(m.group(10)),
                             "snapshot_ms": float(m.group(11)),
                             "busiest_share": float(m.group(12) or 0)})
            if [r["shards"] for r in rows] != [1, 2, 3, 4]:
                raise RuntimeError(f"unexpected ccmon_engine_bench --shards output:\n{out}")
            hashed = re.search(r"ids hashed ahead \(as the io threads do\): [\d.]+ s CPU "
                               r"\((\d+) ns", out)
            if hashed:
                hash_ns.append(int(hashed.group(1)))
            runs.append(rows)
            outputs.append(out.strip())
        rows = [sorted((run[i] for run in runs), key=lambda r: r["per_core"])[n_runs // 2]
                for i in range(4)]
        self.results["shards"] = {"rows": rows, "events": self.day_events,
                                  "output": "\n\n".join(outputs),
                                  "runs_per_core": [[r["per_core"] for r in run] for run in runs],
                                  "hash_ns": sorted(hash_ns)[len(hash_ns) // 2] if hash_ns else 0}
        rates = [x["per_core"] for x in rows]
        self.row("1c. engine shards 1/2/3/4 over the day, events/s with a core per shard "
                 + (f"(per shard count, the median of {n_runs} runs)" if n_runs > 1 else
                    "(1 run)"),
                 "rises with shards", " / ".join(f"{x:,}" for x in rates),
                 all(b > a for a, b in zip(rates, rates[1:])))

    # --- 2. WebSocket -----------------------------------------------------
    def websocket(self):
        runs = []
        for i in range(2):  # the best of two: the machine is shared, rates are noisy
            log(f"WebSocket, batched (the large center's day), run {i + 1}")
            d = self.daemon()
            try:
                r = self.load(f"ws://127.0.0.1:{d.port}/v1/stream", self.day, daemon=d,
                              **WS_BATCHED_LOAD)
                m = http_get(d.base, "/metrics")
                r["out_of_sequence"] = metric_value(m, "ccmon_events_out_of_sequence_total")
                r["series"] = count_series(m)
                r["rss_kib"] = rss_kib(d.pid)
                r["tracked_contacts"] = metric_value(m, "ccmon_tracked_contacts")
            finally:
                d.stop()
            runs.append(r)
        r = max(runs, key=lambda x: x["events_per_s"])
        r["all_runs"] = [x["events_per_s"] for x in runs]
        self.results["ws_batched"] = r
        self.row("2b. WebSocket ingest, 500 events/frame, events/s",
                 f">= {TARGETS['ws_batched']:,}", f"{r['events_per_s']:,.0f}",
                 r["events_per_s"] >= TARGETS["ws_batched"])

        log("WebSocket, one event per frame, against ccmond and the transport-only sink")
        n = 30_000 if self.quick else 200_000
        runs = {"daemon": [], "sink": []}
        for _ in range(2):  # interleaved: both see the same neighbours' load
            s = Process([self.exe("bench/ccmon_ws_sink")], self.work, "sink")
            try:
                runs["sink"].append(self.load(f"ws://127.0.0.1:{s.port}/v1/stream", self.day,
                                              limit=n, batch=1, connections=4, window=64,
                                              daemon=s))
            finally:
                s.stop()
            d = self.daemon()
            try:
                runs["daemon"].append(self.load(f"ws://127.0.0.1:{d.port}/v1/stream", self.day,
                                                limit=n, batch=1, connections=4, window=64,
                                                daemon=d))
            finally:
                d.stop()
        best = {k: max(x["events_per_s"] for x in v) for k, v in runs.items()}
        ratio = best["daemon"] / best["sink"]
        self.results["ws_single"] = {"runs": runs, "best": best, "ratio": ratio}
        self.row("2a. WebSocket ingest, 1 event/frame, events/s", "(see ratio)",
                 f"{best['daemon']:,.0f}", True)
        self.row("2a. ... ratio to transport-only sink", f">= {TARGETS['ws_ratio']}",
                 f"{ratio:.3f} (sink {best['sink']:,.0f}/s)", ratio >= TARGETS["ws_ratio"])

    # --- 3. HTTP ----------------------------------------------------------
    def http(self):
        runs = []
        for i in range(2):
            log(f"HTTP NDJSON, 1,000 events a body (the large center's day), run {i + 1}")
            d = self.daemon()
            try:
                runs.append(self.load(f"http://127.0.0.1:{d.port}/v1/events", self.day,
                                      daemon=d, **HTTP_BATCHED_LOAD))
            finally:
                d.stop()
        r = max(runs, key=lambda x: x["events_per_s"])
        r["all_runs"] = [x["events_per_s"] for x in runs]
        self.results["http"] = r
        self.row("3. HTTP POST NDJSON, 1,000 events/body, events/s", f">= {TARGETS['http']:,}",
                 f"{r['events_per_s']:,.0f}", r["events_per_s"] >= TARGETS["http"])
        # Issue 12: the daemon's CPU per event, all threads, in the batched runs.
        for key, label in (("ws_batched", "WebSocket, 500 events/frame"),
                           ("http", "HTTP, 1,000 events/body")):
            x = self.results.get(key)
            if not x or "daemon_cpu_s" not in x:
                continue
            us = x["daemon_cpu_s"] / x["events"] * 1e6
            self.row(f"3b. daemon CPU per event, {label}",
                     f"<= {TARGETS['cpu_us_per_event']} µs", f"{us:.2f} µs",
                     us <= TARGETS["cpu_us_per_event"])

    # --- 4. scrape ----------------------------------------------------------
    def background(self, d, file, rate):
        return self.load(f"ws://127.0.0.1:{d.port}/v1/stream", file, background=True,
                         batch=500, connections=2, window=16, rate=rate)

    def scrape(self):
        out = {}
        for label, file in self.scrape_files.items():
            log(f"scrape, ~{label} series, while ingesting 100,000 events/s")
            d = self.daemon()
            try:
                bg = self.background(d, file, 100_000)
                # Every queue x channel has its series by then.
                wait_accepted(d.base, min(300_000, self.scrape_events[label] // 2))
                self.loads.append(loadavg())
                probe = subprocess.run(
                    [self.exe("bench/ccmon_http_probe"), "scrape", "--url", d.base,
                     "--count", "10" if self.quick else "40", "--interval-ms", "200"],
                    stdout=subprocess.PIPE, text=True, check=True)
                r = json.loads(probe.stdout)
                r["background"] = self.stop_load(bg)
                r["rss_kib"] = rss_kib(d.pid)
                # The same scrapes with ingestion stopped: what contention adds.
                idle = subprocess.run(
                    [self.exe("bench/ccmon_http_probe"), "scrape", "--url", d.base,
                     "--count", "10", "--interval-ms", "100"],
                    stdout=subprocess.PIPE, text=True, check=True)
                r["idle"] = json.loads(idle.stdout)
                before = process_cpu(d.pid)
                subprocess.run([self.exe("bench/ccmon_http_probe"), "scrape", "--url", d.base,
                                "--count", "10", "--interval-ms", "0"],
                               stdout=subprocess.DEVNULL, check=True)
                r["idle_cpu_ms"] = (process_cpu(d.pid) - before) * 100
            finally:
                d.stop()
            out[label] = r
            limit = {"50k": TARGETS["scrape_50k_p99_ms"],
                     "200k": TARGETS["scrape_200k_p99_ms"]}.get(label)
            ok = limit is None or r["p99_ms"] <= limit
            target = f"<= {limit:,} ms p99" if limit is not None else "-"
            self.row(f"4. /metrics, {r['series']:,} series ({r['bytes'] / 1e6:.1f} MB)", target,
                     f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms", ok)
        self.results["scrape"] = out

    # --- 5. freshness ---------------------------------------------------------
    def freshness(self):
        log("freshness at 100,000 events/s")
        file = self.scrape_files["10k"]
        with open(file) as f:
            first = f.readline()
        t = datetime.datetime.fromisoformat(json.loads(first)["time"].replace("Z", "+00:00"))
        d = self.daemon()
        try:
            bg = self.background(d, file, 100_000)
            wait_accepted(d.base, min(200_000, self.scrape_events["10k"] // 2))
            self.loads.append(loadavg())
            probe = subprocess.run(
                [self.exe("bench/ccmon_http_probe"), "fresh", "--url", d.base, "--time",
                 f"{t.timestamp():.3f}", "--count", "20" if self.quick else "100",
                 "--interval-ms", "50"], stdout=subprocess.PIPE, text=True, check=True)
            r = json.loads(probe.stdout)
            r["background"] = self.stop_load(bg)
            r["series"] = count_series(http_get(d.base, "/metrics"))
        finally:
            d.stop()
        self.results["fresh"] = r
        self.row("5. freshness, event -> /metrics, at 100k events/s",
                 f"<= {TARGETS['fresh_p99_ms']} ms p99",
                 f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms",
                 r["p99_ms"] <= TARGETS["fresh_p99_ms"])

    # --- 6. memory ------------------------------------------------------------
    def memory(self):
        out = {}
        for label, extra in (("default", ""), ("dedup_off", "ingest:\n  dedup:\n    horizon: 0\n")):
            log(f"memory per tracked contact ({label})")
            cfg = os.path.join(self.work, f"mem-{label}.yml")
            with open(cfg, "w") as f:
                f.write(CONFIG + extra)
            d = self.daemon(cfg)
            try:
                url = f"http://127.0.0.1:{d.port}/v1/events"
                warm = 2 * self.contacts_warmup
                self.load(url, self.contacts, limit=warm, batch=1000, connections=1, window=1)
                before = rss_kib(d.pid)
                self.load(url, self.contacts, skip=warm, batch=1000, connections=1, window=1)
                after = rss_kib(d.pid)
                tracked = metric_value(http_get(d.base, "/metrics"), "ccmon_tracked_contacts")
                if tracked < self.contacts_warmup + self.contacts_measured:
                    raise RuntimeError(f"only {tracked} contacts tracked")
            finally:
                d.stop()
            per = (after - before) * 1024 / self.contacts_measured
            out[label] = {"before_kib": before, "after_kib": after, "tracked": tracked,
                          "bytes_per_contact": per}
        self.results["memory"] = out
        per = out["default"]["bytes_per_contact"]
        self.row("6a. RSS per tracked contact (its 2 event ids remembered)",
                 f"<= {TARGETS['bytes_per_contact']} B", f"{per:,.0f} B "
                 f"({out['dedup_off']['bytes_per_contact']:,.0f} B without dedup)",
                 per <= TARGETS["bytes_per_contact"])
        ws = self.results["ws_batched"]
        self.row("6b. RSS, large center after its 8 h day", "-",
                 f"{ws['rss_kib'] / 1024:,.0f} MiB", True)

    # --- 7. durable state -------------------------------------------------------
    def state_config(self, name, mode_yaml):
        """(config file, state directory) for one run; a fresh directory, or
        "" (none) when mode_yaml is None."""
        if mode_yaml is None:
            return self.config_path, ""
        state_dir = os.path.join(self.work, f"state-{name}")
        shutil.rmtree(state_dir, ignore_errors=True)
        path = os.path.join(self.work, f"state-{name}.yml")
        with open(path, "w") as f:
            f.write(CONFIG + mode_yaml)
        return path, state_dir

    def timed_start(self, config, state_dir):
        """(daemon, seconds from exec to /-/ready 200): the restart time."""
        t0 = time.monotonic()
        d = self.daemon(config, state_dir=state_dir)
        return d, time.monotonic() - t0

    def state(self):
        transports = (
            ("ws", "WebSocket, 500 events/frame", "ws://127.0.0.1:{}/v1/stream",
             dict(batch=500, connections=4, window=64)),
            ("http", "HTTP, 1,000 events/body", "http://127.0.0.1:{}/v1/events",
             dict(batch=1000, connections=4, window=1)))
        out = {"ingest": {}, "runs": self.args.state_runs, "filesystem": subprocess.run(
            ["df", "--output=fstype", self.work], stdout=subprocess.PIPE,
            text=True).stdout.split()[-1]}
        for key, title, url, opts in transports:
            runs = {mode: [] for mode, _, _ in STATE_MODES}
            for i in range(self.args.state_runs):  # modes interleaved; the best counts
                for mode, label, yaml in STATE_MODES:
                    log(f"state: {title}, {label}, run {i + 1}")
                    config, state_dir = self.state_config(mode, yaml)
                    d = self.daemon(config, state_dir=state_dir)
                    try:
                        r = self.load(url.format(d.port), self.day, daemon=d, **opts)
                        m = http_get(d.base, "/metrics")
                        r["journal_bytes"] = metric_value(m, "ccmon_journal_written_bytes_total")
                        r["fsyncs"] = metric_value(m, "ccmon_journal_fsync_duration_seconds_count")
                    finally:
                        d.stop()
                    if state_dir:
                        shutil.rmtree(state_dir, ignore_errors=True)
                    runs[mode].append(r)
            best = {mode: max(v, key=lambda x: x["events_per_s"]) for mode, v in runs.items()}
            out["ingest"][key] = {"title": title, "runs": runs, "best": best}
            base = best["none"]["events_per_s"]
            for mode, label, _ in STATE_MODES[1:]:
                rate = best[mode]["events_per_s"]
                ok = mode != "always" or rate >= TARGETS["state_ratio"] * base
                self.row(f"7a. {title}, {label}, events/s",
                         f">= {TARGETS['state_ratio']:.0%} of no state" if mode == "always"
                         else "-", f"{rate:,.0f} ({rate / base:.0%} of {base:,.0f})", ok)

        log("state: restart after the large center's day")
        config, state_dir = self.state_config("restart", STATE_MODES[1][2])
        d = self.daemon(config, state_dir=state_dir)
        try:
            self.load(f"ws://127.0.0.1:{d.port}/v1/stream", self.day, batch=500, connections=4,
                      window=64)
            before = http_get(d.base, "/metrics")
        finally:
            d.proc.kill()  # the crash: nothing written on the way out
            d.stop()
        rs = {"events": self.day_events,
              "offered": metric_sum(before, "ccmon_contacts_offered_total"),
              "journal_written_bytes": metric_value(before, "ccmon_journal_written_bytes_total"),
              "journal_records": metric_value(before, "ccmon_journal_records_total"),
              "dir_bytes_killed": dir_bytes(state_dir)}
        for how in ("sigkill", "sigterm"):
            d, seconds = self.timed_start(config, state_dir)
            try:
                m = http_get(d.base, "/metrics")
                rs[how] = {
                    "ready_s": seconds,
                    "replay_s": metric_value(m, "ccmon_state_replay_duration_seconds"),
                    "replayed_records": metric_value(m, "ccmon_state_replayed_records_total"),
                    "rss_kib": rss_kib(d.pid),
                    "offered": metric_sum(m, "ccmon_contacts_offered_total"),
                }
                if rs[how]["offered"] != rs["offered"]:
                    raise RuntimeError(f"restart after {how} restored {rs[how]['offered']} "
                                       f"offered, not {rs['offered']}")
                t0 = time.monotonic()
            finally:
                d.stop()  # SIGTERM: writes the snapshot the next start loads
            rs[how]["stop_s"] = time.monotonic() - t0
            rs[how]["dir_bytes_after_stop"] = dir_bytes(state_dir)
            rs[how]["snapshots_after_stop"] = sum(
                1 for n in os.listdir(state_dir)
                if n.startswith("snapshot-") and n.endswith(".bin"))
        shutil.rmtree(state_dir, ignore_errors=True)
        out["restart"] = rs
        self.results["state"] = out
        for how, label in (("sigkill", "after SIGKILL (journal replay)"),
                           ("sigterm", "after SIGTERM (snapshot)")):
            x = rs[how]
            self.row(f"7b. restart {label}, large center's day, start to /-/ready",
                     f"< {TARGETS['restart_s']:.0f} s", f"{x['ready_s']:.2f} s",
                     x["ready_s"] < TARGETS["restart_s"])
        per_event = (rs["journal_written_bytes"] or 0) / self.day_events
        self.row("7c. journal bytes per event (`state.sync: always`)", "-",
                 f"{per_event:.1f} B ({rs['journal_written_bytes'] / 1e6:,.0f} MB for "
                 f"{self.day_events:,} events)", True)

    # --- 8. peer and ceiling -----------------------------------------------------
    def mtail(self):
        """mtail --one_shot over the day: (wall s, CPU s, events it counted)."""
        cmd = ["mtail", "--one_shot", "--one_shot_format", "prometheus", "--progs", MTAIL_PROGS,
               "--logs", self.day, "--logtostderr"]
        self.loads.append(loadavg())
        out = tempfile.TemporaryFile(mode="w+")
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            raise RuntimeError(f"mtail exited with {p.returncode}")
        out.seek(0)
        counted = metric_sum(out.read(), "ccmon_events_total")
        if counted != self.day_events:  # the peer must have read every line
            raise RuntimeError(f"mtail counted {counted} events, not {self.day_events}")
        cpu = ru.ru_utime + ru.ru_stime
        return {"seconds": wall, "cpu_s": cpu, "events": self.day_events,
                "events_per_s": self.day_events / wall}

    def peer(self):
        """Issue 12: ccmond (full engine) over one HTTP keep-alive connection in
        5,000-line bodies against mtail --one_shot counting the same lines,
        alternated three times (the best of each counts); then the parse-only
        ceiling over the same bodies (ccmon_codec_bench --file)."""
        version = subprocess.run(["mtail", "--version"], stdout=subprocess.PIPE,
                                 text=True).stdout.split(" git ")[0].strip()
        runs = {"mtail": [], "ccmond": []}
        for i in range(1 if self.quick else 3):
            log(f"peer: mtail --one_shot over the day, run {i + 1}")
            runs["mtail"].append(self.mtail())
            log(f"peer: ccmond, one HTTP connection, 5,000 lines a body, run {i + 1}")
            d = self.daemon()
            try:
                r = self.load(f"http://127.0.0.1:{d.port}/v1/events", self.day, batch=5000,
                              connections=1, window=1, daemon=d)
            finally:
                d.stop()
            if r["accepted"] != self.day_events:
                raise RuntimeError(f"ccmond accepted {r['accepted']} of {self.day_events}")
            runs["ccmond"].append(r)
        best = {k: max(v, key=lambda x: x["events_per_s"]) for k, v in runs.items()}
        ratio = best["ccmond"]["events_per_s"] / best["mtail"]["events_per_s"]
        log("ceiling: simdjson parse only over the same bodies")
        self.loads.append(loadavg())
        out = subprocess.run([self.exe("bench/ccmon_codec_bench"), "--file", self.day, "--batch",
                              "5000", "--passes", "3"], stdout=subprocess.PIPE, text=True,
                             check=True).stdout
        ceiling = json.loads(out)
        self.results["peer"] = {"runs": runs, "best": best, "ratio": ratio,
                                "mtail_version": version, "ceiling": ceiling}
        d, m = best["ccmond"], best["mtail"]
        self.row("8a. ccmond (1 HTTP connection, 5,000 lines/body) vs mtail --one_shot, same lines",
                 f">= {TARGETS['peer_ratio']:.0f}x",
                 f"{ratio:.2f}x ({d['events_per_s']:,.0f} vs {m['events_per_s']:,.0f} events/s)",
                 ratio >= TARGETS["peer_ratio"])
        parse = max(ceiling["parse"]["events_per_s"], ceiling["parse_many"]["events_per_s"])
        self.row("8b. ccmond end to end as a share of the parse-only ceiling (one core)", "-",
                 f"{d['events_per_s'] / parse:.1%} ({d['events_per_s']:,.0f} vs "
                 f"{parse:,.0f} events/s)", True)

    # --- 9. adapters ----------------------------------------------------------------
    def adapters(self):
        """The same simulated center in ccmon NDJSON and in each native format
        (ccmon-sim --format), each POSTed to its endpoint over one keep-alive
        connection in bodies of 1,000 records; the best of two runs."""
        q = self.quick
        cfg = os.path.join(self.work, "adapters.yml")
        with open(cfg, "w") as f:
            f.write(CONFIG + ADAPTER_CONFIG)
        out = {}
        for key, title, fmt, path, opts in ADAPTERS:
            file = os.path.join(self.work, f"adapter-{key}.ndjson")
            cmd = [self.exe("tools/sim/ccmon-sim"), "--out", file, "--seed", "5", "--start",
                   "2026-11-16T09:00:00Z", "--duration", "1h" if q else "8h", "--agents",
                   "200" if q else "1000", "--queues", "20", "--format", fmt]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            with open(file) as f:
                records = sum(1 for line in f if line.strip())
            runs = []
            for i in range(2):
                log(f"adapters: {title}, run {i + 1}")
                d = self.daemon(cfg)
                try:
                    r = self.load(f"http://127.0.0.1:{d.port}{path}", file, batch=1000,
                                  connections=1, window=1, daemon=d, **opts)
                finally:
                    d.stop()
                runs.append(r)
            os.remove(file)
            best = max(runs, key=lambda x: x["events_per_s"])
            best["all_runs"] = [x["events_per_s"] for x in runs]
            best["records"] = records
            out[key] = {"title": title, "path": path, "best": best}
        self.results["adapters"] = out
        base = out["ccmon"]["best"]
        for key, x in out.items():
            b = x["best"]
            ev = b["accepted"] / b["seconds"]
            self.row(f"9. {x['title']}, 1,000 records/body", "-",
                     f"{b['events_per_s']:,.0f} records/s, {ev:,.0f} events/s", True)

    # --- 10. Kafka source -------------------------------------------------------
    def kafka(self):
        """Issue 14: ccmond consuming a topic (ingest.kafka, docs/kafka.md) from
        librdkafka's mock cluster (ccmon-kafka-mock, 64 partitions), the
        events produced by ccmon-sim --url kafka://; against, in the same run,
        kcat consuming the same topic to /dev/null (a librdkafka consumer
        that does nothing: the limit of consuming from this cluster here) and
        the same events POSTed to /v1/events over one connection (the HTTP
        path with the same engine); then partition-owned state and a
        rebalance's restore (kafka_partitions)."""
        q = self.quick
        dur, agents = ("1h", "200") if q else ("4h", "1000")
        sim_args = ["--seed", "5", "--start", "2026-11-16T09:00:00Z", "--duration", dur,
                    "--agents", agents, "--queues", "20"]
        mock = subprocess.Popen([self.exe("tools/kafka_mock/ccmon-kafka-mock"), "--topic",
                                 "events:64"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
        try:
            bootstrap = mock.stdout.readline().split()[1]
            log("kafka: producing with ccmon-sim")
            t0 = time.monotonic()
            run = subprocess.run([self.exe("tools/sim/ccmon-sim"), "--url",
                                  f"kafka://{bootstrap}/events", "--speed", "max", "--summary",
                                  *sim_args], stdout=subprocess.PIPE, text=True, check=True)
            produce_s = time.monotonic() - t0
            events = json.loads(run.stdout)["emitted"]
            # The limit: a librdkafka consumer that only reads (kcat -e stops
            # at the end of every partition). Its count also proves the mock
            # kept every message (it keeps 5 MiB per partition).
            log("kafka: kcat reading the topic")
            t0 = time.monotonic()
            kc = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", "events", "-o",
                                 "beginning", "-e", "-q", "-f", "%p %o\n"],
                                stdout=subprocess.PIPE, text=True, check=True)
            kcat_s = time.monotonic() - t0
            kept = kc.stdout.count("\n")
            if kept != events:
                raise RuntimeError(f"the mock cluster kept {kept} of {events} messages")
            ends = {}  # partition -> its end offset (next offset), the non-empty ones
            for line in kc.stdout.splitlines():
                part, offset = map(int, line.split())
                ends[part] = max(ends.get(part, 0), offset + 1)
            runs = []
            for i, (mode, state) in enumerate((("none", ""), ("none", ""),
                                               ("always", os.path.join(self.work, "kstate")))):
                log(f"kafka: ccmond consuming, run {i + 1} (state {mode})")
                cfg = os.path.join(self.work, f"kafka-{i}.yml")
                with open(cfg, "w") as f:
                    f.write(CONFIG + "ingest:\n  kafka:\n"
                            f"    brokers: [{bootstrap}]\n    topics: [events]\n"
                            f"    group_id: bench-{i}\n    max_batch_messages: 5000\n"
                            + ("state:\n  sync: always\n" if state else ""))
                if state:
                    shutil.rmtree(state, ignore_errors=True)
                d = self.daemon(cfg, state_dir=state)
                try:
                    runs.append(self.consume(d, events))
                    runs[-1]["state"] = mode
                finally:
                    d.stop()
            parts = self.kafka_partitions(bootstrap, events, ends)
            runs.append(parts["run"])
            # The same events over HTTP, one connection, 5,000-line bodies.
            file = os.path.join(self.work, "kafka.ndjson")
            subprocess.run([self.exe("tools/sim/ccmon-sim"), "--out", file, *sim_args],
                           check=True, stdout=subprocess.DEVNULL)
            d = self.daemon()
            try:
                log("kafka: the same events over HTTP")
                http = self.load(f"http://127.0.0.1:{d.port}/v1/events", file, batch=5000,
                                 connections=1, window=1, daemon=d)
            finally:
                d.stop()
            os.remove(file)
        finally:
            mock.stdin.close()
            mock.wait(30)
        best = max((r for r in runs if r["state"] == "none"), key=lambda r: r["events_per_s"])
        durable = [r for r in runs if r["state"] == "always"][0]
        self.results["kafka"] = {
            "events": events, "produce_s": produce_s, "kcat_s": kcat_s,
            "kcat_per_s": events / kcat_s, "runs": runs, "best": best, "durable": durable,
            "partitions": parts, "http": {"events_per_s": http["events_per_s"],
                     "us_per_event": http["daemon_cpu_s"] * 1e6 / events},
            "sim": sim_args}
        self.row("10. Kafka source, events/s (no state; state.sync: always)", "-",
                 f"{best['events_per_s']:,.0f}; {durable['events_per_s']:,.0f} "
                 f"({best['events_per_s'] / (events / kcat_s):.0%} of kcat's "
                 f"{events / kcat_s:,.0f})", True)

    def kafka_partitions(self, bootstrap, events, ends):
        """Partition-owned state (ingest.kafka.state_dir, docs/scale-out.md):
        instance A reads the topic with a partition state directory and 1 s
        snapshots (its rate as in consume()); once every non-empty
        partition's snapshot is at the partition's end offset, A stops
        (SIGTERM: a last checkpoint, then it leaves the group) and B starts
        on the same directory and group. B's restore time: from its start
        until it owns the 64 partitions, every non-empty one restored from a
        snapshot, and the lag of each is 0; its log's timestamps split that
        into the start, the group's join and the restores."""
        root = os.path.join(self.work, "kparts")
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)  # the shared directory must exist (docs/kafka.md)
        cfg = os.path.join(self.work, "kafka-parts.yml")
        with open(cfg, "w") as f:
            f.write(CONFIG + "ingest:\n  kafka:\n"
                    f"    brokers: [{bootstrap}]\n    topics: [events]\n"
                    "    group_id: bench-parts\n    max_batch_messages: 5000\n"
                    # A member that left is not waited for long (the mock
                    # cluster's coordinator, as in the integration tests).
                    "    properties:\n      session.timeout.ms: 6000\n"
                    "      heartbeat.interval.ms: 500\n"
                    f"    state_dir: {root}\n    snapshot_interval: 1s\n")
        pdir = os.path.join(root, "bench-parts", "events")

        def newest(part):
            """(next offset, bytes) of a partition's newest snapshot, or None."""
            try:
                names = sorted(n for n in os.listdir(os.path.join(pdir, str(part)))
                               if n.startswith("snapshot-") and n.endswith(".bin"))
            except FileNotFoundError:
                return None
            if not names:
                return None
            return (int(names[-1][len("snapshot-"):-len(".bin")]),
                    os.path.getsize(os.path.join(pdir, str(part), names[-1])))

        log("kafka: ccmond consuming with partition-owned state (instance A)")
        a = self.daemon(cfg)
        try:
            run = self.consume(a, events)
            run["state"] = "partitions"
            deadline = time.monotonic() + 60
            while any((newest(p) or (-1,))[0] != end for p, end in ends.items()):
                if time.monotonic() > deadline:
                    raise RuntimeError("instance A did not snapshot every partition to its end")
                time.sleep(0.05)
            text = http_get(a.base, "/metrics")
            a_snapshots = sample(text, "ccmon_kafka_partition_snapshots_total", result="ok")
            a_bytes = metric_value(text, "ccmon_kafka_partition_snapshot_bytes_total")
            log("kafka: instance A stopping (SIGTERM)")
            t0 = time.monotonic()
        finally:
            a.stop()
        stop_s = time.monotonic() - t0
        images = [newest(p) for p in ends]
        if any(i is None or i[0] != ends[p] for p, i in zip(ends, images)):
            raise RuntimeError(f"snapshots after A stopped: {images} for {ends}")
        log("kafka: instance B taking the partitions over")
        started_wall = datetime.datetime.now(datetime.timezone.utc)
        t0 = time.monotonic()
        b = self.daemon(cfg)
        try:
            ready_s = time.monotonic() - t0
            deadline = t0 + 120
            while True:
                text = http_get(b.base, "/metrics")
                lags = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                        if line.startswith("ccmon_kafka_consumer_lag_messages{")]
                if (sample(text, "ccmon_kafka_assigned_partitions", topic="events") == 64
                        and sample(text, "ccmon_kafka_partitions_restoring") == 0
                        and sample(text, "ccmon_kafka_partition_restores_total",
                                   result="snapshot") == len(ends)
                        and len(lags) == 64 and not any(lags)):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("instance B did not take every partition over")
                time.sleep(0.02)
            total_s = time.monotonic() - t0
            restores = {r: sample(text, "ccmon_kafka_partition_restores_total", result=r) or 0
                        for r in ("snapshot", "empty", "failed")}
            last_s = metric_value(text, "ccmon_kafka_partition_restore_last_seconds")
            taken = sample(text, "ccmon_kafka_messages_total", topic="events")
        finally:
            b.stop()
        # B's log: when it subscribed and each partition's restore (its end
        # and its duration), on the daemon's clock (UTC, milliseconds).
        stamp = r"^(\S+) \S+ kafka: "
        with open(b.log_path) as f:
            blog = f.read()
        at = lambda s: datetime.datetime.fromisoformat(s)  # noqa: E731
        sub = re.search(stamp + r"consuming ", blog, re.M)
        done = [(at(m.group(1)), float(m.group(3)), m.group(2)) for m in re.finditer(
            stamp + r"\S+ restored \((\w+)\) in ([\d.]+) s", blog, re.M)]
        if not sub or len(done) != 64:
            raise RuntimeError(f"instance B's log: no subscription or {len(done)} restores")
        first = min(t - datetime.timedelta(seconds=s) for t, s, _ in done)
        last = max(t for t, _, _ in done)
        each = [s for _, s, _ in done]
        fs = subprocess.run(["findmnt", "-n", "-o", "FSTYPE", "-T", root],
                            stdout=subprocess.PIPE, text=True).stdout.strip() or "?"
        return {
            "run": run, "nonempty": len(ends), "fs": fs, "a_snapshots": a_snapshots,
            "a_snapshot_bytes": a_bytes, "a_stop_s": stop_s,
            "images": len(images), "image_bytes": sum(i[1] for i in images),
            "image_sizes": sorted(i[1] for i in images),
            "ready_s": ready_s, "total_s": total_s,
            "subscribe_s": (at(sub.group(1)) - started_wall).total_seconds(),
            "join_s": (first - at(sub.group(1))).total_seconds(),
            "restoring_s": (last - first).total_seconds(),
            "after_s": total_s - (last - started_wall).total_seconds(),
            "restore_sum_s": sum(each), "restore_max_s": max(each),
            "restore_snapshot_mean_s": statistics.mean(s for _, s, r in done if r == "snapshot"),
            "restore_last_s": last_s, "restores": restores, "b_taken": taken}

    def consume(self, d, events):
        """Until ccmond has taken `events` messages: the rate and the daemon's
        CPU from the first message taken to the last (the group join before
        it is not counted), polled on /metrics every 20 ms."""
        def taken():
            text = urllib.request.urlopen(d.base + "/metrics", timeout=30).read().decode()
            m = re.search(r'^ccmon_kafka_messages_total\{topic="events"\} (\S+)$', text, re.M)
            return int(float(m.group(1))) if m else 0
        deadline = time.monotonic() + 600
        n0 = 0
        while n0 == 0:
            if time.monotonic() > deadline:
                raise RuntimeError("ccmond took no Kafka message")
            time.sleep(0.02)
            n0 = taken()
        t0, cpu0 = time.monotonic(), process_cpu(d.pid)
        self.loads.append(loadavg())
        n = n0
        while n < events:
            if time.monotonic() > deadline:
                raise RuntimeError(f"ccmond took {n} of {events} Kafka messages")
            time.sleep(0.02)
            n = taken()
        seconds = time.monotonic() - t0
        cpu = process_cpu(d.pid) - cpu0
        return {"events_per_s": (events - n0) / seconds, "seconds": seconds, "first": n0,
                "us_per_event": cpu * 1e6 / (events - n0)}

    # --- profile -------------------------------------------------------------
    def profile(self):
        """Where the time goes, for the missed targets: perf when hardware
        counters work here, else callgrind on a shorter run."""
        perf_ok = False
        if shutil.which("perf"):
            p = subprocess.run(["perf", "stat", "-e", "instructions", "true"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            perf_ok = p.returncode == 0 and "<not supported>" not in p.stdout
        self.results["profiler"] = "perf" if perf_ok else "callgrind"
        missed = {r[0] for r in self.rows if r[3] == "MISS"}
        jobs = []
        if any(m.startswith(("2b", "3.")) for m in missed):
            jobs.append(("daemon, WebSocket 500 events/frame", "ws",
                         dict(batch=500, limit=20_000 if self.quick else 150_000)))
        if any(m.startswith("2a") for m in missed):
            jobs.append(("daemon, WebSocket 1 event/frame", "ws",
                         dict(batch=1, limit=3_000 if self.quick else 20_000)))
        if any(m.startswith("3.") for m in missed):
            jobs.append(("daemon, HTTP 1,000 events/body", "http",
                         dict(batch=1000, limit=20_000 if self.quick else 150_000)))
        if any(m.startswith(("4.", "5.")) for m in missed):
            jobs.append(("daemon, /metrics of the 64-queue center: instructions inside the "
                         "snapshot (engine thread) and the text rendering (io thread) only",
                         "scrape", {}))
        if any(m.startswith("1.") for m in missed):
            jobs.append(("engine bench: instructions inside Engine::apply only", "engine", {}))
        out = []
        for title, kind, opts in jobs:
            log(f"profiling: {title} ({self.results['profiler']})")
            out.append({"title": title, "top": self.profile_one(kind, opts, perf_ok)})
        self.results["profiles"] = out

    def profile_one(self, kind, opts, perf_ok):
        data = os.path.join(self.work, f"profile-{len(os.listdir(self.work))}.out")
        if kind == "engine":
            cmd = [self.exe("bench/ccmon_engine_bench"), "20000", "apply"]
            if perf_ok:
                subprocess.run(["perf", "record", "-g", "-o", data, "--"] + cmd, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            else:  # count Engine::apply only, not the generation of its input
                # The batch apply with ids hashed ahead, which the bench's
                # apply(events) reaches by a tail call. A pattern matching
                # both (*Engine::apply*) collected the outer one's few own
                # instructions only: callgrind saw it return at the jump.
                toggle = ("ccmon::core::Engine::apply(std::span<ccmon::core::Event const* const, "
                          "18446744073709551615ul>, ccmon::core::HashKey const&, "
                          "std::span<ccmon::core::HashedIds const, 18446744073709551615ul>)")
                subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={data}",
                                f"--toggle-collect={toggle}"] + cmd, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return self.top_functions(data, perf_ok)
        prefix = () if perf_ok else ("valgrind", "--tool=callgrind",
                                     f"--callgrind-out-file={data}")
        if kind == "scrape" and not perf_ok:
            prefix += ("--toggle-collect=*build_view*", "--toggle-collect=*render_metrics_text*")
        d = self.daemon(prefix=prefix)
        rec = None
        try:
            if perf_ok:
                rec = subprocess.Popen(["perf", "record", "-g", "-p", str(d.pid), "-o", data],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1)
            if kind == "scrape":
                self.load(f"ws://127.0.0.1:{d.port}/v1/stream", self.scrape_files["50k"],
                          batch=500, connections=2, window=16,
                          limit=20_000 if self.quick else 100_000)
                subprocess.run([self.exe("bench/ccmon_http_probe"), "scrape", "--url", d.base,
                                "--count", "5", "--interval-ms", "0"],
                               stdout=subprocess.DEVNULL, check=True)
            else:
                url = (f"ws://127.0.0.1:{d.port}/v1/stream" if kind == "ws"
                       else f"http://127.0.0.1:{d.port}/v1/events")
                self.load(url, self.day, connections=4, window=64 if kind == "ws" else 1, **opts)
            if rec:
                rec.send_signal(signal.SIGINT)
                rec.wait(120)
        finally:
            d.stop(timeout=600)
        return self.top_functions(data, perf_ok)

    @staticmethod
    def top_functions(data, perf_ok):
        """[(percent of the total, function)] by self cost, largest first."""
        if perf_ok:
            out = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                                  "--sort", "symbol", "-g", "none"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True).stdout
            top = []
            for line in out.splitlines():
                m = re.match(r"\s*([\d.]+)%\s+\S*\s*\[.\]\s+(.*)", line)
                if m:
                    top.append((float(m.group(1)), m.group(2).strip()))
            return top
        out = subprocess.run(["callgrind_annotate", "--threshold=100", data],
                             stdout=subprocess.PIPE, text=True).stdout
        total = None
        top = []
        for line in out.splitlines():
            m = re.match(r"\s*([\d,]+)\s.*PROGRAM TOTALS", line)
            if m:
                total = int(m.group(1).replace(",", ""))
                continue
            m = re.match(r"\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(\S.*)$", line)
            if m and total:
                ir = int(m.group(1).replace(",", ""))
                name = m.group(2)
                name = re.sub(r"\s*\[[^\]]*\]$", "", name)  # the object file
                top.append((100.0 * ir / total, name))
        return top

    # --- report --------------------------------------------------------------
    def machine(self):
        cpu = "?"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem_kib = int(f.readline().split()[1])
        cxx = "?"
        cache = os.path.join(self.build, "CMakeCache.txt")
        build_type = "?"
        with open(cache) as f:
            for line in f:
                if line.startswith("CMAKE_CXX_COMPILER:"):
                    comp = line.split("=", 1)[1].strip()
                    cxx = subprocess.run([comp, "--version"], stdout=subprocess.PIPE,
                                         text=True).stdout.splitlines()[0]
                if line.startswith("CMAKE_BUILD_TYPE:"):
                    build_type = line.split("=", 1)[1].strip()
        head = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h %s"],
                              stdout=subprocess.PIPE, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "core", "server",
                                "config"], stdout=subprocess.PIPE, text=True).stdout.split("\n")
        dirty = sorted({line[3:] for line in dirty if line.strip()})
        source = f"commit {head}"
        if dirty:
            source += (" plus uncommitted changes in "
                       + ", ".join(f"`{d}`" for d in dirty))
        return {
            "source": source,
            "cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem_kib / 1024 / 1024,
            "kernel": platform.release(), "compiler": cxx, "build_type": build_type,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        }

    def table(self):
        w = [max(len(str(r[i])) for r in self.rows + [("benchmark", "target", "measured", "")])
             for i in range(4)]
        lines = [" | ".join(str(c).ljust(w[i]) for i, c in enumerate(r))
                 for r in [("benchmark", "target", "measured", "result")] + self.rows]
        lines.insert(1, "-+-".join("-" * x for x in w))
        return "\n".join(lines)

    def state_section(self, st, run=None):
        """The lines of benchmark 7 (durable state), between markers so that
        `--only state` can replace them in the page; `run` describes that
        separate run (machine, date, load) when it is not the page's."""
        md = ["<!-- state:begin -->"]
        add = md.append
        add(f"7. **Durable state** (docs/operations.md): the large center's whole day "
            f"sent as in 2. and 3., to a daemon without a state directory "
            f"(`--state-dir \"\"`, as in 1.-6.), with `state.sync: always` (the default: "
            f"each acknowledgement waits for the fsync that covers it, group-committed "
            f"across connections) and with `state.sync: interval` (acknowledged at once, "
            f"synced every 100 ms), each on a fresh state directory in the work directory "
            f"({st['filesystem']} on this machine's virtual disk). The three modes "
            f"alternate, {st.get('runs', 2)} time(s); the best run of each counts. "
            f"Daemon CPU is {daemon_cpu_words(self.results)}, with its "
            f"busiest thread's seconds in brackets; the snapshot processes are the children it "
            f"forks to write snapshots (their CPU from the daemon's `cutime` and "
            f"`cstime`, plus any still running), which run on the same two cores as "
            f"the daemon and the load generator:\n")
        if run:
            add(f"Measured in a separate run (`scripts/bench --only state`) on the same "
                f"machine: {run['date']}, {run['source']}, build {run['build_type']}; load "
                f"average at start {run['started']}, while measuring "
                f"{', '.join(run['loads'])}. The sections above come from the run the page "
                f"header describes, so compare within this section only.\n")
        add("| transport | mode | events/s (runs) | share of no state | fsyncs | "
            "journal bytes/event | daemon CPU µs/event (busiest thread, s) | snapshot "
            "processes' CPU |\n|---|---|---|---|---|---|---|---|")
        for key, x in st["ingest"].items():
            base = x["best"]["none"]["events_per_s"]
            for mode, label, _ in STATE_MODES:
                best = x["best"][mode]
                runs = ", ".join(f"{y['events_per_s']:,.0f}" for y in x["runs"][mode])
                jb, fs = best.get("journal_bytes"), best.get("fsyncs")
                fsyncs = "-" if fs is None else f"{fs:,.0f}"
                per_event = "-" if jb is None else f"{jb / max(best['events'], 1):.1f}"
                cpu = "-"
                if "daemon_cpu_s" in best:
                    busiest = max(best.get("daemon_thread_cpu_s") or [0])
                    cpu = (f"{best['daemon_cpu_s'] * 1e6 / max(best['events'], 1):.2f} "
                           f"({busiest:.2f} s)")
                kids = best.get("daemon_children_cpu_s")  # absent in older results
                kids = "-" if kids is None or jb is None else f"{kids:.2f} s"
                add(f"| {x['title']} | {label} | {best['events_per_s']:,.0f} ({runs}) | "
                    f"{best['events_per_s'] / base:.0%} | {fsyncs} | {per_event} | {cpu} | "
                    f"{kids} |")
        rs = st["restart"]
        add(f"\n**Restart time.** The day ingested over WebSocket with `state.sync: "
            f"always`, then SIGKILL: the state directory held "
            f"{rs['dir_bytes_killed'] / 1e6:,.0f} MB "
            f"({rs['journal_written_bytes'] / 1e6:,.0f} MB of journal written, "
            f"{rs['journal_records']:,.0f} records, "
            f"{rs['journal_written_bytes'] / rs['events']:.1f} bytes per event). From the "
            f"start of `ccmond` to the first `/-/ready` 200 (polled every 50 ms), with "
            f"every `ccmon_contacts_offered_total` restored:\n")
        add("| restart | to ready | replay (`ccmon_state_replay_duration_seconds`) | "
            "records replayed | RSS after | clean stop after | state directory after "
            "the stop |\n|---|---|---|---|---|---|---|")
        for how, label in (("sigkill", "after SIGKILL"),
                           ("sigterm", "after the SIGTERM that ended the previous row")):
            x = rs[how]
            replay = "-" if x["replay_s"] is None else f"{x['replay_s']:.2f} s"
            records = "-" if x["replayed_records"] is None else f"{x['replayed_records']:,.0f}"
            add(f"| {label} | {x['ready_s']:.2f} s | {replay} | {records} | "
                f"{x['rss_kib'] / 1024:,.0f} MiB | {x['stop_s']:.2f} s | "
                f"{x['dir_bytes_after_stop'] / 1e6:,.0f} MB, "
                f"{x.get('snapshots_after_stop', 0)} snapshot file(s) |")
        add("")
        md.append("<!-- state:end -->\n")
        return md

    def peer_section(self, run=None):
        """Lines of 8. (peer and ceiling), between markers (see splice)."""
        p = self.results["peer"]
        md = ["<!-- peer:begin -->"]
        add = md.append
        d, m, c = p["best"]["ccmond"], p["best"]["mtail"], p["ceiling"]
        ev = d["events"]
        add("## Against a peer and against the limit (issue 12)\n")
        if run:
            add(self.run_note(run, "peer"))
        add(f"8. **Peer**: the large center's day ({ev:,} lines) counted by Debian's "
            f"`mtail --one_shot` ({p['mtail_version']}) with a counters-only program written "
            f"for this benchmark (`bench/mtail/ccmon_counters.mtail`: events by type, offered "
            f"by queue and channel, answered, abandoned, overflowed, agent states by state; "
            f"its total is checked against the line count), and the same lines sent to a "
            f"fresh `ccmond` with its full KPI engine over ONE HTTP keep-alive connection in "
            f"5,000-line NDJSON bodies (`ccmon_ingest_load --connections 1 --batch 5000`). "
            f"They alternate {len(p['runs']['mtail'])} time(s); the best of each counts. "
            f"mtail's time is from its start to its exit (it reads the file itself; its "
            f"start-up, about 0.3 s, is included); ccmond's is from the first request to the "
            f"last reply (the file read and cut into bodies before). Both sides' CPU time "
            f"(`/proc` for ccmond's threads, `wait4` for mtail's) is the steadier measure on "
            f"this shared machine.\n")
        add("| | events/s (runs) | wall | CPU (all threads) | CPU µs/event |\n|---|---|---|---|---|")
        for key, label in (("mtail", "mtail --one_shot, counters only"),
                           ("ccmond", "ccmond, full engine, 1 HTTP connection")):
            b = p["best"][key]
            runs = ", ".join(f"{x['events_per_s']:,.0f}" for x in p["runs"][key])
            cpu = b["cpu_s"] if key == "mtail" else b["daemon_cpu_s"]
            add(f"| {label} | {b['events_per_s']:,.0f} ({runs}) | {b['seconds']:.2f} s | "
                f"{cpu:.2f} s | {cpu * 1e6 / ev:.2f} |")
        cpu_ratio = m["cpu_s"] / d["daemon_cpu_s"]
        add(f"\nRatio ccmond / mtail: **{p['ratio']:.2f}×** in events/s (target ≥ 2×), "
            f"{cpu_ratio:.2f}× in CPU per event. ccmond's busiest threads (s): "
            f"{', '.join(str(t) for t in d['daemon_thread_cpu_s'][:4])}; the load generator "
            f"used {d['cpu_s'] * 1e6 / ev:.2f} µs/event.\n")
        add(f"**Ceiling**: `ccmon_codec_bench --file day.ndjson --batch 5000` cuts the same "
            f"file into the same {c['bodies']:,} bodies ({c['bytes'] / 1e6:,.0f} MB) and times, "
            f"in CPU time on one core (best of 3 passes), simdjson alone and then the whole "
            f"codec:\n")
        add("| pass | events/s per core | CPU µs/event | ccmond end to end as a share |\n"
            "|---|---|---|---|")
        for key, label in (("parse", "simdjson DOM parse of each line (what the decoder calls)"),
                           ("parse_many", "simdjson `parse_many` over each body"),
                           ("decode", "core::Decoder (parse, validation, core::Event)"),
                           ("decode_reused", "the same into the events of the body before "
                            "(as the daemon does, ingestion.md \"Reused events\")")):
            if key not in c:  # results of a run before the pass existed
                continue
            x = c[key]
            add(f"| {label} | {x['events_per_s']:,.0f} | {x['us_per_event']:.3f} | "
                f"{d['events_per_s'] / x['events_per_s']:.1%} of the rate, "
                f"{x['us_per_event'] / (d['daemon_cpu_s'] * 1e6 / ev):.1%} of the CPU |")
        add("")
        md.append("<!-- peer:end -->\n")
        return md

    def shards_section(self, run=None):
        """Lines of 1c. (shard scaling), between markers (see splice)."""
        x = self.results["shards"]
        md = ["<!-- shards:begin -->"]
        add = md.append
        add("## Engine shards (issue 12)\n")
        if run:
            add(self.run_note(run, "shards"))
        add(f"1c. **Shard scaling**: `ccmon_engine_bench --shards 4 --file day.ndjson` decodes "
            f"the large center's day ({x['events']:,} events, agent states included)"
            + (f" and hashes each event's contact and agent ids as the daemon's io threads do "
               f"({x['hash_ns']} ns per event, not counted below)" if x.get("hash_ns") else "")
            + f", then for 1 to 4 shards: the router "
            f"([architecture.md](architecture.md#sharding)) sends every event to its shard "
            + ("on the main thread, the whole day in one partition (an agent's states to its "
               "home shard and the shards its contacts went to)" if x.get("hash_ns") else
               "on the main thread (agent states to every shard)")
            + f", and each shard applies its "
            f"own events on a thread of its own in batches of 500. CPU times are per thread "
            f"(`CLOCK_THREAD_CPUTIME_ID`). This machine has fewer cores than 4 shards plus a "
            f"router, so the wall-clock rate here stops rising after 2 or 3 shards; the rate "
            f"\"with a core per shard\" is the day's events over the busiest thread's CPU "
            f"time (router or shard), what a machine with a core for each would reach with "
            f"the shards running free, as here. The daemon waits for every shard after each batch, so "
            f"its bound is lower: per batch, the slowest shard's time."
            + (f" {len(x['runs_per_core'])} runs, each in a fresh process; per shard count "
               f"the table shows the run with the median rate with a core per shard, so "
               f"its rows may come from different runs (all runs: "
               + "; ".join(" / ".join(f"{v:,}" for v in run) for run in x["runs_per_core"])
               + ")." if len(x.get("runs_per_core", [])) > 1 else "") + "\n")
        share = all(r.get("busiest_share") for r in x["rows"])
        add("| shards | router CPU (ns/event) | busiest shard CPU | all shards' CPU | applies "
            "per event | " + ("busiest shard's applies (× the mean) | " if share else "")
            + "wall here | events/s here | events/s with a core per shard | merged snapshot |\n|"
            + "---|" * (10 if share else 9))
        for r in x["rows"]:
            add(f"| {r['shards']} | {r['router_s']:.2f} s ({r['router_ns']}) | {r['max_s']:.2f} s "
                f"| {r['sum_s']:.2f} s | {r['applies']:.2f} | "
                + (f"{r['busiest_share']:.2f} | " if share else "")
                + f"{r['wall_s']:.2f} s | {r['here']:,} | {r['per_core']:,} | "
                f"{r['series']:,} series, {r['snapshot_ms']:.0f} ms |")
        add("")
        md.append("<!-- shards:end -->\n")
        return md

    def adapters_section(self, run=None):
        """Lines of 9. (adapter endpoints), between markers (see splice)."""
        a = self.results["adapters"]
        md = ["<!-- adapters:begin -->"]
        add = md.append
        add("## Adapter endpoints (issue 11)\n")
        if run:
            add(self.run_note(run, "adapters"))
        add("9. **Adapters**: one simulated center (`ccmon-sim --seed 5 --agents 1000 --queues "
            "20 --duration 8h`) written in ccmon NDJSON and in each native format "
            "(`--format queue_log|connect|twilio`, [simulator.md](simulator.md)), each file "
            "POSTed to its endpoint ([adapters.md](adapters.md)) by `ccmon_ingest_load` over "
            "one keep-alive HTTP connection in bodies of 1,000 native records (queue_log "
            "lines as `text/plain`; Connect and Twilio Event Streams records as a JSON array, "
            "with the API key or a Twilio signature computed per body before the clock "
            "starts); a fresh `ccmond` each run, the best of two. The formats carry "
            "different parts of the day (queue_log: voice only; Connect: no agent states), so "
            "records and ccmon events per second are both shown, and CPU per event is the "
            "measure to compare.\n")
        add("| endpoint | records | ccmon events accepted | records/s (runs) | ccmon events/s | "
            "daemon CPU µs per event | vs `/v1/events` (µs/event) |\n|---|---|---|---|---|---|---|")
        base = a["ccmon"]["best"]
        base_us = base["daemon_cpu_s"] * 1e6 / max(base["accepted"], 1)
        for key, x in a.items():
            b = x["best"]
            us = b["daemon_cpu_s"] * 1e6 / max(b["accepted"], 1)
            runs = ", ".join(f"{r:,.0f}" for r in b["all_runs"])
            add(f"| {x['title']} (`{x['path']}`) | {b['records']:,} | {b['accepted']:,} | "
                f"{b['events_per_s']:,.0f} ({runs}) | {b['accepted'] / b['seconds']:,.0f} | "
                f"{us:.2f} | {us / base_us:.2f}× |")
        add("")
        md.append("<!-- adapters:end -->\n")
        return md

    def kafka_section(self, run=None):
        """Lines of 10. (the Kafka source), between markers (see splice)."""
        k = self.results["kafka"]
        md = ["<!-- kafka:begin -->"]
        add = md.append
        add("## Kafka source (issue 14)\n")
        if run:
            add(self.run_note(run, "kafka"))
        b, dur, h = k["best"], k["durable"], k["http"]
        add(f"10. **Kafka source**: `ccmon-sim {' '.join(k['sim'])} --url kafka://.../events` "
            f"produces {k['events']:,} events, one message each keyed as "
            f"[kafka.md](kafka.md#keys-for-producers) says, to a topic of 64 partitions on "
            f"librdkafka's mock cluster (`ccmon-kafka-mock`, on this machine: a real Kafka "
            f"cluster is not packaged in Debian) in {k['produce_s']:.1f} s. A fresh `ccmond` in "
            f"a new consumer group then reads the topic from its start "
            f"(`max_batch_messages: 5000`); the rate counts from its first message taken to "
            f"its last (the group join before it is not counted), polled on `/metrics` every "
            f"20 ms. The limit beside it: `kcat -C -e` reading the whole topic to /dev/null, a "
            f"librdkafka consumer that does nothing with what it reads. The peer path: the "
            f"same events POSTed to `/v1/events` over one connection in 5,000-line bodies.\n")
        add("| run | events/s | daemon CPU µs per event |\n|---|---|---|")
        add(f"| kcat reading the topic (the limit here) | {k['kcat_per_s']:,.0f} | – |")
        for r in k["runs"]:
            what = ("partition-owned state (`state_dir`, 1 s snapshots)"
                    if r["state"] == "partitions" else f"state {r['state']}")
            add(f"| ccmond from Kafka, {what} | {r['events_per_s']:,.0f} | "
                f"{r['us_per_event']:.2f} |")
        add(f"| ccmond over HTTP, same events | {h['events_per_s']:,.0f} | "
            f"{h['us_per_event']:.2f} |")
        add("")
        add(f"From Kafka ccmond reaches {b['events_per_s'] / k['kcat_per_s']:.0%} of what "
            f"kcat reads, and {b['events_per_s'] / h['events_per_s']:.0%} of its own HTTP rate "
            f"on the same events; with `state.sync: always` "
            f"{dur['events_per_s'] / b['events_per_s']:.0%} of its rate without state. Not "
            f"profiled yet; what is known: the consumer takes one batch at a time (it waits "
            f"until the engine has applied a batch before it commits and reads the next), so "
            f"decoding and applying do not overlap as with several HTTP connections; it takes "
            f"messages one `consume()` call each; and the mock cluster serves from the same "
            f"two cores.\n")
        p = k.get("partitions")
        if p:
            md.extend(self.kafka_partitions_section(k, p))
        md.append("<!-- kafka:end -->\n")
        return md

    @staticmethod
    def kafka_partitions_section(k, p):
        """10b.: partition-owned state, a rebalance's restore (kafka_partitions)."""
        md = []
        add = md.append
        r = p["run"]
        b = k["best"]
        mib = p["image_bytes"] / 2**20
        add(f"10b. **Partition-owned state and a rebalance's restore** "
            f"([scale-out.md](scale-out.md)): instance A reads the same topic in a group of "
            f"its own with `ingest.kafka.state_dir` (a directory on this machine's "
            f"{p['fs']} disk) and `snapshot_interval: 1s` (`session.timeout.ms: 6000`, "
            f"`heartbeat.interval.ms: 500`): {r['events_per_s']:,.0f} events/s, "
            f"{r['events_per_s'] / b['events_per_s']:.0%} of the best run without state "
            f"(the table above). Once each of the {p['nonempty']} non-empty partitions (of 64) "
            f"has its snapshot at its end offset, A stops (SIGTERM: a last checkpoint, then "
            f"it leaves the group; {p['a_stop_s']:.2f} s) and instance B starts on the same "
            f"directory and group. Measured: B's wall time from its start until it owns the 64 "
            f"partitions, {p['restores']['snapshot']:.0f} restored from a snapshot "
            f"(`ccmon_kafka_partition_restores_total{{result=\"snapshot\"}}`), "
            f"{p['restores']['empty']:.0f} empty, {p['restores']['failed']:.0f} failed, and "
            f"every partition's lag is 0 (polled on `/metrics` every 20 ms); the parts come "
            f"from the timestamps of B's log.\n")
        add("| restore after the rebalance | |\n|---|---|")
        add(f"| B: start until it owns every partition, restored, lag 0 | "
            f"**{p['total_s']:.2f} s** |")
        add(f"| of which: start until subscribed (state directory, listeners) | "
            f"{p['subscribe_s']:.2f} s |")
        add(f"| of which: the group join (subscribed until the first restore begins) | "
            f"{p['join_s']:.2f} s |")
        add(f"| of which: the 64 restores, one after another in the assignment | "
            f"{p['restoring_s']:.2f} s (their durations add up to {p['restore_sum_s']:.2f} s) |")
        add(f"| of which: the last restore until lag 0 seen | {p['after_s']:.2f} s |")
        sizes = p["image_sizes"]
        add(f"| snapshots restored: count, bytes (one partition's: smallest, median, largest) | "
            f"{p['images']}, {mib:.1f} MiB ({sizes[0] / 2**20:.2f}, "
            f"{statistics.median(sizes) / 2**20:.2f}, {sizes[-1] / 2**20:.2f} MiB) |")
        add(f"| one partition's restore (read, check, decode into an engine): mean of those "
            f"from a snapshot, longest | {p['restore_snapshot_mean_s'] * 1e3:.1f} ms, "
            f"{p['restore_max_s'] * 1e3:.1f} ms |")
        add(f"| `ccmon_kafka_partition_restore_last_seconds` at the end | "
            f"{p['restore_last_s'] * 1e3:.1f} ms |")
        rate = mib / p["restore_sum_s"] if p["restore_sum_s"] > 0 else float("inf")
        add(f"| restore per MiB of snapshot (sum of restores / MiB) | "
            f"{p['restore_sum_s'] / mib * 1e3:.0f} ms ({rate:.0f} MiB/s) |")
        add(f"| A while reading: snapshots written, bytes written "
            f"(`ccmon_kafka_partition_snapshots_total{{result=\"ok\"}}`, "
            f"`..._snapshot_bytes_total`) | {p['a_snapshots']:.0f}, "
            f"{p['a_snapshot_bytes'] / 2**20:.1f} MiB |")
        add("")
        add(f"Of B's {p['total_s']:.2f} s, {p['join_s']:.2f} s is the group join, a wait of "
            f"the mock cluster's coordinator: after a member leaves it waits "
            f"`session.timeout.ms` − 1 s (5 s here) for the members to rejoin before it forms "
            f"the next generation, and B's JoinGroup came at most "
            f"{p['a_stop_s'] + p['subscribe_s']:.2f} s into that wait (librdkafka's "
            f"`rdkafka_mock_cgrp.c`; a member that died instead is waited for "
            f"`session.timeout.ms`). A real broker's coordinator has waits of its own (a group "
            f"left empty and joined again waits `group.initial.rebalance.delay.ms`, 3 s by "
            f"default). ccmond's own part is the rest: {p['subscribe_s']:.2f} s to start, "
            f"{p['restoring_s']:.2f} s restoring {mib:.1f} MiB of snapshots, one partition "
            f"after another, and {p['after_s']:.2f} s until the first fetches gave every lag. "
            f"B took {p['b_taken']:.0f} messages: each snapshot was at its partition's end "
            f"offset, so nothing was read again. A's rate is "
            f"{r['events_per_s'] / b['events_per_s']:.0%} of the run without state because "
            f"every second it snapshotted each partition that moved, all of its state "
            f"({p['a_snapshot_bytes'] / 2**20:.0f} MiB written in "
            f"{p['a_snapshots']:.0f} snapshots while reading {k['events']:,} events), on the "
            f"source's thread between batches; the default `snapshot_interval` (10 s) "
            f"writes a tenth as often.\n")
        return md

    def run_note(self, run, only):
        return (f"Measured in a separate run (`scripts/bench --only {only}`) on the same "
                f"machine: {run['date']}, {run['source']}, build {run['build_type']}; load "
                f"average at start {run['started']}, while measuring {', '.join(run['loads'])}. "
                f"Compare within this section only.\n")

    def splice(self, path, name, section):
        """Replaces the section between <!-- name:begin/end --> in the page, or
        puts it before the profiles the first time (--only NAME)."""
        text = "\n".join(section)
        with open(path) as f:
            page = f.read()
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->\n"
        if begin in page:
            a = page.index(begin)
            b = page.index(end, a) + len(end)
            page = page[:a] + text + page[b:]
        else:
            at = page.index("## Where the time goes") if "## Where the time goes" in page \
                else page.index("## Running it")
            page = page[:at] + text + "\n" + page[at:]
        with open(path, "w") as f:
            f.write(page)

    def splice_state(self, path, machine, started):
        """Replaces benchmark 7 in the page by this run's (--only state)."""
        run = dict(machine, started=started, loads=self.loads)
        section = "\n".join(self.state_section(self.results["state"], run))
        with open(path) as f:
            page = f.read()
        begin, end = "<!-- state:begin -->", "<!-- state:end -->\n"
        if begin in page:
            a = page.index(begin)
            b = page.index(end, a) + len(end)
            page = page[:a] + section + page[b:]
        else:  # first time: after benchmark 6, before the analysis
            at = page.index("## Where the time goes") if "## Where the time goes" in page \
                else page.index("## Running it")
            page = page[:at] + section + "\n" + page[at:]
        with open(path, "w") as f:
            f.write(page)

    def write_doc(self, path, machine, started, seconds):
        r = self.results
        md = []
        add = md.append
        add("# Benchmarks\n")
        add("<!-- Generated by scripts/bench (bench/run_benchmarks.py); the analysis section "
            "comes from bench/analysis.md. Do not edit by hand: rerun scripts/bench. -->\n")
        add("`scripts/bench` installs the dependencies, builds Release into `build/bench`, runs "
            "every benchmark below and rewrites this page. Everything runs on loopback, with the "
            "load generator (`bench/ingest_load.cpp`) on the same machine as the daemon, so the "
            "two share its cores.\n")
        add("## Machine and run\n")
        add("| | |\n|---|---|")
        add(f"| CPU | {machine['cpu']} |")
        add(f"| cores | {machine['cores']} |")
        add(f"| memory | {machine['memory_gib']:.1f} GiB |")
        add(f"| kernel | {machine['kernel']} |")
        add(f"| compiler | {machine['compiler']} |")
        add(f"| build type | {machine['build_type']} |")
        add(f"| date | {machine['date']} (run took {seconds / 60:.1f} min) |")
        add(f"| source | {machine['source']} |")
        add(f"| load average | at start {started}; while measuring "
            f"{', '.join(self.loads)}; at the end {self.final_load} |")
        if self.quick:
            add("| sizes | **--quick** (smoke run: small sizes, not representative) |")
        add("\nThe machine is shared: the load averages above can count other people's builds and "
            "tests next to ours, so wall-clock rates are lower, and noisier, than on an idle "
            "machine of the same kind. The engine benchmark reports CPU time, which others' "
            "work inflates far less; read the CPU-per-event columns and the callgrind "
            "instruction counts before the rates, and compare rates only within one run.\n")
        add("## Results\n")
        add("| benchmark | target | measured | result |\n|---|---|---|---|")
        for name, target, measured, res in self.rows:
            add(f"| {name} | {target} | {measured} | {'pass' if res == 'pass' else '**miss**'} |")
        add("")
        add(f"**CPU per event** in the ingest runs (the daemon's: "
            f"{daemon_cpu_words(self.results)}; the load generator's own CPU clock over the "
            "measured interval; the busiest threads from `/proc/PID/task/*/stat`). The busiest "
            "daemon threads are listed with their CPU seconds next to the wall time: a thread "
            "near the wall time is a serial bottleneck, and daemon + load generator near "
            f"{machine['cores']} × the wall time means the cores ran out.\n")
        add("| run | wall | daemon CPU | daemon µs/event | busiest daemon threads (s) | "
            "load generator µs/event |\n|---|---|---|---|---|---|")
        cpu_runs = [("WebSocket, 500 events/frame (best run)", r["ws_batched"]),
                    ("WebSocket, 1 event/frame (best run)",
                     max(r["ws_single"]["runs"]["daemon"], key=lambda x: x["events_per_s"])),
                    ("sink, 1 event/frame (best run)",
                     max(r["ws_single"]["runs"]["sink"], key=lambda x: x["events_per_s"])),
                    ("HTTP, 1,000 events/body (best run)", r["http"])]
        for name, x in cpu_runs:
            ev = max(x["events"], 1)
            add(f"| {name} | {x['seconds']:.2f} s | {x['daemon_cpu_s']:.2f} s | "
                f"{x['daemon_cpu_s'] * 1e6 / ev:.2f} | "
                f"{', '.join(str(t) for t in x['daemon_thread_cpu_s'][:4])} | "
                f"{x['cpu_s'] * 1e6 / ev:.2f} |")
        add("")
        add("## How each one runs\n")
        ws = r["ws_batched"]
        add(f"**Data.** `ccmon-sim` writes the events before anything is timed. The large "
            f"center is 5,000 agents over 100 queues (each with voice, chat, messaging and "
            f"email, as the simulator's queue profiles have them) for an 8-hour day from "
            f"2026-11-16 09:00 UTC: two simulator runs of 2,500 agents and 50 queues (ccmon-sim "
            f"makes at most 64 queues), agent ids renamed in the second, merged in time order: "
            f"{self.day_events:,} events with their full lifecycles (created, queued, answered, "
            f"held, transferred, ended, wrapped, messages, cases, surveys, agent states). Each "
            f"benchmark starts a fresh `ccmond` (so every event id is new to it) with the "
            f"default configuration except `server.clock: event` (the replayed day's windows "
            f"then fill as a live center's do: every event lands in all five windows 5m, 15m, "
            f"1h, 24h, today) and `cardinality.max_queues/max_teams: 1000`.\n")
        add("**Load generator.** `ccmon_ingest_load` reads the file, spreads the events over "
            "4 connections by contact (else agent) id, so each contact's lifecycle travels in "
            "order on one connection as it would from one producer, and cuts them into frames "
            "or request bodies, all in memory before the clock starts. It then sends with a "
            "window of unacknowledged frames per connection (WebSocket: 64, each frame sent in "
            "one write, `--write-buffer` 1 MiB; HTTP: one request at a time per keep-alive "
            "connection) and stops the clock at the last reply. Events "
            "of one agent (its states) and of its contacts travel on different connections, "
            f"so some agent states land out of sequence: {ws['out_of_sequence']:,.0f} of "
            f"{ws['events']:,} in the batched run, counted, never lost.\n")
        add(f"1. **Engine only**: `ccmon_engine_bench` applies a generated stream (100 queues × "
            f"3 channels, 5,000 agents) to `core::Engine` with the default 4 windows + today, "
            f"applied in batches of 500 as the daemon does, timed in process CPU time; five runs "
            f"({', '.join(f'{x:,}' for x in r['engine'].get('all_runs', []))} events/s), the "
            f"median counts. Its output for the median run:\n\n```\n{r['engine']['output']}\n```\n")
        if r["engine"].get("dedup_output"):
            add("   The duplicate-id memory (`core/dedup`), which the engine thread feeds beside "
                "the engine: `ccmon_dedup_bench` fills it to `max_ids` (the default 2,000,000; "
                "200,000 with `--quick`) and times inserts of new ids from then on, each of "
                "which forgets the oldest id at a random slot, in the loop of the journal "
                "replay (batches of 500, slots prefetched 8 inserts ahead), in CPU time, the "
                "best of 3 passes; the daemon's table is in the fork-excluded memory:\n\n"
                f"```\n{r['engine']['dedup_output']}\n```\n")
        single = r["ws_single"]
        rates = {k: ", ".join(f"{x['events_per_s']:,.0f}" for x in v)
                 for k, v in single["runs"].items()}
        add(f"2. **WebSocket**: batched, the whole day in frames of 500 events "
            f"({ws['frames']:,} frames, {ws['seconds']:.1f} s, accepted {ws['accepted']:,}, "
            f"rejected {ws['rejected']}; two runs, the best counts: "
            f"{', '.join(f'{x:,.0f}' for x in ws['all_runs'])} events/s); one event per frame, the first "
            f"{single['runs']['daemon'][0]['events']:,} events of the day, sent to `ccmond` and "
            f"to `ccmon_ws_sink` (`bench/ws_sink.cpp`: a Beast WebSocket server built like "
            f"ccmond's sessions, a strand per connection and one io thread per core, that "
            f"parses nothing and answers each frame with a fixed acknowledgement) by the same "
            f"load generator with the same frames; sink and daemon alternate twice and the best "
            f"run of each counts (runs: daemon {rates['daemon']}, sink {rates['sink']} "
            f"events/s).\n")
        h = r["http"]
        add(f"3. **HTTP**: `POST /v1/events`, `application/x-ndjson` bodies of 1,000 events, 4 "
            f"keep-alive connections, the whole day ({h['frames']:,} requests, {h['retries']} "
            f"answered 503 and sent again; two runs, the best counts: "
            f"{', '.join(f'{x:,.0f}' for x in h['all_runs'])} events/s).\n")
        sc = r["scrape"]
        add("4. **Scrape**: a simulated center of 2,000 agents with 1, 12, 39 or 64 queues (4 "
            "channels each), and for the last row four 64-queue centers merged in time order "
            "(their own queue and agent names), streams in at 100,000 events/s (2 WebSocket "
            "connections, 500-event frames, paced); once 300,000 events are accepted "
            f"`ccmon_http_probe scrape` GETs `/metrics` {'10' if self.quick else '40'} times, "
            "200 ms apart, timing each to the last byte of the body (the probe reads up to 64 KiB "
            "per system call):\n")
        add("| series | body | p50 | p99 | max | background achieved | idle p50 / p99 | "
            "daemon CPU per scrape |\n|---|---|---|---|---|---|---|---|")
        for label, x in sc.items():
            add(f"| {x['series']:,} | {x['bytes'] / 1e6:.1f} MB | {x['p50_ms']:.1f} ms | "
                f"{x['p99_ms']:.1f} ms | {x['max_ms']:.1f} ms | "
                f"{x['background']['events_per_s']:,.0f} events/s | "
                f"{x['idle']['p50_ms']:.1f} / {x['idle']['p99_ms']:.1f} ms | "
                f"{x['idle_cpu_ms']:.0f} ms |")
        add("\nThe last two columns come after the background load stopped: 10 scrapes 100 ms "
            "apart, then the daemon's CPU time (all threads) over 10 back-to-back scrapes, "
            "divided by 10.\n")
        f5 = r["fresh"]
        add(f"5. **Freshness**: the 12-queue center ({f5['series']:,} series) streams in at "
            f"100,000 events/s (achieved {f5['background']['events_per_s']:,.0f}); once "
            f"200,000 events are accepted, "
            f"`ccmon_http_probe fresh` POSTs a marker (a `contact.queued` in a queue never seen "
            f"before) and, on a second connection, GETs `/metrics` back to back until a series "
            f"of that queue appears; the time from writing the POST to the body that shows it, "
            f"{f5['samples']} markers 50 ms apart ({f5['polls_per_sample']} scrapes each on "
            f"average; max {f5['max_ms']:.1f} ms).\n")
        mem = r["memory"]
        add(f"6. **Memory**: (a) {self.contacts_measured:,} contacts `contact.queued` then "
            f"`contact.answered` (36-character contact and event ids, 50 queues, 5,000 "
            f"agents) that stay active, "
            f"posted after a warm-up of {self.contacts_warmup:,}; VmRSS from "
            f"`/proc/PID/status` before and after, divided by the contacts. With the default "
            f"configuration each contact also leaves its two event ids in the 24 h "
            f"de-duplication memory: {mem['default']['before_kib']:,} → "
            f"{mem['default']['after_kib']:,} KiB; with `ingest.dedup.horizon: 0` "
            f"{mem['dedup_off']['before_kib']:,} → {mem['dedup_off']['after_kib']:,} KiB. "
            f"(b) The RSS of the batched WebSocket run's daemon after the large center's whole "
            f"day: {ws['rss_kib'] / 1024:,.0f} MiB with {ws['series']:,} series, "
            f"{ws['tracked_contacts']:,.0f} contacts still tracked and the ids of the last "
            f"{min(ws['accepted'], 2_000_000):,} of its {ws['accepted']:,} events remembered "
            f"for de-duplication (`ingest.dedup.max_ids`, 2,000,000 by default).\n")
        if r.get("state"):
            md.extend(self.state_section(r["state"]))
        if r.get("shards"):
            md.extend(self.shards_section())
        if r.get("peer"):
            md.extend(self.peer_section())
        if r.get("adapters"):
            md.extend(self.adapters_section())
        if r.get("kafka"):
            md.extend(self.kafka_section())
        if r.get("profiles"):
            add("## Where the time goes\n")
            tool = r["profiler"]
            if tool == "callgrind":
                add("`perf stat -e instructions true` reports the hardware counters as not "
                    "supported on this machine (a VM), so the profiles come from "
                    "`valgrind --tool=callgrind` on shorter runs of the same load: the share of "
                    "instructions executed in each function itself (all threads; the kernel's "
                    "socket work is not counted).\n")
            else:
                add("`perf record -g` on the daemon under the same load; self time per "
                    "function.\n")
            for p in r["profiles"]:
                add(f"**{p['title']}**\n")
                add("By area (every function, grouped by name):\n")
                add("| area | share |\n|---|---|")
                for area, pct in areas(p["top"]):
                    add(f"| {area} | {pct:.1f} % |")
                add("\nThe top functions:\n")
                add("| share | function |\n|---|---|")
                for pct, fn in p["top"][:15]:
                    fn = fn.replace("|", "\\|")
                    if len(fn) > 160:
                        fn = fn[:157] + "..."
                    add(f"| {pct:.1f} % | `{fn}` |")
                add("")
        notes = os.path.join(ROOT, "bench", "analysis.md")
        if os.path.exists(notes):
            with open(notes) as f:
                add(f.read().strip() + "\n")
        add("## Running it\n")
        add("```sh\nscripts/bench            # 12-13 minutes here; rewrites docs/benchmarks.md\n"
            "scripts/bench --quick    # smoke run with small sizes\n"
            "scripts/bench --only state,http   # some parts only: prints the table, "
            "leaves this page alone\n"
            "scripts/bench --only peer,adapters,shards   # replace only their sections of "
            "this page\n"
            "```\n")
        add("The pieces run alone too (`build/bench/bench/`): `ccmon_engine_bench [contacts] "
            "[apply]`, `ccmon_ingest_load --url ws://H:P/v1/stream|http://H:P/v1/events --file "
            "F.ndjson [--batch N] [--connections N] [--window N] [--rate EVENTS_PER_S] [--skip "
            "N] [--limit N] [--body ndjson|array] [--content-type T] [--header 'K: V'] "
            "[--twilio-token T] [--write-buffer BYTES]`, `ccmon_ws_sink [--listen H:P]`, "
            "`ccmon_http_probe scrape|fresh --url http://H:P ...`, `ccmon_engine_bench --file F "
            "[--batch N] [--connections N] [--snapshot-every N] [--engine-thread]` (a file's "
            "events, CPU time and a KPI checksum; with `--engine-thread` also the duplicate-id "
            "and answer memories the daemon's engine thread feeds, with the ids hashed ahead as "
            "its io threads do), `ccmon_engine_bench --shards N [--file F]` (shard "
            "scaling, 1 to N shards), `ccmon_codec_bench --file F [--batch N]` (the "
            "parse-only ceiling), `ccmon_dedup_bench [max_ids] [inserts]` (the duplicate-id "
            "memory at max_ids).\n")
        add("## Comparing two builds\n")
        add("On a shared machine the same build's rates move by 15-30 % from run to run "
            "(the analysis above), so a change worth a few per cent shows only over many runs "
            "of both builds, alternated so that both meet the same neighbours. "
            "`bench/compare.py` does that for one benchmark: each pair runs the reference build "
            "A and the changed build B, B first in every second pair (an even number of pairs "
            "balances the order), and for each measure it "
            "prints both medians, B's over A's, in how many pairs B did better and the exact "
            "two-sided sign test's p-value (the chance of so lopsided a split between two "
            "builds that do not differ). `--what engine` (`ccmon_engine_bench --file`: the "
            "applies' CPU time, and the KPI checksum, which must be the same in every run), "
            "`codec` (decoding into reused events, µs per event), `websocket` and `http` "
            "(each build's ccmond under the load of rows 2b and 3, sent by A's load "
            "generator: events/s, the daemon's CPU per event (all its threads, those that "
            "ended too), its busiest thread's CPU and the others'). With `--state always` or "
            "`--state interval` those daemons keep their state in a fresh directory with that "
            "`state.sync`, as row 7a runs them, and their snapshot processes' CPU is one more "
            "measure (a run that journaled nothing fails). Without `--file` the large "
            "center's day is made first.\n")
        add("```sh\n"
            "scripts/install-deps   # once, on a fresh machine\n"
            "git worktree add --detach ../ccmon-main main   # the reference\n"
            "cmake -S ../ccmon-main -B ../ccmon-main/build/bench -G Ninja "
            "-DCMAKE_BUILD_TYPE=Release -DCCMON_BUILD_TESTS=OFF\n"
            "cmake --build ../ccmon-main/build/bench --target ccmond ccmon-sim "
            "ccmon_engine_bench ccmon_ingest_load ccmon_codec_bench\n"
            "cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release "
            "-DCCMON_BUILD_TESTS=OFF   # the change\n"
            "cmake --build build/bench --target ccmond ccmon-sim ccmon_engine_bench "
            "ccmon_ingest_load ccmon_codec_bench\n"
            "python3 bench/compare.py ../ccmon-main/build/bench build/bench --what engine "
            "--pairs 8\n"
            "python3 bench/compare.py ../ccmon-main/build/bench build/bench --what websocket "
            "--pairs 6 --json ws.json\n"
            "python3 bench/compare.py ../ccmon-main/build/bench build/bench --what websocket "
            "--state always --pairs 12\n"
            "```\n")
        page = "\n".join(md)
        # The live-feed section comes from bench/live_bench.py --doc: kept.
        begin, end = "<!-- live:begin -->", "<!-- live:end -->\n"
        if os.path.exists(path):
            with open(path) as f:
                old = f.read()
            if begin in old and end in old:
                kept = old[old.index(begin):old.index(end) + len(end)]
                at = page.index("## Where the time goes") if "## Where the time goes" in page \
                    else page.index("## Running it")
                page = page[:at] + kept + "\n" + page[at:]
        with open(path, "w") as f:
            f.write(page)

    STATE = ("results", "rows", "loads", "final_load", "day_events", "contacts_warmup",
             "contacts_measured", "quick")

    def save(self, path, machine, started, seconds):
        state = {k: getattr(self, k, None) for k in self.STATE}  # --only: some unset
        state.update(machine=machine, started=started, seconds=seconds)
        with open(path, "w") as f:
            json.dump(state, f, indent=1)

    def restore(self, path):
        with open(path) as f:
            state = json.load(f)
        for k in self.STATE:
            setattr(self, k, state[k])
        self.rows = [tuple(r) for r in self.rows]
        return state["machine"], state["started"], state["seconds"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--state-runs", type=int, default=2,
                    help="runs of each state mode in benchmark 7 (the best counts)")
    ap.add_argument("--only", type=lambda v: v.split(","), default=None,
                    help="comma-separated benchmarks to run (engine, shards, websocket, http, "
                         "scrape, freshness, memory, state, peer, adapters); prints the table; "
                         "state, shards, peer and adapters replace their own section of the "
                         "page, the others leave it alone")
    ap.add_argument("--render", metavar="RESULTS_JSON",
                    help="rewrite the page from a previous run's results (no measuring)")
    args = ap.parse_args()
    suite = Suite(args)
    if args.render:
        shutil.rmtree(suite.work)
        machine, started, seconds = suite.restore(args.render)
        suite.write_doc(args.out, machine, started, seconds)
        print(suite.table())
        return 0
    started = loadavg()
    machine = suite.machine()  # before the run: what was built
    t0 = time.monotonic()
    try:
        log(f"generating events in {suite.work}")
        suite.make_data()
        steps = ("engine", "shards", "websocket", "http", "scrape", "freshness", "memory", "state",
                 "peer", "adapters", "kafka")
        for step in steps:
            if args.only is None or step in args.only:
                getattr(suite, step)()
        if args.only is None:
            suite.profile()
        print()
        print(suite.table())
        seconds = time.monotonic() - t0
        suite.final_load = loadavg()
        results = os.path.join(suite.work, "results.json")
        suite.save(results, machine, started, seconds)
        if args.only is not None:
            run = dict(machine, started=started, loads=suite.loads)
            for name in ("peer", "adapters", "shards", "kafka"):
                if name in args.only:
                    suite.splice(args.out, name, getattr(suite, name + "_section")(run))
                    log(f"--only: the {name} section of {args.out} replaced")
            if "state" in args.only:
                suite.splice_state(args.out, machine, started)
                log(f"--only: benchmark 7 of {args.out} replaced; results in {results}")
            elif not {"peer", "adapters", "shards", "kafka"} & set(args.only):
                log(f"--only: {args.out} left alone; results in {results}")
            return 0
        suite.write_doc(args.out, machine, started, seconds)
        log(f"wrote {args.out}; results in {results} (--render it after editing "
            f"bench/analysis.md)")
    finally:
        if not args.keep:
            for name in os.listdir(suite.work):
                if name.endswith(".ndjson"):
                    os.remove(os.path.join(suite.work, name))
    return 0  # a missed target is a result, not a failure of the suite


if __name__ == "__main__":
    sys.exit(main())
