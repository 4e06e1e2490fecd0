"""A Kafka cluster for tests, and a real producer to feed it (docs/kafka.md,
"Testing").

- MockCluster: librdkafka's mock cluster (it speaks the Kafka protocol on
  loopback ports, consumer groups and offsets included) in a process of its
  own, tools/kafka_mock/kafka_mock_cluster.cpp, with its fault controls
  (broker down/up, request errors). Debian packages no Kafka broker: the
  mock stands in for one, and cannot show what a real cluster adds
  (replication, transactions' isolation, compaction).
- produce(): kcat, Debian's Kafka client, sends keyed messages.
"""

import os
import shutil
import subprocess
import tempfile


def mock_path():
    path = os.environ.get("CCMON_KAFKA_MOCK")
    if not path:
        raise AssertionError("CCMON_KAFKA_MOCK is not set: run the tests through ctest")
    return path


def kcat_path():
    """kcat, or None (scripts/install-deps installs it)."""
    return shutil.which("kcat")


class MockCluster:
    """A running mock cluster; use as a context manager."""

    def __init__(self, topics, brokers=3):
        cmd = [mock_path(), "--brokers", str(brokers)]
        for name, partitions in topics.items():
            cmd += ["--topic", f"{name}:{partitions}"]
        # Its log goes to a file: a pipe nobody reads could fill and stall it.
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("bootstrap "):
            self.log.seek(0)
            raise AssertionError(f"the mock cluster did not start: {line}{self.log.read()}")
        self.bootstrap = line.split()[1]

    def command(self, line):
        """Sends a fault command (`broker down 1`, `errors 8 15 3`); returns after `ok`."""
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if answer != "ok":
            raise AssertionError(f"mock cluster: {line}: {answer}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def produce(bootstrap, topic, messages):
    """Sends (key, value) pairs with kcat, each value one message; returns
    once all are acknowledged (kcat exits non-zero otherwise). Keys choose
    the partition (librdkafka's default partitioner, consistent_random)."""
    data = "".join(f"{k}\t{v}\n" for k, v in messages)
    if any("\n" in v or "\t" in k for k, v in messages):
        raise ValueError("a value must be one line and a key must hold no tab")
    subprocess.run([kcat_path(), "-P", "-b", bootstrap, "-t", topic, "-K", "\t", "-X",
                    "acks=all"], input=data, text=True, check=True, capture_output=True)
