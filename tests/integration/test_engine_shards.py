"""The engine in shards (state.shards, docs/configuration.md "Engine
shards", docs/architecture.md "Sharding").

A real day of the "Anonymous Bank" 1999 data (docs/replay.md for its
acknowledgement) goes to a daemon with one engine and to one with three
shards: every KPI sample of /metrics is the same but those that
docs/architecture.md says may differ (time between contacts, tracked
contacts and tracked state bytes), with a restart of the sharded daemon in
the middle of the day (and, in another test, a clean stop and a SIGKILL
whose restart replays the journal). It restarts on its state directory with
the same KPIs; started with another shard count on it, it refuses to start and
says why, changing nothing.
"""

import glob
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from durable import (BANK_CONFIG, StateDaemon, convert_bank_day, describe_differences,  # noqa: E402
                     kpi_samples, metrics_samples, state_config)
from ccmond import Daemon, ccmond_path, poll  # noqa: E402

# Sharding may change these (docs/architecture.md, "What differs").
MAY_DIFFER = ("ccmon_average_time_between_contacts_seconds", "ccmon_tracked_contacts",
              "ccmon_tracked_state_bytes",
              # the parts of the time between contacts (docs/metrics.md)
              "ccmon_team_between_contacts")


def comparable(daemon):
    return {k: v for k, v in kpi_samples(metrics_samples(daemon)).items()
            if not k[0].startswith(MAY_DIFFER)}


class EngineShardsTest(unittest.TestCase):
    one_engine = None  # the day's KPIs from one engine (one_engine_kpis)

    @classmethod
    def setUpClass(cls):
        cls.lines = convert_bank_day()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ccmon-shards-")
        self.state = os.path.join(self.tmp.name, "state")

    def tearDown(self):
        self.tmp.cleanup()

    def post(self, daemon, lines):
        for i in range(0, len(lines), 500):
            body = "\n".join(lines[i:i + 500]) + "\n"
            status, answer = daemon.post_events(body)
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer["accepted"], len(lines[i:i + 500]), answer)

    def one_engine_kpis(self):
        """The day's comparable KPIs from one engine without state, made once."""
        if EngineShardsTest.one_engine is None:
            with Daemon(BANK_CONFIG, state_dir="") as one:
                self.post(one, self.lines)
                EngineShardsTest.one_engine = comparable(one)
        return EngineShardsTest.one_engine

    def sharded(self, shards=3):
        return StateDaemon(state_config(BANK_CONFIG, self.state,
                                        extra_state=f"  shards: {shards}\n"))

    def test_three_shards_give_one_engines_kpis_across_restarts(self):
        expected = self.one_engine_kpis()
        # Something to compare: the day's offers are there.
        offered = sum(v for k, v in expected.items() if k[0] == "ccmon_contacts_offered_total")
        self.assertGreater(offered, 1000)

        # Half the day, a restart (a clean stop writes a snapshot of the three
        # shards), the other half: contacts in progress at the restart must
        # be found in the shards they were in.
        half = len(self.lines) // 2
        first = self.sharded()
        try:
            self.post(first, self.lines[:half])
        finally:
            first.stop()
        second = self.sharded()
        try:
            self.post(second, self.lines[half:])
            got = comparable(second)
            self.assertEqual(got, expected, describe_differences(expected, got))
        finally:
            second.stop()

        again = self.sharded()
        try:
            got = comparable(again)
            self.assertEqual(got, expected, describe_differences(expected, got))
        finally:
            again.stop()

        # Another shard count: refused, with the reason and what to do (the
        # daemon exits on its own, before or after it logs that it listens).
        config = os.path.join(self.tmp.name, "two.yml")
        with open(config, "w") as f:
            f.write(state_config(BANK_CONFIG, self.state, extra_state="  shards: 2\n"))
        other = subprocess.run([ccmond_path(), "--listen", "127.0.0.1:0", "--config", config],
                               capture_output=True, text=True, timeout=60)
        log = other.stdout + other.stderr
        self.assertEqual(other.returncode, 1, log)
        self.assertIn("written by 3 engine shard(s) and state.shards is 2", log)
        self.assertIn("--reset-state", log)

        # ... and nothing changed: three shards restore it as before.
        last = self.sharded()
        try:
            got = comparable(last)
            self.assertEqual(got, expected, describe_differences(expected, got))
        finally:
            last.stop()

    def test_three_shards_replay_their_journal_after_a_crash(self):
        # A third of the day, a clean stop (a snapshot with the queues'
        # placement), the next third, then SIGKILL: the restart reads the
        # snapshot and replays the journal through the restored placement
        # (docs/architecture.md, "Sharding"); the last third follows.
        expected = self.one_engine_kpis()
        third = len(self.lines) // 3
        first = self.sharded()
        try:
            self.post(first, self.lines[:third])
        finally:
            first.stop()
        second = self.sharded()
        try:
            self.post(second, self.lines[third:2 * third])
        finally:
            second.kill()
        third_daemon = self.sharded()
        try:
            replayed = sum(v for k, v in metrics_samples(third_daemon).items()
                           if k[0] == "ccmon_state_replayed_records_total")
            self.assertGreater(replayed, 0, "the restart replayed no journal record")
            self.post(third_daemon, self.lines[2 * third:])
            got = comparable(third_daemon)
            self.assertEqual(got, expected, describe_differences(expected, got))
        finally:
            third_daemon.stop()

    def test_threads_are_named(self):
        # docs/architecture.md, "The daemon's threads": names as Linux shows them.
        expected = {"ccmond", "ccmon-engine", "ccmon-shard-1", "ccmon-shard-2", "ccmon-sync",
                    "ccmon-live", "ccmon-reload"}
        if (os.cpu_count() or 1) > 1:
            expected.add("ccmon-io-1")
        d = self.sharded()

        def names():
            out = set()
            for task in glob.glob(f"/proc/{d.proc.pid}/task/*/comm"):
                try:
                    with open(task) as f:
                        out.add(f.read().strip())
                except OSError:
                    pass  # a thread that just ended
            return out

        try:
            # Each thread names itself once it runs, which may be a moment
            # after the daemon is ready.
            poll(lambda: expected <= names(), timeout=10, what=f"threads named {expected}")
            self.assertNotIn("ccmon-shard-3", names())  # shard 0 is the engine thread's
        finally:
            d.stop()


if __name__ == "__main__":
    unittest.main()
