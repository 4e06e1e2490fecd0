"""The engine in shards (state.shards, docs/configuration.md "Engine
shards", docs/architecture.md "Sharding").

A real day of the "Anonymous Bank" 1999 data (docs/replay.md for its
acknowledgement) goes to a daemon with one engine and to one with three
shards: every KPI sample of /metrics is the same but those that
docs/architecture.md says may differ (time between contacts, tracked
contacts and tracked state bytes). The sharded daemon restarts on its state directory with the
same KPIs; started with another shard count on it, it refuses to start and
says why, changing nothing.
"""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from durable import (BANK_CONFIG, StateDaemon, convert_bank_day, describe_differences,  # noqa: E402
                     kpi_samples, metrics_samples, state_config)
from ccmond import Daemon, ccmond_path  # noqa: E402

# Sharding may change these (docs/architecture.md, "What differs").
MAY_DIFFER = ("ccmon_average_time_between_contacts_seconds", "ccmon_tracked_contacts",
              "ccmon_tracked_state_bytes")


def comparable(daemon):
    return {k: v for k, v in kpi_samples(metrics_samples(daemon)).items()
            if not k[0].startswith(MAY_DIFFER)}


class EngineShardsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lines = convert_bank_day()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ccmon-shards-")
        self.state = os.path.join(self.tmp.name, "state")

    def tearDown(self):
        self.tmp.cleanup()

    def post_day(self, daemon):
        for i in range(0, len(self.lines), 500):
            body = "\n".join(self.lines[i:i + 500]) + "\n"
            status, answer = daemon.post_events(body)
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer["accepted"], len(self.lines[i:i + 500]), answer)

    def test_three_shards_give_one_engines_kpis_and_keep_them_across_a_restart(self):
        with Daemon(BANK_CONFIG, state_dir="") as one:
            self.post_day(one)
            expected = comparable(one)
        # Something to compare: the day's offers are there.
        offered = sum(v for k, v in expected.items() if k[0] == "ccmon_contacts_offered_total")
        self.assertGreater(offered, 1000)

        sharded = StateDaemon(state_config(BANK_CONFIG, self.state, extra_state="  shards: 3\n"))
        try:
            self.post_day(sharded)
            got = comparable(sharded)
            self.assertEqual(got, expected, describe_differences(expected, got))
        finally:
            sharded.stop()  # a clean stop writes a snapshot of the three shards

        again = StateDaemon(state_config(BANK_CONFIG, self.state, extra_state="  shards: 3\n"))
        try:
            got = comparable(again)
            self.assertEqual(got, expected, describe_differences(expected, got))
        finally:
            again.stop()

        # Another shard count: refused, with the reason and what to do (the
        # daemon exits on its own, right after it started listening).
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
        last = StateDaemon(state_config(BANK_CONFIG, self.state, extra_state="  shards: 3\n"))
        try:
            got = comparable(last)
            self.assertEqual(got, expected, describe_differences(expected, got))
        finally:
            last.stop()


if __name__ == "__main__":
    unittest.main()
