#!/usr/bin/env python3
"""Compares two optimised builds of ccmon on one benchmark in alternated
pairs, so that a change smaller than a shared machine's run-to-run spread can
still show (docs/benchmarks.md, "Comparing two builds").

  bench/compare.py BUILD_A BUILD_B [--what engine|codec|websocket|http]
                   [--pairs 8] [--file F] [--connections N]
                   [--state always|interval] [--json OUT]

BUILD_A is the reference (say, a worktree of main), BUILD_B the change; both
are build directories like scripts/bench's build/bench. A pair runs A then
B, every second pair B then A, so that a machine slowing down or speeding up
during the comparison weighs on both builds alike (an even --pairs balances
the order).

What runs, over F (default: the large center's day, made first with ccmon-sim
as scripts/bench makes it, some ten seconds):
  engine     ccmon_engine_bench --file F [--connections N]: the applies' CPU
             seconds; the KPI checksum must be the same in every run of both
             builds, else the comparison fails (exit status 1): a change meant
             to keep every KPI changed one
  codec      ccmon_codec_bench --file F: µs of CPU per event decoding into
             reused events, as the daemon's io threads do
  websocket  each build's ccmond, sent F by BUILD_A's ccmon_ingest_load as row
             2b sends it (500 events a frame, 4 connections, 64 frames in
             flight): events/s, the daemon's CPU per event (all its threads,
             those that ended too), its busiest thread's CPU (the engine
             thread) and the other threads' CPU
  http       the same as row 3 sends it (1,000 events a body, 4 connections)

With --state MODE (websocket and http only) each daemon keeps its durable
state in a fresh directory, with `state.sync` MODE, as row 7a runs it; the
directory is removed after each run; the snapshot processes' CPU is one
more measure.

For each measure it prints the two medians, B's over A's, in how many pairs B
did better, and the exact two-sided sign test's p-value over the pairs that
differ: the chance of a split at least that lopsided between two builds that
do not differ. Exit status 0 whatever the outcome, 1 when the KPI checksums
differ, 2 on bad arguments, a missing program or an unwritable --json, 3
when a run gave no measure (a benchmark's error or unexpected output, a
daemon that did not start, events refused, or with --state a daemon that
journaled nothing).
"""
import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_benchmarks as rb  # noqa: E402  (the suite's processes, CPU readings, data)

# What each kind of run needs in both build directories; the daemon runs
# also need BUILD_A's load generator, and making the day BUILD_A's simulator.
PROGRAMS = {
    "engine": ["bench/ccmon_engine_bench"],
    "codec": ["bench/ccmon_codec_bench"],
    "websocket": ["server/ccmond"],
    "http": ["server/ccmond"],
}
# The loads of rows 2b and 3: (URL, ccmon_ingest_load options).
LOADS = {
    "websocket": ("ws://127.0.0.1:{port}/v1/stream", rb.WS_BATCHED_LOAD),
    "http": ("http://127.0.0.1:{port}/v1/events", rb.HTTP_BATCHED_LOAD),
}
# Which way each measure is better.
LOWER_IS_BETTER = {"apply_cpu_s": True, "decode_us_per_event": True, "events_per_s": False,
                   "daemon_cpu_us_per_event": True, "busiest_thread_cpu_s": True,
                   "other_threads_cpu_s": True, "snapshot_processes_cpu_s": True}
ENGINE_RE = re.compile(r"in ([0-9.]+) s CPU = \d+ events/s per core; \d+ snapshots in [0-9.]+ s "
                       r"CPU; KPI checksum ([0-9a-f]+)")


class ChecksumMismatch(Exception):
    pass


class RunFailed(Exception):
    """A run that gave no measure: a benchmark's error or unexpected output, a
    daemon that did not start, events refused."""


def sign_test_p(better, worse):
    """Two-sided exact sign test: the probability, under Binomial(n, 1/2)
    with n = better + worse, of a split at least as lopsided as this one
    (ties are left out before). 1.0 when n is 0."""
    n = better + worse
    if n == 0:
        return 1.0
    k = min(better, worse)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


def pair_order(i):
    """The builds' order in pair i: A first in even pairs, B first in odd ones."""
    return ("a", "b") if i % 2 == 0 else ("b", "a")


def summarise(pairs, lower_is_better):
    """{measure: row} from pairs [{"a": {measure: value}, "b": {...}}]; a row
    holds both medians, B's median over A's, in how many pairs B did better
    and worse, and the sign test's p-value."""
    rows = {}
    for measure in pairs[0]["a"]:
        a = [p["a"][measure] for p in pairs]
        b = [p["b"][measure] for p in pairs]
        lower = lower_is_better[measure]
        better = sum(1 for x, y in zip(a, b) if (y < x if lower else y > x))
        worse = sum(1 for x, y in zip(a, b) if (y > x if lower else y < x))
        ma, mb = statistics.median(a), statistics.median(b)
        rows[measure] = {
            "a_median": ma, "b_median": mb, "b_over_a": mb / ma if ma else float("nan"),
            "b_better": better, "b_worse": worse, "pairs": len(pairs),
            "sign_test_p": sign_test_p(better, worse), "lower_is_better": lower,
            "a": a, "b": b,
        }
    return rows


def check_checksums(pairs):
    """Raises ChecksumMismatch unless every run gave the same KPI checksum."""
    seen = {(side, p[side + "_checksum"]) for p in pairs for side in ("a", "b")}
    sums = {c for _, c in seen}
    if len(sums) > 1:
        by_side = {side: sorted({c for s, c in seen if s == side}) for side in ("a", "b")}
        raise ChecksumMismatch(f"KPI checksums differ: A {by_side['a']}, B {by_side['b']}")


class Runner:
    """The runs of both builds. Each build's daemon and tools come from a
    run_benchmarks.Suite of its own (its work directory, its config)."""

    def __init__(self, suites, what, data, connections, state=None):
        self.suites, self.what, self.data, self.connections = suites, what, data, connections
        self.state = state  # a STATE_MODES name of run_benchmarks, or None: no state

    def exe(self, side, rel):
        return self.suites[side].exe(rel)

    def run(self, side):
        """One run of `side`'s build: ({measure: value}, KPI checksum or None).
        Raises RunFailed when it gives no measure."""
        try:
            if self.what == "engine":
                return self.engine_run(side)
            if self.what == "codec":
                return self.codec_run(side), None
            return self.daemon_run(side), None
        except subprocess.CalledProcessError as e:
            raise RunFailed(f"{e.cmd[0]} exited with status {e.returncode}") from e
        except OSError as e:
            raise RunFailed(str(e)) from e

    def engine_run(self, side):
        out = subprocess.run([self.exe(side, "bench/ccmon_engine_bench"), "--file", self.data,
                              "--connections", str(self.connections)],
                             stdout=subprocess.PIPE, text=True, check=True).stdout
        m = ENGINE_RE.search(out)
        if not m:
            raise RunFailed(f"unexpected ccmon_engine_bench output:\n{out}")
        return {"apply_cpu_s": float(m.group(1))}, m.group(2)

    def codec_run(self, side):
        out = subprocess.run([self.exe(side, "bench/ccmon_codec_bench"), "--file", self.data,
                              "--batch", "500", "--passes", "3"],
                             stdout=subprocess.PIPE, text=True, check=True).stdout
        try:
            return {"decode_us_per_event": float(json.loads(out)["decode_reused"]["us_per_event"])}
        except (ValueError, KeyError, TypeError) as e:
            raise RunFailed(f"unexpected ccmon_codec_bench output ({e!r}):\n{out}") from e

    def daemon_run(self, side):
        url, opts = LOADS[self.what]
        suite = self.suites[side]
        config, state_dir = None, ""
        if self.state:
            yaml = next(y for mode, _, y in rb.STATE_MODES if mode == self.state)
            config, state_dir = suite.state_config(self.state, yaml)
        try:
            d = suite.daemon(config, state_dir=state_dir)
            try:
                # One load generator (A's) for both builds: only the daemon differs.
                out = self.suites["a"].load(url.format(port=d.port), self.data, daemon=d, **opts)
                if self.state:
                    journal = rb.metric_value(rb.http_get(d.base, "/metrics"),
                                              "ccmon_journal_written_bytes_total")
                    if not journal:
                        raise RunFailed(f"state.sync {self.state}: nothing journaled")
            finally:
                d.stop()
                if state_dir:
                    shutil.rmtree(state_dir, ignore_errors=True)
            events, rate = out["events"], float(out["events_per_s"])
            threads = out["daemon_thread_cpu_s"]
        except RuntimeError as e:  # did not start, or refused events (run_benchmarks)
            raise RunFailed(str(e)) from e
        except (ValueError, KeyError, TypeError) as e:
            raise RunFailed(f"unexpected ccmon_ingest_load output ({e!r})") from e
        if events == 0 or not threads:
            raise RunFailed(f"{events} events sent, daemon threads' CPU {threads}")
        # The process's CPU counts its threads that ended too (a snapshot's
        # waiting thread); its snapshot processes are a measure of their own.
        measures = {
            "events_per_s": rate,
            "daemon_cpu_us_per_event": out["daemon_cpu_s"] / events * 1e6,
            "busiest_thread_cpu_s": threads[0],
            "other_threads_cpu_s": out["daemon_cpu_s"] - threads[0],
        }
        if self.state:
            measures["snapshot_processes_cpu_s"] = out["daemon_children_cpu_s"]
        return measures


def print_rows(rows, out=sys.stdout):
    print(f"{'measure':<26} {'A median':>10} {'B median':>10} {'B/A':>7} "
          f"{'B better':>9} {'sign test p':>12}", file=out)
    for name, r in rows.items():
        print(f"{name:<26} {r['a_median']:>10.4g} {r['b_median']:>10.4g} "
              f"{r['b_over_a']:>7.3f} {r['b_better']:>3} of {r['pairs']:<3} "
              f"{r['sign_test_p']:>12.3g}", file=out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build_a", help="the reference build directory")
    ap.add_argument("build_b", help="the build directory of the change")
    ap.add_argument("--what", choices=sorted(PROGRAMS), default="engine")
    ap.add_argument("--pairs", type=int, default=8)
    ap.add_argument("--file", help="NDJSON events (default: the large center's day)")
    ap.add_argument("--connections", type=int, default=1,
                    help="engine: the order of N connections (ccmon_engine_bench --connections)")
    ap.add_argument("--state", choices=[m for m, _, y in rb.STATE_MODES if y],
                    help="websocket, http: the daemons keep durable state with this "
                    "state.sync, as row 7a runs them")
    ap.add_argument("--json", help="also write every run and the summary here")
    args = ap.parse_args(argv)
    if args.pairs < 1 or args.connections < 1:
        ap.error("--pairs and --connections take a positive number")
    if args.state and args.what not in LOADS:
        ap.error(f"--state needs a daemon: --what {' or '.join(sorted(LOADS))}")
    if args.pairs % 2:
        print(f"compare: --pairs {args.pairs} is odd: A runs first once more often than B",
              file=sys.stderr)
    builds = {"a": os.path.abspath(args.build_a), "b": os.path.abspath(args.build_b)}
    needed = [os.path.join(b, p) for b in builds.values() for p in PROGRAMS[args.what]]
    if args.what in LOADS:
        needed.append(os.path.join(builds["a"], "bench/ccmon_ingest_load"))
    if args.file is None:
        needed.append(os.path.join(builds["a"], "tools/sim/ccmon-sim"))
    missing = [p for p in needed if not os.access(p, os.X_OK)]
    if missing:
        print("compare: missing " + ", ".join(missing) + " (build them with scripts/bench, or "
              "cmake --build DIR --target ccmond ccmon-sim ccmon_engine_bench "
              "ccmon_ingest_load ccmon_codec_bench)", file=sys.stderr)
        return 2
    if args.file is not None and not os.path.isfile(args.file):
        print(f"compare: no such file: {args.file}", file=sys.stderr)
        return 2
    json_out = None
    if args.json:
        try:
            json_out = open(args.json, "w")  # before the runs: a bad path costs nothing
        except OSError as e:
            print(f"compare: cannot write --json: {e}", file=sys.stderr)
            return 2

    suites = {}
    try:
        for side in ("a", "b"):
            suites[side] = rb.Suite(argparse.Namespace(build=builds[side], quick=False,
                                                       only=["peer"]))  # the day alone
        data = args.file
        if data is None:
            rb.log("making the large center's day (ccmon-sim)")
            try:
                suites["a"].make_data()
            except (subprocess.CalledProcessError, OSError) as e:
                print(f"compare: making the day failed: {e}", file=sys.stderr)
                return 3
            data = suites["a"].day
        runner = Runner(suites, args.what, data, args.connections, args.state)
        pairs = []
        for i in range(args.pairs):
            pair = {}
            for side in pair_order(i):
                rb.log(f"pair {i + 1} of {args.pairs}: {side.upper()} ({args.what})")
                try:
                    measures, checksum = runner.run(side)
                except RunFailed as e:
                    print(f"compare: a run of {side.upper()} ({builds[side]}) failed: {e}",
                          file=sys.stderr)
                    return 3
                pair[side], pair[side + "_checksum"] = measures, checksum
            pairs.append(pair)
        rows = summarise(pairs, LOWER_IS_BETTER)
        state = f", state.sync {args.state}" if args.state else ""
        print(f"{args.what}{state}: A = {builds['a']}, B = {builds['b']}, {args.pairs} pairs")
        print_rows(rows)
        if json_out:
            json.dump({"what": args.what, "state": args.state, "builds": builds, "pairs": pairs,
                       "summary": rows}, json_out, indent=1)
        if args.what == "engine":
            try:
                check_checksums(pairs)
            except ChecksumMismatch as e:
                print(f"compare: {e}", file=sys.stderr)
                return 1
            print(f"KPI checksum {pairs[0]['a_checksum']} in every run")
        return 0
    finally:
        if json_out:
            json_out.close()
        for suite in suites.values():
            shutil.rmtree(suite.work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
