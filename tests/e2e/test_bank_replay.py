"""One real day of the "Anonymous Bank" 1999 data, replayed through ccmond.

Data: "Anonymous Bank" call-center records, collected at the Technion by Ilan
Guedj and Avi Mandelbaum; free for use with acknowledgement of the source.

The converter (tools/bank/ccmon-bank2events) turns one working day (Sunday to
Thursday in Israel) into NDJSON events; ccmond, in event-clock mode, ingests
them in batches; its `today` KPIs per queue must equal what
bank_reference.py computes straight from the raw file. Two days: 1999-03-15
(Monday, 1,706 records) with the default fixed +02:00, and 1999-07-13
(Tuesday, 1,745 records) in summer time with --tz-offset israel-1999.
"""

import collections
import datetime as dt
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)

import bank_reference  # noqa: E402
from ccmond import Daemon, metric, poll  # noqa: E402

UNTIL = "23:59:59"
BATCH_LINES = 500
COUNT_KEYS = ("offered", "answered", "abandoned", "short_abandoned", "handled")
MEAN_KEYS = ("average_speed_of_answer_seconds", "abandon_ratio", "service_level_ratio",
             "average_handle_time_seconds", "average_talk_time_seconds")

# The converter's offsets follow Asia/Jerusalem on both days (winter: the
# default +02:00; summer: israel-1999 gives +03:00), so the daemon's `today`
# is exactly the converted day.
CONFIG = """\
server:
  clock: event
kpis:
  time_zone: Asia/Jerusalem
  service_level:
    threshold: 20s
    short_abandon: 5s
"""


class Winter:
    DAY = dt.date(1999, 3, 15)
    FILE = "03_March.txt.gz"
    TZ_ARGS = ()
    OFFSET = "+02:00"
    RECORDS, PHANTOMS = 1706, 14


class Summer:
    DAY = dt.date(1999, 7, 13)
    FILE = "07_July.txt.gz"
    TZ_ARGS = ("--tz-offset", "israel-1999")
    OFFSET = "+03:00"
    RECORDS, PHANTOMS = 1745, 12


def data_file(name):
    shared = os.environ.get("CCMON_SHARED_DIR") or os.path.join(HERE, "..", "..", "..", "shared")
    path = os.path.join(shared, "data", "anonymous-bank-1999", name)
    if not os.path.exists(path):
        raise AssertionError(f"bank data not found at {path} (set CCMON_SHARED_DIR)")
    return path


def converter():
    build = os.environ.get("CCMON_BUILD_DIR")
    if not build:
        raise AssertionError("CCMON_BUILD_DIR is not set: run the tests through ctest")
    return os.path.join(build, "tools", "bank", "ccmon-bank2events")


def convert_day(day):
    """The converter's NDJSON lines for day.DAY, cut at UNTIL."""
    proc = subprocess.run([converter(), "--day", day.DAY.isoformat(), "--until", UNTIL,
                           *day.TZ_ARGS, data_file(day.FILE)],
                          capture_output=True, text=True, check=True)
    return proc.stdout.splitlines()


def tally(lines):
    """{queue: Counter(event type)} from the converter's output."""
    out = collections.defaultdict(collections.Counter)
    for line in lines:
        e = json.loads(line)
        out[e["queue"]][e["type"]] += 1
    return out


class ConverterChecks:
    """The converter alone, checked against the reference (no daemon)."""

    @classmethod
    def setUpClass(cls):
        cls.lines = convert_day(cls)
        cls.reference = bank_reference.day_kpis(data_file(cls.FILE), cls.DAY)

    def test_counts_per_queue_match_the_reference(self):
        counts = tally(self.lines)
        self.assertEqual(sorted(self.reference), ["IN", "NE", "NW", "PE", "PS", "TT"])
        for queue, ref in self.reference.items():
            with self.subTest(queue=queue):
                c = counts[queue]
                self.assertEqual(c["contact.queued"], ref["offered"])
                self.assertEqual(c["contact.answered"], ref["answered"])
                self.assertEqual(c["contact.abandoned"], ref["abandoned"])
                self.assertEqual(c["contact.wrapped"], ref["handled"])
        # Every converted queue with an offer is in the reference too.
        self.assertEqual({q for q, c in counts.items() if c["contact.queued"]},
                         set(self.reference))

    def test_events_are_sorted_unique_and_inside_the_day(self):
        day = self.DAY.isoformat()
        start = dt.datetime.fromisoformat(f"{day}T00:00:00{self.OFFSET}")
        end = dt.datetime.fromisoformat(f"{day}T{UNTIL}{self.OFFSET}")
        ids, previous = set(), start
        for line in self.lines:
            e = json.loads(line)
            t = dt.datetime.fromisoformat(e["time"])
            self.assertGreaterEqual(t, previous, line)
            self.assertLessEqual(t, end, line)
            self.assertNotIn(e["id"], ids)
            self.assertEqual(e["channel"], "voice")
            self.assertTrue(e["time"].endswith(self.OFFSET), line)
            ids.add(e["id"])
            previous = t
        # Every record but the PHANTOMs gives at least 2 events.
        self.assertGreaterEqual(len(ids), 2 * (self.RECORDS - self.PHANTOMS))

    def test_help_acknowledges_the_source(self):
        out = subprocess.run([converter(), "--help"], capture_output=True, text=True,
                             check=True).stdout
        for word in ("Anonymous Bank", "Technion", "Ilan Guedj", "Avi Mandelbaum"):
            self.assertIn(word, out)


class ReplayChecks:
    """The real daemon fed the converted day; KPIs against the reference."""

    @classmethod
    def setUpClass(cls):
        cls.lines = convert_day(cls)
        cls.reference = bank_reference.day_kpis(data_file(cls.FILE), cls.DAY)
        cls.daemon = Daemon(config=CONFIG)
        try:
            cls.answers = []
            for i in range(0, len(cls.lines), BATCH_LINES):
                batch = cls.lines[i:i + BATCH_LINES]
                status, answer = cls.daemon.post_events("\n".join(batch) + "\n")
                cls.answers.append((len(batch), status, answer))
            cls.sent = tally(cls.lines)
            # Ingestion may be applied after the answer: wait until the today
            # window holds every offer and outcome that was sent (counts from
            # the converter's lines, not from the reference).
            want = tuple(sum(c[t] for c in cls.sent.values())
                         for t in ("contact.queued", "contact.answered", "contact.abandoned"))
            poll(lambda: cls._today_totals() == want, what=f"today totals {want}")
            cls.kpis = cls.daemon.kpis("?window=today")
            cls.metrics = cls.daemon.metrics()
        except BaseException:
            cls.daemon.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()

    @classmethod
    def _today_totals(cls):
        totals = [0, 0, 0]
        for s in cls.daemon.kpis("?window=today")["series"]:
            w = s["windows"].get("today") or {}
            if s["channel"] == "voice":
                for i, key in enumerate(("offered", "answered", "abandoned")):
                    totals[i] += w.get(key) or 0
        return tuple(totals)

    def _today(self, queue):
        found = [s for s in self.kpis["series"]
                 if s["queue"] == queue and s["channel"] == "voice"]
        self.assertEqual(len(found), 1, f"one voice series for queue {queue}")
        return found[0]["windows"]["today"]

    def test_every_batch_is_accepted_without_rejections(self):
        self.assertEqual(len(self.answers), -(-len(self.lines) // BATCH_LINES))
        for n, status, answer in self.answers:
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer["accepted"], n, answer)
            self.assertEqual(answer.get("duplicates", 0), 0, answer)
            self.assertEqual(answer["rejected"], [], answer)

    def test_today_kpis_match_the_reference(self):
        for queue, ref in self.reference.items():
            with self.subTest(queue=queue):
                today = self._today(queue)
                for key in COUNT_KEYS:
                    self.assertEqual(today[key], ref[key], key)
                for key in MEAN_KEYS:
                    if ref[key] is None:
                        self.assertIsNone(today[key], key)
                    else:
                        self.assertIsNotNone(today[key], key)
                        # Waits and service times are whole seconds: only
                        # floating-point rounding may differ.
                        self.assertLessEqual(abs(today[key] - ref[key]),
                                             1e-9 * max(abs(ref[key]), 1e-300), key)

    def test_metrics_offered_today_matches_the_reference(self):
        for queue, ref in self.reference.items():
            with self.subTest(queue=queue):
                value = metric(self.metrics, "ccmon_offered", queue=queue, channel="voice",
                               window="today")
                self.assertEqual(value, float(ref["offered"]))


class WinterConverter(Winter, ConverterChecks, unittest.TestCase):
    pass


class SummerConverter(Summer, ConverterChecks, unittest.TestCase):
    pass


class WinterReplay(Winter, ReplayChecks, unittest.TestCase):
    pass


class SummerReplay(Summer, ReplayChecks, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()
