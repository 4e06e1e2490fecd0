"""The queue_log file follower (docs/adapters.md, "Following queue_log
files") on the real PBXware log of ../shared/data/asterisk-queue-log (read
from there, never copied into the repository): the file is written in parts,
with a line left half-written, rotated by rename while the daemon runs,
written to while the daemon is down and rotated again before it restarts on
the same state directory. The daemon's KPIs must then be the README's
figures: 108 offered, 93 answered, 12 abandoned, 1 timed out, ASA 38.7 s,
41.9 % / 78.5 % of answered within 20 s / 60 s. Skipped (exit 77) without
the data."""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from ccmond import Daemon, metric, poll  # noqa: E402

SHARED = os.environ.get("CCMON_SHARED_DIR",
                        os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
LOG = os.path.join(SHARED, "data", "asterisk-queue-log", "pbxware-2018-queue_log")


def config(path):
    # Historic data: event clock, no maximum event age; one 7-day window
    # holds the log's 4.8 days.
    return f"""
server:
  clock: event
ingest:
  max_event_age: 0
kpis:
  windows: [7d]
  today: false
  service_level:
    formula: answered_only
    threshold: 20s
  wait_buckets: [60]
adapters:
  asterisk_queue_log:
    poll_interval: 20ms
    files:
      - path: {path}
        source: pbxware
"""


def read_position(state_dir):
    try:
        with open(os.path.join(state_dir, "adapters", "queue_log-pbxware.pos")) as f:
            # The first line; the agent memory follows (docs/adapters.md).
            magic, dev, ino, offset, line = f.readline().split()
    except (FileNotFoundError, ValueError):
        return None
    return int(ino), int(offset), int(line)


class CopyTruncateTest(unittest.TestCase):
    def test_missing_file_then_copytruncate(self):
        # A file that does not exist yet is waited for; truncated in place
        # (logrotate copytruncate) it is read again from its start.
        t0 = 1700000000
        with tempfile.TemporaryDirectory(prefix="ccmon-ql-") as tmp:
            path = os.path.join(tmp, "queue_log")
            with Daemon(config(path)) as d:
                poll(lambda: "does not exist yet" in d.log(), what="the wait for the file")

                def offered():
                    return metric(d.metrics(), "ccmon_offered", queue="q1", channel="voice",
                                  window="7d") or 0
                with open(path, "w") as f:
                    f.write(f"{t0}|c1|q1|NONE|ENTERQUEUE||X|1\n{t0 + 1}|c2|q1|NONE|ENTERQUEUE||X|2\n")
                poll(lambda: offered() == 2, what="two calls offered")
                # copytruncate: the content copied away, the file emptied in
                # place (same inode), then the PBX goes on writing to it.
                with open(path, "r+") as f:
                    f.truncate(0)
                poll(lambda: "was truncated" in d.log(), what="the truncation noticed")
                with open(path, "a") as f:
                    f.write(f"{t0 + 2}|c3|q1|NONE|ENTERQUEUE||X|1\n")
                poll(lambda: offered() == 3, what="the call after the truncation")


class SimulatedPbxTest(unittest.TestCase):
    def test_simulated_queue_log_counts_as_the_simulator_says(self):
        # ccmon-sim --format queue_log writes what a PBX would for its voice
        # calls; followed by the daemon, every voice queue's offered,
        # answered and abandoned must be the simulator's own counts.
        sim = os.path.join(os.environ["CCMON_BUILD_DIR"], "tools", "sim", "ccmon-sim")
        if not os.path.exists(sim):
            raise AssertionError(f"{sim} is missing: build the ccmon-sim target")
        with tempfile.TemporaryDirectory(prefix="ccmon-ql-") as tmp:
            path = os.path.join(tmp, "queue_log")
            run = subprocess.run([sim, "--format", "queue_log", "--out", path, "--summary",
                                  "--duration", "2h", "--agents", "10", "--rate", "2.0",
                                  "--seed", "7", "--start", "1772442000"],
                                 capture_output=True, text=True, check=True)
            series = [s for s in json.loads(run.stdout)["series"] if s["channel"] == "voice"]
            self.assertTrue(series)
            size = os.path.getsize(path)
            with Daemon(config(path)) as d:
                # Read to its end: the kept position is the file's size.
                poll(lambda: (read_position(d.state_dir) or (0, 0, 0))[1] == size, timeout=60,
                     what="the whole file read")
                m = d.metrics()
                self.assertEqual(metric(m, "ccmon_adapter_events_total",
                                        adapter="asterisk_queue_log", source="pbxware",
                                        result="rejected"), 0)
                for s in series:
                    with self.subTest(queue=s["queue"]):
                        for kpi, key in (("ccmon_contacts_offered_total", "offered"),
                                         ("ccmon_contacts_answered_total", "answered"),
                                         ("ccmon_contacts_abandoned_total", "abandoned")):
                            self.assertEqual(metric(m, kpi, queue=s["queue"], channel="voice")
                                             or 0, s[key], kpi)
            self.assertGreater(size, 0)


@unittest.skipUnless(os.path.exists(LOG), "../shared/data/asterisk-queue-log is absent")
class QueueLogFollowerTest(unittest.TestCase):
    def test_rotation_and_restart_give_the_readme_figures(self):
        with open(LOG, "rb") as f:
            lines = f.read().splitlines(keepends=True)
        self.assertEqual(len(lines), 1000)
        with tempfile.TemporaryDirectory(prefix="ccmon-ql-") as tmp:
            state = os.path.join(tmp, "state")
            path = os.path.join(tmp, "queue_log")

            def wait_read_to(inode, size, what):
                poll(lambda: read_position(state) is not None
                     and read_position(state)[:2] == (inode, size), timeout=60, what=what)

            # Part 1: 300 lines and the first half of line 301.
            head = b"".join(lines[:300])
            half = len(lines[300]) // 2
            with open(path, "wb") as f:
                f.write(head + lines[300][:half])
            d = Daemon(config(path), state_dir=state)
            try:
                ino1 = os.stat(path).st_ino
                # The half line waits for its newline.
                wait_read_to(ino1, len(head), "the first 300 lines")
                self.assertEqual(read_position(state)[2], 300)
                # Part 2: the line completed, up to line 450; then logrotate
                # renames the file and the PBX starts a new one (450-600).
                with open(path, "ab") as f:
                    f.write(lines[300][half:] + b"".join(lines[301:450]))
                os.rename(path, path + ".1")
                with open(path, "wb") as f:
                    f.write(b"".join(lines[450:600]))
                ino2 = os.stat(path).st_ino
                wait_read_to(ino2, len(b"".join(lines[450:600])), "the new file after rotation")
                self.assertIn("was rotated", d.log())
                m = d.metrics()
                self.assertEqual(metric(m, "ccmon_adapter_events_total",
                                        adapter="asterisk_queue_log", source="pbxware",
                                        result="duplicate"), 0)
            finally:
                d.stop()

            # Down: lines 600-750 go to the current file, which is rotated
            # again before the daemon comes back; 750-1000 go to a new file.
            with open(path, "ab") as f:
                f.write(b"".join(lines[600:750]))
            os.rename(path, path + ".2")
            with open(path, "wb") as f:
                f.write(b"".join(lines[750:]))
            ino3 = os.stat(path).st_ino
            with Daemon(config(path), state_dir=state) as d2:
                wait_read_to(ino3, len(b"".join(lines[750:])), "the file after the restart")
                log = d2.log()
                self.assertIn(f"following queue_log {path}.2 as source pbxware", log)
                m = d2.metrics()
                # Nothing read twice: the position was kept (a re-read would
                # be counted as duplicates here).
                self.assertEqual(metric(m, "ccmon_adapter_events_total",
                                        adapter="asterisk_queue_log", source="pbxware",
                                        result="duplicate"), 0)
                self.assertEqual(metric(m, "ccmon_adapter_events_total",
                                        adapter="asterisk_queue_log", source="pbxware",
                                        result="rejected"), 0)

                def k(name):
                    return metric(m, name, queue="IT", channel="voice", window="7d")
                # README: 108 entered, 93 connected, 12 abandoned, 1 timed out.
                self.assertEqual(k("ccmon_offered"), 108)
                self.assertEqual(k("ccmon_answered"), 93)
                self.assertEqual(k("ccmon_abandoned"), 12)
                self.assertEqual(k("ccmon_overflowed"), 1)
                # README: mean hold of answered 38.7 s; 41.9 % within 20 s.
                self.assertEqual(round(k("ccmon_average_speed_of_answer_seconds"), 1), 38.7)
                self.assertEqual(round(100 * k("ccmon_service_level_ratio"), 1), 41.9)
                # 78.5 % within 60 s, from the since-start histogram.
                within60 = metric(m, "ccmon_wait_seconds_bucket", queue="IT", channel="voice",
                                  outcome="answered", le="60")
                answered = metric(m, "ccmon_wait_seconds_count", queue="IT", channel="voice",
                                  outcome="answered")
                self.assertEqual(answered, 93)
                self.assertEqual(round(100 * within60 / answered, 1), 78.5)


@unittest.skipUnless(os.path.exists(LOG), "../shared/data/asterisk-queue-log is absent")
class LostPositionTest(unittest.TestCase):
    def test_lines_read_again_are_duplicates(self):
        # A crash between the engine's acknowledgement and the position
        # write: the position file is behind, so lines are read again. Their
        # event ids are the same, so they are duplicates and the KPIs do not
        # move (the ids were remembered at arrival, within ingest.dedup.horizon).
        with open(LOG, "rb") as f:
            data = f.read()
        with tempfile.TemporaryDirectory(prefix="ccmon-ql-") as tmp:
            state = os.path.join(tmp, "state")
            path = os.path.join(tmp, "queue_log")
            with open(path, "wb") as f:
                f.write(data)
            cfg = config(path)
            with Daemon(cfg, state_dir=state):
                poll(lambda: (read_position(state) or (0, 0, 0))[1] == len(data), timeout=60,
                     what="the whole file read")
            ino, _, _ = read_position(state)
            half = data.index(b"\n", len(data) // 2) + 1
            with open(os.path.join(state, "adapters", "queue_log-pbxware.pos"), "w") as f:
                f.write(f"ccmon-pos-v1 {os.stat(path).st_dev} {ino} {half} 500\n")
            with Daemon(cfg, state_dir=state) as d:
                poll(lambda: (read_position(state) or (0, 0, 0))[1] == len(data), timeout=60,
                     what="the second half read again")
                m = d.metrics()
                self.assertGreater(metric(m, "ccmon_adapter_events_total",
                                          adapter="asterisk_queue_log", source="pbxware",
                                          result="duplicate"), 100)
                k = {name: metric(m, name, queue="IT", channel="voice", window="7d")
                     for name in ("ccmon_offered", "ccmon_answered", "ccmon_abandoned")}
                self.assertEqual(k, {"ccmon_offered": 108, "ccmon_answered": 93,
                                     "ccmon_abandoned": 12})


class AgentMemoryRestartTest(unittest.TestCase):
    """The adapter's agent memory (each agent's queues and last state) is
    kept beside the read position, so a restart in the middle of a call
    maps the next lines as if the daemon had never stopped."""

    def test_restart_during_a_call(self):
        t = 1_700_000_000  # 2023-11-14T22:13:20Z, event clock

        def at(s):
            return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t + s))

        with tempfile.TemporaryDirectory(prefix="ccmon-ql-") as tmp:
            state = os.path.join(tmp, "state")
            path = os.path.join(tmp, "queue_log")
            cfg = config(path)

            def write(lines):
                with open(path, "a") as f:
                    f.write("".join(line + "\n" for line in lines))
                return os.path.getsize(path)

            def agent(d):
                status, _, body = d.request("GET", "/v1/agents")
                self.assertEqual(status, 200)
                return next(a for a in json.loads(body)["agents"] if a["agent"] == "1127")

            # 1127 joins sales and support, and answers c1 in sales.
            size = write([f"{t}|NONE|sales|PJSIP/1127|ADDMEMBER|",
                          f"{t + 1}|NONE|support|PJSIP/1127|ADDMEMBER|",
                          f"{t + 10}|c1|sales|NONE|ENTERQUEUE||100|1",
                          f"{t + 15}|c1|sales|PJSIP/1127|CONNECT|5|c1.1|3"])
            with Daemon(cfg, state_dir=state) as d:
                poll(lambda: (read_position(state) or (0, 0, 0))[1] == size,
                     what="the first lines read")
                self.assertEqual((agent(d)["state"], agent(d)["state_since"]), ("busy", at(15)))
            with open(os.path.join(state, "adapters", "queue_log-pbxware.pos")) as f:
                self.assertTrue(f.readline().startswith("ccmon-pos-v2 "))
                memory = json.loads(f.readline())
            self.assertEqual(memory, {"agents": {"1127": {"queues": ["sales", "support"],
                                                          "state": 1}}})  # 1: busy
            # While the daemon is down, still on the call: 1127 joins
            # billing and leaves support. An agent known busy stays busy
            # (without the memory, ADDMEMBER would make it available at
            # t + 20), and one still in sales and billing is not logged off.
            size = write([f"{t + 20}|NONE|billing|PJSIP/1127|ADDMEMBER|",
                          f"{t + 25}|NONE|support|PJSIP/1127|REMOVEMEMBER|"])
            with Daemon(cfg, state_dir=state) as d:
                poll(lambda: (read_position(state) or (0, 0, 0))[1] == size,
                     what="the lines written while down read")
                a = agent(d)
                self.assertEqual((a["state"], a["state_since"]), ("busy", at(15)))
                self.assertEqual(a["contact"]["contact"], "pbxware:c1")
                # The call ends: available from then.
                size = write([f"{t + 60}|c1|sales|PJSIP/1127|COMPLETEAGENT|5|45|1"])
                poll(lambda: agent(d)["state"] == "available", what="1127 available")
                self.assertEqual(agent(d)["state_since"], at(60))


if __name__ == "__main__":
    unittest.main()
