"""Unordered delivery through the real Amazon Connect adapter endpoint
(docs/events.md "Unordered delivery", docs/adapters.md): Amazon states that
contact events are not delivered in order. The payloads are written here
after Amazon's published contact events reference (the EventBridge envelope,
`detail.eventType`, `queueInfo`, `agentInfo`, `disconnectTimestamp`,
`afterContactWorkEndTimestamp`); the KPIs they must give are worked out by
hand below."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from ccmond import Daemon, metric  # noqa: E402

KEY = "connect-api-key-unordered"
CONFIG = f"""
server:
  clock: event
ingest:
  max_event_age: 0
kpis:
  windows: [24h]
  today: false
adapters:
  amazon_connect:
    api_key: {KEY}
"""

T0 = 1700000000  # 2023-11-14T22:13:20Z
INSTANCE = "arn:aws:connect:eu-west-1:444455556666:instance/inst-unordered"
QUEUE_ARN = INSTANCE + "/queue/q-support"
AGENT_ARN = INSTANCE + "/agent/ag-42"


def iso(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z")


def contact_event(eid, event_type, contact, t, **detail):
    d = {"eventType": event_type, "contactId": contact, "channel": "VOICE",
         "initiationMethod": "INBOUND", "instanceArn": INSTANCE}
    d.update(detail)
    return {"version": "0", "id": eid, "detail-type": "Amazon Connect Contact Event",
            "source": "aws.connect", "account": "444455556666", "time": iso(t),
            "region": "eu-west-1", "resources": [INSTANCE], "detail": d}


def queue_info(enqueued):
    return {"queueArn": QUEUE_ARN, "enqueueTimestamp": iso(T0 + enqueued)}


def agent_info(connected, **extra):
    a = {"agentArn": AGENT_ARN, "connectedToAgentTimestamp": iso(T0 + connected)}
    a.update({k: iso(T0 + v) for k, v in extra.items()})
    return a


class UnorderedConnectTest(unittest.TestCase):
    def test_out_of_order_contact_events_give_the_in_order_kpis(self):
        # In event time:
        #   c-10 queued +100, connected to the agent +112 (wait 12 s),
        #        disconnected +200 (talk 88 s), ACW ends +230 (30 s):
        #        handled, handle time 88 + 30 = 118 s
        #   c-11 queued +140, the customer hangs up +150: abandoned after
        #        10 s (not short: the short-abandon threshold is 5 s)
        #   c-12 connected +320, its QUEUED never comes
        #   c-13 queued +400, still waiting
        # Delivered: c-10's DISCONNECTED and CONNECTED before its QUEUED,
        # c-11's DISCONNECTED before its QUEUED, and c-10's CONNECTED again.
        events = [
            contact_event("e10-disc", "DISCONNECTED", "c-10", T0 + 200,
                          queueInfo=queue_info(100), agentInfo=agent_info(112),
                          disconnectTimestamp=iso(T0 + 200),
                          disconnectReason="CUSTOMER_DISCONNECT"),
            contact_event("e10-conn", "CONNECTED_TO_AGENT", "c-10", T0 + 112,
                          queueInfo=queue_info(100), agentInfo=agent_info(112)),
            contact_event("e10-queued", "QUEUED", "c-10", T0 + 100, queueInfo=queue_info(100)),
            contact_event("e10-done", "COMPLETED", "c-10", T0 + 231,
                          queueInfo=queue_info(100),
                          agentInfo=agent_info(112, afterContactWorkEndTimestamp=230)),
            contact_event("e11-disc", "DISCONNECTED", "c-11", T0 + 150,
                          queueInfo=queue_info(140), disconnectTimestamp=iso(T0 + 150),
                          disconnectReason="CUSTOMER_DISCONNECT"),
            contact_event("e11-queued", "QUEUED", "c-11", T0 + 140, queueInfo=queue_info(140)),
            contact_event("e12-conn", "CONNECTED_TO_AGENT", "c-12", T0 + 320,
                          queueInfo=queue_info(300), agentInfo=agent_info(320)),
            contact_event("e13-queued", "QUEUED", "c-13", T0 + 400, queueInfo=queue_info(400)),
            contact_event("e10-conn", "CONNECTED_TO_AGENT", "c-10", T0 + 112,
                          queueInfo=queue_info(100), agentInfo=agent_info(112)),
        ]
        with Daemon(CONFIG) as d:
            status, _, body = d.request(
                "POST", "/v1/adapters/amazon-connect/events?source=cx",
                json.dumps(events), {"Content-Type": "application/json",
                                     "Authorization": f"Bearer {KEY}"})
            self.assertEqual(status, 200, body)
            m = d.metrics()

            def kpi(name):
                return metric(m, name, queue="q-support", channel="voice", window="24h")

            # Offered: c-10, c-11, c-13 (c-12 was never queued).
            self.assertEqual(kpi("ccmon_offered"), 3)
            self.assertEqual(kpi("ccmon_answered"), 1)
            self.assertEqual(kpi("ccmon_abandoned"), 1)
            # ASA = 12 s: the answer held until its queueing arrived.
            self.assertEqual(kpi("ccmon_average_speed_of_answer_seconds"), 12)
            self.assertEqual(kpi("ccmon_average_abandon_time_seconds"), 10)
            self.assertEqual(kpi("ccmon_handled"), 1)
            self.assertEqual(kpi("ccmon_average_talk_time_seconds"), 88)
            self.assertEqual(kpi("ccmon_average_after_contact_work_seconds"), 30)
            self.assertEqual(kpi("ccmon_average_handle_time_seconds"), 118)
            # Service level (default formula, T = 20 s): 1 answered within 20 s
            # / (1 answered + 1 abandoned - 0 short) = 0.5.
            self.assertEqual(kpi("ccmon_service_level_ratio"), 0.5)
            self.assertEqual(metric(m, "ccmon_contacts_waiting", queue="q-support",
                                    channel="voice"), 1)
            # now = +400 (the latest event): c-12's answer, held until
            # +320 + 30 = +350, is out of sequence; nothing is held any more.
            self.assertEqual(metric(m, "ccmon_events_out_of_sequence_total"), 1)
            self.assertEqual(metric(m, "ccmon_held_events"), 0)
            # The resent CONNECTED of c-10 is a duplicate, not a second answer.
            self.assertEqual(metric(m, "ccmon_events_duplicate_total"), 1)


if __name__ == "__main__":
    unittest.main()
