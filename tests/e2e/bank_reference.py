"""Independent KPI computation for one day of the "Anonymous Bank" 1999 data.

The data: call-center records of "Anonymous Bank" (Israel, 1999), collected at
the Technion by Ilan Guedj and Avi Mandelbaum, free for use with
acknowledgement of the source.

This reads the raw records (not the converter's output) and computes, per
service type (= ccmon queue, channel voice), the `today` KPIs of
docs/kpis.md with the mapping rules of docs/replay.md. It is written from
those two documents, on purpose without looking at the C++ converter, so that
the end-to-end test compares two separate derivations of the same numbers.

Rules used (docs/replay.md):
  * PHANTOM records are ignored.
  * A clock time more than 12 h before the record's vru_entry is on the next day.
  * Queued call (q_start != 0:00:00): offered at q_start; it leaves the queue at
    q_exit (never before q_start): answered there if outcome AGENT, abandoned if
    HANG. Wait = q_exit - q_start.
  * Never-queued AGENT call: offered and answered at ser_start, wait 0.
  * An AGENT record whose ser_start and ser_exit are both 0:00:00 has no
    service times: service 0 s; if it never queued, answered at vru_exit.
  * Never-queued HANG call: never offered to a queue (ended in the VRU).
  * Served calls end at answer + (ser_exit - ser_start); no hold, no ACW, so
    handle time = talk time = ser_exit - ser_start, counted when the call ends.
  * Only what happens between the day's local midnight and the cut-off (default
    23:59:59 local) counts, like a replay cut with --until 23:59:59.

Usage: python3 bank_reference.py FILE YYYY-MM-DD  (prints JSON)
"""

import csv
import datetime as dt
import gzip
import json
import sys

HALF_DAY = dt.timedelta(hours=12)
ONE_DAY = dt.timedelta(days=1)


def _clock(text):
    h, m, s = (int(x) for x in text.split(":"))
    return dt.timedelta(hours=h, minutes=m, seconds=s)


def _record_date(text):
    yy, mm, dd = int(text[0:2]), int(text[2:4]), int(text[4:6])
    return dt.date(1900 + yy if yy >= 70 else 2000 + yy, mm, dd)


def read_records(path, day):
    """Yields the rows (dicts) of `path` dated `day` (a datetime.date)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            if _record_date(row["date"]) == day:
                yield row


def call_timeline(row):
    """(queue, offered_at, left_at, outcome, wait, service) in local naive
    datetimes, or None when the call never reached a queue / is a phantom."""
    if row["outcome"] == "PHANTOM":
        return None
    midnight = dt.datetime.combine(_record_date(row["date"]), dt.time())
    entry = midnight + _clock(row["vru_entry"])

    def at(field):
        t = midnight + _clock(row[field])
        return t + ONE_DAY if t < entry - HALF_DAY else t

    no_service_times = row["ser_start"] == row["ser_exit"] == "0:00:00"
    service = dt.timedelta(0)
    if not no_service_times:
        service = max(service, at("ser_exit") - at("ser_start"))
    if _clock(row["q_start"]) != dt.timedelta(0):
        offered = at("q_start")
        left = max(offered, at("q_exit"))
    elif row["outcome"] == "AGENT":
        offered = left = at("vru_exit") if no_service_times else at("ser_start")
    else:
        return None  # ended in the VRU
    return (row["type"], offered, left, row["outcome"], left - offered, service)


def _ratio(num, den):
    return num / den if den else None


def day_kpis(path, day, until=dt.time(23, 59, 59), threshold_s=20, short_abandon_s=5):
    """{queue: {kpi key: value}} for the `today` window of `day`."""
    start = dt.datetime.combine(day, dt.time())
    end = dt.datetime.combine(day, until)
    inside = lambda t: start <= t <= end  # noqa: E731
    acc = {}
    for row in read_records(path, day):
        call = call_timeline(row)
        if call is None:
            continue
        queue, offered, left, outcome, wait, service = call
        a = acc.setdefault(queue, dict(offered=0, answered=0, abandoned=0, short=0,
                                       within=0, wait_sum=0.0, handled=0, handle_sum=0.0))
        if inside(offered):
            a["offered"] += 1
        if not inside(left):
            continue
        w = wait.total_seconds()
        if outcome == "AGENT":
            a["answered"] += 1
            a["wait_sum"] += w
            if w <= threshold_s:
                a["within"] += 1
            if inside(left + service):
                a["handled"] += 1
                a["handle_sum"] += service.total_seconds()
        else:
            a["abandoned"] += 1
            if w < short_abandon_s:
                a["short"] += 1

    out = {}
    for queue, a in acc.items():
        counted = a["answered"] + a["abandoned"] - a["short"]  # overflowed: none in this data
        aht = _ratio(a["handle_sum"], a["handled"])
        out[queue] = {
            "offered": a["offered"],
            "answered": a["answered"],
            "abandoned": a["abandoned"],
            "short_abandoned": a["short"],
            "handled": a["handled"],
            "average_speed_of_answer_seconds": _ratio(a["wait_sum"], a["answered"]),
            "abandon_ratio": _ratio(a["abandoned"] - a["short"], counted),
            "service_level_ratio": _ratio(a["within"], counted),
            "average_handle_time_seconds": aht,
            "average_talk_time_seconds": aht,
        }
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("Usage: ")[1].splitlines()[0])
    result = day_kpis(sys.argv[1], dt.date.fromisoformat(sys.argv[2]))
    json.dump(result, sys.stdout, indent=2, sort_keys=True)
    print()
