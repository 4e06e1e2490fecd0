"""Small builders of valid events.md events for the integration tests."""

import itertools

_ids = itertools.count(1)
BASE = 1_700_000_000  # 2023-11-14T22:13:20Z: well in the past, never future_time


def event(type_, t=BASE, **fields):
    e = {"id": fields.pop("id", f"it-{next(_ids)}"), "type": type_, "time": t}
    e.update(fields)
    return e


def queued(contact, queue="sales", channel="voice", t=BASE, **kw):
    return event("contact.queued", t, contact=contact, queue=queue, channel=channel, **kw)


def answered(contact, agent="a1", t=BASE, **kw):
    return event("contact.answered", t, contact=contact, agent=agent, **kw)
