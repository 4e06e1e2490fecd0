"""Partition-owned state across instances (ingest.kafka.state_dir,
docs/kafka.md "Partition-owned state").

A real day of the "Anonymous Bank" 1999 data (docs/replay.md for its
acknowledgement), one event per message keyed by its queue, is produced to
a topic of six partitions on librdkafka's mock cluster (a real Kafka
protocol peer on loopback; Debian packages no broker). Three ccmond share
the consumer group and a partition state directory:

- A takes the first quarter; B joins, and the rebalance that splits the
  partitions between them makes A snapshot what it gives away;
- A and B take the second quarter without snapshotting it (their interval
  is an hour); the one that took more of it is killed (SIGKILL);
- the second half is produced, and C joins: the group gives the dead one's
  partitions to the others, which restore them from its snapshots and read
  on from the offsets those reflect, taking its unsnapshotted tail again;
- at the end the since-start counters and wait histograms of the two
  survivors added up per queue equal those of one ccmond that took the
  whole day over HTTP (nothing lost, nothing counted twice); they took
  exactly what the dead one had not snapshotted; no message came twice to
  a restored state (its duplicate memory found nothing); the partitions
  they own (their /-/ready) are every partition once; and the shipped
  recording rules (docs/metrics.md, "Aggregating across instances"),
  evaluated by promtool over the survivors' series, give every windowed
  ratio and mean of the single daemon.

Both with librdkafka's default (eager) assignment and cooperative-sticky.
"""

import json
import math
import os
import shutil
import subprocess
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

PROMTOOL = shutil.which("promtool")
RECORDING_RULES = os.path.join(HERE, "..", "..", "deploy", "prometheus", "rules",
                               "ccmon-recording.yml")


def yaml_rules():
    import yaml
    with open(RECORDING_RULES) as f:
        return yaml.safe_load(f)["groups"]


def promql_series(name, labels):
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"

PARTITIONS = 6
TOPIC = source.TOPIC
# A window longer than the day: both instances' windows hold all of it
# whatever event time each one reached, so the rebuilt ratios are exact.
WINDOWS = "  windows: [7d]\n  today: false\n"


def partitioned_config(bootstrap, parts_dir, strategy=None, interval="1s"):
    """`strategy`: librdkafka's partition.assignment.strategy (None: its
    default, eager range,roundrobin). `interval`: snapshot_interval (a
    snapshot is also written at every revocation)."""
    properties = f"      partition.assignment.strategy: {strategy}\n" if strategy else ""
    return source.kafka_config(bootstrap, properties=properties).replace(
        "kpis:\n", "kpis:\n" + WINDOWS) + (f"    state_dir: {parts_dir}\n"
                                          f"    snapshot_interval: {interval}\n")


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
        os.mkdir(self.parts)  # the shared directory exists; ccmond makes what is below

    def test_a_killed_instance_and_a_joining_one_lose_nothing_and_double_nothing(self):
        self.kill_and_join(None)

    def test_the_same_with_cooperative_rebalancing(self):
        # Incremental assignment: only the partitions that change hands are
        # revoked and restored.
        self.kill_and_join("cooperative-sticky")

    def kill_and_join(self, strategy):
        quarter = len(self.lines) // 4
        # A and B snapshot only when a partition is revoked (an hour is
        # longer than the test): what they take after the rebalance that
        # splits the topic between them is not in any snapshot.
        slow = partitioned_config(self.cluster.bootstrap, self.parts, strategy, "1h")
        produce(self.cluster.bootstrap, TOPIC, source.keyed(self.lines[:quarter]))
        a = Daemon(slow, state_dir="")
        self.addCleanup(a.stop)
        poll(lambda: source.consumed(a) == quarter and len(owned(a)) == PARTITIONS,
             timeout=120, what="A owning every partition, the first quarter consumed")
        b = Daemon(slow, state_dir="")
        self.addCleanup(b.stop)
        # B's join revokes A's partitions (all of them, or those moving):
        # A snapshots them then.
        poll(lambda: owned(a) and owned(b) and len(owned(a) | owned(b)) == PARTITIONS,
             timeout=120, what="A and B sharing the partitions")
        before = {d: source.consumed(d) for d in (a, b)}
        produce(self.cluster.bootstrap, TOPIC, source.keyed(self.lines[quarter:2 * quarter]))
        poll(lambda: source.consumed(a) + source.consumed(b) == 2 * quarter,
             timeout=120, what="the second quarter consumed by A and B")
        # Kill the one that took more of the second quarter: its take since
        # its last snapshot is read again by the next owners.
        x, y = (a, b) if source.consumed(a) - before[a] >= source.consumed(b) - before[b] else (b, a)
        x_took = source.consumed(x)
        x_tail = x_took - before[x]
        self.assertGreater(x_tail, 0)
        x.stop(sig=9)
        produce(self.cluster.bootstrap, TOPIC, source.keyed(self.lines[2 * quarter:]))
        c = Daemon(partitioned_config(self.cluster.bootstrap, self.parts, strategy), state_dir="")
        self.addCleanup(c.stop)
        b = y  # the survivors: y, called B below, and C

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
        # The killed instance's tail was read and applied again: the
        # survivors took what it had not, plus what it took since its
        # snapshots. Eager, those were all written at the split; with
        # cooperative rebalancing only the partitions that moved were, the
        # ones it kept being read again from its first snapshot.
        took = source.consumed(b) + source.consumed(c)
        if strategy is None:
            self.assertEqual(took, len(self.lines) - x_took + x_tail)
        else:
            self.assertGreaterEqual(took, len(self.lines) - x_took + x_tail)
        # Every partition read on from its snapshot's offset: no message
        # the restored state had seen came again (the producer sent each
        # once), so the restored duplicate memory found nothing.
        for s in (sb, sc):
            self.assertEqual(metric(s, "ccmon_events_duplicate_total") or 0, 0)
            self.assertEqual(metric(s, "ccmon_kafka_partition_restores_total", result="failed")
                             or 0, 0)
        restored = sum(metric(s, "ccmon_kafka_partition_restores_total", result="snapshot") or 0
                       for s in (sb, sc))
        self.assertGreaterEqual(restored, 1)

        # The shipped recording rules, evaluated by Prometheus's own engine
        # (promtool) over the two survivors' series, give the one daemon's
        # ratios and means.
        self.check_recording_rules({"b": sb, "c": sc})

    def check_recording_rules(self, instances):
        if not PROMTOOL:
            self.skipTest("promtool is not installed (Debian package prometheus)")
        series = []
        for name, samples in instances.items():
            for (metric_name, labels), value in samples.items():
                if "window" in dict(labels) and math.isfinite(value):
                    series.append((metric_name, {**dict(labels), "instance": name}, value))
        # Each rule X:<kpi>:<op> against the one daemon's <kpi>. Team KPIs
        # other than occupancy are left out: an engine with a contact but not
        # its agent's states counts them under team "unknown" (docs/kafka.md).
        rules = {}
        for group in yaml_rules():
            for rule in group.get("rules", []):
                record = rule.get("record", "")
                level, _, rest = record.partition(":")
                kpi, _, _ = rest.partition(":")
                if level == "queue_channel_window" or record == (
                        "team_window:ccmon_occupancy_ratio:ratio"):
                    rules[record] = kpi
        tests = []
        compared = 0
        for record, kpi in sorted(rules.items()):
            expected = [(dict(labels), v) for (n, labels), v in self.samples.items() if n == kpi]
            if not expected:
                continue
            for labels, value in expected:
                series.append((kpi, {**labels, "instance": "one"}, value))
            compared += len(expected)
            keys = "queue, channel, window" if record.startswith("queue") else "team, window"
            tests += [
                {"expr": f"count({record})", "eval_time": "1m",
                 "exp_samples": [{"labels": "{}", "value": len(expected)}]},
                # No series differs from the one daemon's by more than 1e-9
                # of its value (both are float64 divisions of the same sums).
                {"expr": f"abs({record} - on ({keys}) {kpi}{{instance=\"one\"}})"
                         f" > on ({keys}) (1e-9 * abs({kpi}{{instance=\"one\"}}))",
                 "eval_time": "1m", "exp_samples": []},
            ]
        self.assertGreaterEqual(compared, 20, "ratios compared through the recording rules")
        doc = {
            "rule_files": [RECORDING_RULES],
            "evaluation_interval": "1m",
            "tests": [{
                "interval": "1m",
                "input_series": [{"series": promql_series(n, l), "values": f"{v!r}+0x2"}
                                 for n, l, v in series],
                "promql_expr_test": tests,
            }],
        }
        path = os.path.join(self.tmp, "aggregate-test.yml")
        with open(path, "w") as f:
            json.dump(doc, f)  # YAML 1.2 reads JSON
        run = subprocess.run([PROMTOOL, "test", "rules", path], capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, f"promtool test rules:\n{run.stdout}{run.stderr}")


if __name__ == "__main__":
    unittest.main()
