"""Partition-owned state across instances (ingest.kafka.state_dir,
docs/kafka.md "Partition-owned state").

A real day of the "Anonymous Bank" 1999 data (docs/replay.md for its
acknowledgement), one event per message keyed by its queue, is produced to
a topic of six partitions on librdkafka's mock cluster (a real Kafka
protocol peer on loopback; Debian packages no broker). Three ccmond share
the consumer group and a partition state directory:

- A and B take the first half; A is killed (SIGKILL) without warning;
- the second half is produced, and C joins: the group gives A's partitions
  to B and C, which restore them from the snapshots A left and read on from
  the offsets those snapshots reflect;
- at the end the since-start counters and wait histograms of B and C added
  up per queue equal those of one ccmond that took the whole day over HTTP
  (nothing lost, nothing counted twice), the partitions B and C own (their
  /-/ready) are every partition once, and the windowed ratios rebuilt from
  B's and C's parts (docs/metrics.md, "Aggregating across instances") equal
  the single daemon's.
"""

import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from durable import describe_differences, metrics_samples  # noqa: E402
from ccmond import Daemon, metric, poll  # noqa: E402
from kafka_mock import MockCluster, kcat_path, produce  # noqa: E402
import test_kafka_source as source  # noqa: E402

PARTITIONS = 6
TOPIC = source.TOPIC
# A window longer than the day: both instances' windows hold all of it
# whatever event time each one reached, so the rebuilt ratios are exact.
WINDOWS = "  windows: [7d]\n  today: false\n"


def partitioned_config(bootstrap, parts_dir, strategy=None):
    """`strategy`: librdkafka's partition.assignment.strategy (None: its
    default, eager range,roundrobin)."""
    properties = f"      partition.assignment.strategy: {strategy}\n" if strategy else ""
    return source.kafka_config(bootstrap, properties=properties).replace(
        "kpis:\n", "kpis:\n" + WINDOWS) + (f"    state_dir: {parts_dir}\n"
                                          "    snapshot_interval: 1s\n")


def added_up(*samples):
    out = {}
    for s in samples:
        for k, v in source.since_start(s).items():
            out[k] = out.get(k, 0) + v
    return out


def owned(daemon):
    """The partitions /-/ready says the daemon owns."""
    status, _, body = daemon.request("GET", "/-/ready")
    text = body.decode()
    for line in text.splitlines():
        if line.startswith("kafka partitions owned: "):
            rest = line[len("kafka partitions owned: "):]
            return set() if rest == "none" else set(rest.split())
    raise AssertionError(f"/-/ready ({status}) names no owned partitions: {text!r}")


# KPI (ratio or mean gauge) -> (numerator part, denominator part), from
# docs/metrics.md "Aggregating across instances".
RATIOS = {
    "ccmon_average_speed_of_answer_seconds": ("ccmon_answered_wait_seconds", "ccmon_answered"),
    "ccmon_service_level_ratio": ("ccmon_service_level_met", "ccmon_service_level_eligible"),
    "ccmon_average_abandon_time_seconds": ("ccmon_abandoned_wait_seconds", "ccmon_abandoned"),
}


@unittest.skipUnless(kcat_path(), "kcat is not installed (scripts/install-deps)")
class PartitionOwnedStateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lines = source.convert_bank_day()
        with Daemon(source.DAY_CONFIG.replace("kpis:\n", "kpis:\n" + WINDOWS) + "state:\n" +
                    source.DAY_STATE, state_dir="") as one:
            for i in range(0, len(cls.lines), 500):
                status, answer = one.post_events("\n".join(cls.lines[i:i + 500]) + "\n")
                assert status == 200 and answer["accepted"] == len(cls.lines[i:i + 500]), answer
            cls.samples = metrics_samples(one)
            cls.expected = source.since_start(cls.samples)

    def setUp(self):
        self.cluster = MockCluster({TOPIC: PARTITIONS})
        self.addCleanup(self.cluster.stop)
        self.tmp = tempfile.mkdtemp(prefix="ccmon-parts-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.parts = os.path.join(self.tmp, "parts")

    def test_a_killed_instance_and_a_joining_one_lose_nothing_and_double_nothing(self):
        self.kill_and_join(partitioned_config(self.cluster.bootstrap, self.parts))

    def test_the_same_with_cooperative_rebalancing(self):
        # Incremental assignment: only the partitions that change hands are
        # revoked and restored.
        self.kill_and_join(partitioned_config(self.cluster.bootstrap, self.parts,
                                              "cooperative-sticky"))

    def kill_and_join(self, config):
        half = len(self.lines) // 2
        produce(self.cluster.bootstrap, TOPIC, source.keyed(self.lines[:half]))
        a = Daemon(config, state_dir="")
        self.addCleanup(a.stop)
        b = Daemon(config, state_dir="")
        self.addCleanup(b.stop)
        poll(lambda: source.consumed(a) + source.consumed(b) == half and owned(a) and owned(b),
             timeout=120, what="the first half consumed by A and B")
        # A has snapshotted its partitions that had messages (every second):
        # what it took after its last snapshot is read again by their next
        # owner. (Keyed by queue, a partition may have no message at all.)
        try:
            poll(lambda: (metric(metrics_samples(a), "ccmon_kafka_partition_snapshots_total",
                                 result="ok") or 0) >= 1,
                 timeout=60, what="A's partitions snapshotted")
        except AssertionError:
            self.fail(f"A wrote no snapshot of its partitions:\n{a.log()[-3000:]}")
        a_owned = owned(a)
        a.stop(sig=9)
        produce(self.cluster.bootstrap, TOPIC, source.keyed(self.lines[half:]))
        c = Daemon(config, state_dir="")
        self.addCleanup(c.stop)

        def settled():
            ob, oc = owned(b), owned(c)
            return (ob and oc and not ob & oc and len(ob | oc) == PARTITIONS
                    and added_up(metrics_samples(b), metrics_samples(c)) == self.expected)

        try:
            poll(settled, timeout=180, interval=0.5, what="B and C owning every partition, "
                 "their counters adding up to the day")
        except AssertionError:
            got = added_up(metrics_samples(b), metrics_samples(c))
            self.fail("B + C differ from the day over HTTP:\n"
                      f"{describe_differences(self.expected, got)}\nB owns {owned(b)}, "
                      f"C owns {owned(c)}\n--- B\n{b.log()[-3000:]}\n--- C\n{c.log()[-3000:]}")
        self.assertEqual(owned(b) | owned(c),
                         {f"{TOPIC}/{p}" for p in range(PARTITIONS)})
        sb, sc = metrics_samples(b), metrics_samples(c)
        # A's partitions came from its snapshots.
        restored = sum(metric(s, "ccmon_kafka_partition_restores_total", result="snapshot") or 0
                       for s in (sb, sc))
        self.assertGreaterEqual(restored, 1)
        self.assertTrue(a_owned)
        self.assertEqual(sum(metric(s, "ccmon_kafka_partition_restores_total", result="failed")
                             or 0 for s in (sb, sc)), 0)

        # Ratios from the sum of the instances' parts equal the one daemon's.
        compared = 0
        for kpi, (num, den) in RATIOS.items():
            for key, value in self.samples.items():
                if key[0] != kpi:
                    continue
                labels = dict(key[1])
                parts = [(metric(s, num, **labels) or 0, metric(s, den, **labels) or 0)
                         for s in (sb, sc)]
                total_den = sum(d for _, d in parts)
                self.assertGreater(total_den, 0, f"{kpi} {labels}")
                self.assertAlmostEqual(sum(n for n, _ in parts) / total_den, value, places=9,
                                       msg=f"{kpi} {labels}")
                compared += 1
        self.assertGreaterEqual(compared, 6)


if __name__ == "__main__":
    unittest.main()
