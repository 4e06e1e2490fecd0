"""Small builders of valid events.md events for the integration tests."""

import itertools
import time

_ids = itertools.count(1)
# For event-clock tests, whose expected values are computed by hand:
# 2023-11-14T22:13:20Z.
BASE = 1_700_000_000
# The builders' default: two days before the run started, so under the wall
# clock an event is inside ingest.max_event_age (72h), never future_time, and
# as before out of every window and older than state.contact_idle_timeout (12h).
RECENT = int(time.time()) - 48 * 3600


def event(type_, t=RECENT, **fields):
    e = {"id": fields.pop("id", f"it-{next(_ids)}"), "type": type_, "time": t}
    e.update(fields)
    return e


def queued(contact, queue="sales", channel="voice", t=RECENT, **kw):
    return event("contact.queued", t, contact=contact, queue=queue, channel=channel, **kw)


def answered(contact, agent="a1", t=RECENT, **kw):
    return event("contact.answered", t, contact=contact, agent=agent, **kw)
