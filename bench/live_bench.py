#!/usr/bin/env python3
"""The wallboard feed with 1,000 viewers (docs/benchmarks.md, "Live feed"):
ccmond (Release) fed a live center by ccmon-sim in real time, then
ccmon_live_viewers opens 1,000 reading viewers of GET /v1/live, with and
without 50 stalled ones (handshake, then never read). Measures ccmond's CPU
(its /proc stat over a steady window, after the viewers connected) and RSS,
and what the reading viewers got: messages each, delay from a message's
`now` to its arrival. One rendering per tick is shared by all viewers
(server/live_feed.*), so CPU should grow with the bytes written, not with
renderings; a stalled viewer must not delay the others.

    bench/live_bench.py [--build build/release] [--viewers 1000] [--slow 50]
                        [--seconds 40] [--agents 200] [--queues 8] [--doc docs/benchmarks.md]
Prints a JSON object per phase and a Markdown table; --doc splices them
into the page between <!-- live:begin --> and <!-- live:end -->.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

LISTEN_RE = re.compile(r"listening on https?://([0-9.]+):(\d+)")
TICKS = os.sysconf("SC_CLK_TCK")

CONFIG = """
server:
  limits:
    max_connections: 8192
    max_connections_per_address: 8192
wallboard:
  max_viewers: 5000
"""


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def metric(base, name):
    text = urllib.request.urlopen(base + "/metrics", timeout=30).read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--viewers", type=int, default=1000)
    ap.add_argument("--slow", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=40)
    ap.add_argument("--agents", type=int, default=200)
    ap.add_argument("--queues", type=int, default=8)
    ap.add_argument("--doc", help="splice the results into this page (docs/benchmarks.md)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    work = tempfile.mkdtemp(prefix="ccmon-live-bench-")
    config = os.path.join(work, "ccmon.yml")
    with open(config, "w") as f:
        f.write(CONFIG)
    log = open(os.path.join(work, "ccmond.log"), "w")
    daemon = subprocess.Popen([os.path.join(build, "server/ccmond"), "--config", config,
                               "--listen", "127.0.0.1:0", "--state-dir", ""],
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            m = LISTEN_RE.search(open(log.name).read())
            if m:
                break
            if daemon.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(open(log.name).read())
            time.sleep(0.05)
        port = int(m.group(2))
        base = f"http://127.0.0.1:{port}"
        # A live center: events at their real times (the sim's realtime pace),
        # the morning of the current day so far replayed at once first.
        sim = subprocess.Popen([os.path.join(build, "tools/sim/ccmon-sim"), "--url",
                                f"ws://127.0.0.1:{port}/v1/stream", "--speed", "realtime",
                                "--agents", str(args.agents), "--queues", str(args.queues),
                                "--duration", "8h"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        results = []
        loads = []
        try:
            time.sleep(10)  # the sim's first batches; then a steady center
            # Idle: the feed renders nothing without viewers.
            c0, t0 = cpu_seconds(daemon.pid), time.monotonic()
            time.sleep(10)
            idle = {"phase": "no viewers", "cpu_pct": 100 * (cpu_seconds(daemon.pid) - c0) /
                    (time.monotonic() - t0), "rss_mib": rss_mib(daemon.pid)}
            results.append(idle)
            print(json.dumps(idle), flush=True)
            # 0, stalled, 0 again: a change that stays after the stalled viewers
            # left comes from the center (bigger messages), not from them.
            for slow in (0, args.slow, 0):
                viewers = subprocess.Popen(
                    [os.path.join(build, "bench/ccmon_live_viewers"), "--port", str(port),
                     "--viewers", str(args.viewers), "--slow", str(slow),
                     "--seconds", str(args.seconds)], stdout=subprocess.PIPE, text=True)
                # Steady window: from 10 s after the viewers started (all
                # connected, their first states sent) to 2 s before the end.
                time.sleep(10)
                c1, t1 = cpu_seconds(daemon.pid), time.monotonic()
                events1 = metric(base, "ccmon_events_accepted_total")
                dropped1 = metric(base, "ccmon_live_messages_dropped_total")
                time.sleep(args.seconds - 12)
                with open("/proc/loadavg") as f:
                    loads.append(" ".join(f.read().split()[:3]))
                cpu = 100 * (cpu_seconds(daemon.pid) - c1) / (time.monotonic() - t1)
                rate = (metric(base, "ccmon_events_accepted_total") - events1) / (
                    time.monotonic() - t1)
                rss = rss_mib(daemon.pid)
                # Messages replaced by the latest state for a viewer still
                # writing an older one (docs/wallboard.md, "Slow viewers"),
                # per second of the window.
                dropped = (metric(base, "ccmon_live_messages_dropped_total") - dropped1) / (
                    time.monotonic() - t1)
                client_cpu = cpu_seconds(viewers.pid)  # the viewers' own, whole run
                out = json.loads(viewers.communicate(timeout=120)[0])
                out["viewers_cpu_s"] = client_cpu
                out.update({"phase": f"{args.viewers} viewers, {slow} stalled",
                            "bytes_per_message": out["bytes"] / max(1, out["messages_median"] * args.viewers),
                            "cpu_pct": cpu, "rss_mib": rss, "events_per_s": rate,
                            "dropped_per_s": dropped,
                            # states beyond each reading viewer's first: catch-ups
                            "catch_up_states": out["states"] - out["connected"] + slow})
                results.append(out)
                print(json.dumps(out), flush=True)
                time.sleep(3)  # the viewers' sockets close; the next phase starts clean
        finally:
            sim.terminate()
            sim.wait(30)
    finally:
        daemon.terminate()
        daemon.wait(60)
        log.close()
    print("\n" + "\n".join(table(results)))
    if args.doc:
        splice(args.doc, section(args, results, loads))
    return 0


def table(results):
    rows = ["| phase | ccmond CPU | RSS | messages / reading viewer (min, median) | "
            "bytes / message | delay p50 / p99 / max | catch-up states (reading viewers) | "
            "dropped / s | failed |",
            "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        if "messages_min" in r:
            rows.append(f"| {r['phase']} | {r['cpu_pct']:.1f} % | {r['rss_mib']:.0f} MiB | "
                        f"{r['messages_min']:.0f}, {r['messages_median']:.0f} in {r['seconds']} s"
                        f" | {r['bytes_per_message'] / 1000:.1f} kB | {r['delay_ms_p50']:.0f} / "
                        f"{r['delay_ms_p99']:.0f} / {r['delay_ms_max']:.0f} ms | "
                        f"{r['catch_up_states']} | {r['dropped_per_s']:.1f} | {r['failed']} |")
        else:
            rows.append(f"| {r['phase']} | {r['cpu_pct']:.1f} % | {r['rss_mib']:.0f} MiB | – | – "
                        "| – | – | – | – |")
    return rows


def section(args, results, loads):
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    head = subprocess.run(["git", "log", "-1", "--format=%h %s"], stdout=subprocess.PIPE,
                          text=True).stdout.strip()
    date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    md = ["<!-- live:begin -->",
          "## Live feed: 1,000 wallboard viewers\n",
          f"`bench/live_bench.py --agents {args.agents} --queues {args.queues}` (not part of "
          "`scripts/bench`; this section is kept when that rewrites the page): a Release "
          "`ccmond` with the default configuration apart from the connection limits and "
          "`wallboard.max_viewers`, fed in real time by `ccmon-sim --speed realtime` over "
          f"`/v1/stream` ({args.agents} agents, {args.queues} queues, so "
          f"{args.queues * 5} queue × channel series); then `ccmon_live_viewers` "
          f"(`bench/live_viewers.cpp`, one thread) opens {args.viewers} viewers of `/v1/live` "
          f"that read every message, for {args.seconds} s: alone, beside {args.slow} stalled "
          "viewers (handshake, a 4 KiB receive buffer, then never read), and alone again. "
          "ccmond's CPU is its user + system time over a steady window (from 10 s after the "
          "viewers started, when all are connected and have their first `state`, to 2 s before "
          "the end), in % of one core; RSS at the end of the window. Delay: from a message's "
          "`now` (the tick's instant) to its arrival at the viewer, wall clock, every message "
          "of every reading viewer.\n",
          f"Machine: {cpu}, {os.cpu_count()} cores, shared with other builds (load average "
          f"{', '.join(loads)}); {date}; commit {head}.\n",
          ]
    md += table(results)
    md.append("")
    md.append("Columns: *catch-up states* counts the `state` messages the reading viewers "
              "got beyond their first (a viewer four ticks behind gets the latest `state` in "
              "place of the updates waiting for it; 0 means every reading viewer got every "
              "tick's update); *dropped / s* is `ccmon_live_messages_dropped_total` over the window "
              "(a stalled viewer has its three waiting updates replaced by the latest state "
              "every three ticks, so about one per stalled viewer a second). One rendering "
              "per tick is shared by all viewers, so ccmond's CPU follows the bytes it writes (viewers x bytes / "
              "message), not the number of renderings; updates carry only the tiles, agents, "
              "rules and interval rows that changed (docs/wallboard.md, \"Changes in "
              "updates\"). A stalled viewer holds at most four shared pointers (the message "
              "pending on its full socket and at most three waiting behind it), whatever the "
              "number of ticks. ccmon-sim starts its center empty, so messages grow from phase to "
              "phase; the third phase, with no stalled viewer left, separates the stalled "
              "viewers' effect from that growth.")
    md.append("<!-- live:end -->")
    return "\n".join(md) + "\n"


def splice(path, text):
    with open(path) as f:
        page = f.read()
    begin, end = "<!-- live:begin -->", "<!-- live:end -->\n"
    if begin in page:
        a = page.index(begin)
        page = page[:a] + text + page[page.index(end, a) + len(end):]
    else:
        at = page.index("## Where the time goes")
        page = page[:at] + text + "\n" + page[at:]
    with open(path, "w") as f:
        f.write(page)


if __name__ == "__main__":
    sys.exit(main())
