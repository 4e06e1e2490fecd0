"""The platform adapters' HTTP endpoints (docs/adapters.md, "In the daemon")
over real sockets: payloads written here after the vendors' published
references (Asterisk "Queue Logs", Twilio TaskRouter "Events reference" and
"Webhooks security", Amazon Connect contact events, Firehose HTTP endpoint
request/response specifications), the KPIs they must give worked out by
hand, signatures computed here with hmac/hashlib, independently of the
daemon's code."""

import base64
import gzip
import hashlib
import hmac
import json
import os
import subprocess
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from ccmond import Daemon, metric, poll  # noqa: E402

TWILIO_TOKEN = "tw-auth-token-0123456789abcdef"
CONNECT_KEY = "connect-api-key-1"
FIREHOSE_KEY = "firehose-access-key-1"
ING = "ingest-secret"
PUBLIC = "https://ccmon.example.com"

CONFIG = f"""
server:
  clock: event
  auth:
    ingest_tokens: [{ING}]
ingest:
  max_event_age: 0
kpis:
  windows: [24h]
  today: false
adapters:
  max_sources: 5
  twilio:
    auth_token: {TWILIO_TOKEN}
    public_base_url: {PUBLIC}/
  amazon_connect:
    api_key: {CONNECT_KEY}
    firehose_access_key: {FIREHOSE_KEY}
"""

T0 = 1700000000  # 2023-11-14T22:13:20Z


def iso(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z")


def twilio_signature(url, params):
    """Twilio "Webhooks security": base64(HMAC-SHA1(token, URL + each POST
    parameter sorted by name, name then value))."""
    data = url + "".join(k + v for k, v in sorted(params.items()))
    mac = hmac.new(TWILIO_TOKEN.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def adapter(d, name, source, result):
    return metric(d.metrics(), "ccmon_adapter_events_total", adapter=name, source=source,
                  result=result)


def kpi(d, name, queue, channel="voice"):
    return metric(d.metrics(), name, queue=queue, channel=channel, window="24h")


class AdapterEndpointsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(CONFIG)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    # --- Asterisk queue_log --------------------------------------------
    def post_queue_log(self, text, source="pbx1", token=ING, headers=None):
        h = {"Content-Type": "text/plain"}
        if token:
            h["Authorization"] = f"Bearer {token}"
        h.update(headers or {})
        status, _, body = self.d.request("POST", f"/v1/adapters/asterisk/queue_log?source={source}",
                                         text, h)
        return status, json.loads(body) if body else None

    def test_queue_log_lines(self):
        # Call A waits 12 s and is answered by member PJSIP/1001, talks 88 s;
        # call B abandons after 30 s. A malformed line and an unknown verb
        # sit between them and must not cost their neighbours anything.
        lines = [
            f"{T0}|1700000000.1|support|NONE|ENTERQUEUE||CALLER01|1",
            f"{T0 + 5}|1700000005.3|support|NONE|ENTERQUEUE||CALLER02|2",
            "this is not a queue_log line",
            f"{T0 + 12}|1700000000.1|support|PJSIP/1001|CONNECT|12|1700000012.2|3",
            f"{T0 + 20}|NONE|support|NONE|CUSTOMVERB|x",
            f"{T0 + 35}|1700000005.3|support|NONE|ABANDON|2|2|30",
            f"{T0 + 100}|1700000000.1|support|PJSIP/1001|COMPLETECALLER|12|88|1",
        ]
        status, reply = self.post_queue_log("\n".join(lines) + "\n")
        self.assertEqual(status, 200, reply)
        # Events by hand (docs/adapters.md table): 2 queued; CONNECT ->
        # answered + agent busy; ABANDON -> abandoned; COMPLETECALLER ->
        # ended + wrapped + agent available. 8 in all.
        self.assertEqual(reply["accepted"], 8, reply)
        self.assertEqual(reply["duplicates"], 0)
        self.assertEqual([r["record"] for r in reply["rejected"]], [3])
        self.assertEqual(reply["rejected"][0]["reason"], "missing_field")
        self.assertEqual(reply["ignored"], 1)
        self.assertEqual(reply["unknown"], {"CUSTOMVERB": 1})
        self.assertEqual(adapter(self.d, "asterisk_queue_log", "pbx1", "accepted"), 8)
        self.assertEqual(adapter(self.d, "asterisk_queue_log", "pbx1", "rejected"), 1)
        self.assertEqual(adapter(self.d, "asterisk_queue_log", "pbx1", "ignored"), 1)
        self.assertEqual(metric(self.d.metrics(), "ccmon_adapter_unknown_kinds_total",
                                adapter="asterisk_queue_log", kind="CUSTOMVERB"), 1)
        self.assertEqual(metric(self.d.metrics(), "ccmon_source_last_event_timestamp_seconds",
                                adapter="asterisk_queue_log", source="pbx1"), T0 + 100)
        # KPIs: offered 2, answered 1 (wait 12), abandoned 1 (wait 30).
        self.assertEqual(kpi(self.d, "ccmon_offered", "support"), 2)
        self.assertEqual(kpi(self.d, "ccmon_answered", "support"), 1)
        self.assertEqual(kpi(self.d, "ccmon_abandoned", "support"), 1)
        self.assertEqual(kpi(self.d, "ccmon_average_speed_of_answer_seconds", "support"), 12)
        self.assertEqual(kpi(self.d, "ccmon_average_abandon_time_seconds", "support"), 30)
        # The malformed line is logged with its source and line number.
        poll(lambda: "source pbx1: line 3: missing_field" in self.d.log(), what="the log line")

        # Sent again (a PBX shipper retrying): every event a duplicate.
        status, reply = self.post_queue_log("\n".join(lines) + "\n")
        self.assertEqual((status, reply["accepted"], reply["duplicates"]), (200, 0, 8), reply)
        self.assertEqual(adapter(self.d, "asterisk_queue_log", "pbx1", "duplicate"), 8)
        self.assertEqual(kpi(self.d, "ccmon_offered", "support"), 2)

    def test_queue_log_huge_line_between_valid_ones(self):
        # A 5,000-byte line (over the adapter's 4 KiB) is refused on its own;
        # the lines around it are applied.
        lines = [f"{T0 + 3}|big1|hugeq|NONE|ENTERQUEUE||X|1",
                 f"{T0 + 4}|big2|hugeq|NONE|ENTERQUEUE||" + "Y" * 5000 + "|2",
                 f"{T0 + 5}|big3|hugeq|NONE|ENTERQUEUE||X|3"]
        status, reply = self.post_queue_log("\n".join(lines) + "\n", source="pbxhuge")
        self.assertEqual(status, 200, reply)
        self.assertEqual(reply["accepted"], 2, reply)
        self.assertEqual([(r["record"], r["reason"]) for r in reply["rejected"]],
                         [(2, "line_too_long")])
        self.assertEqual(kpi(self.d, "ccmon_offered", "hugeq"), 2)

    def test_queue_log_needs_the_ingest_token(self):
        status, reply = self.post_queue_log(f"{T0}|c9|support|NONE|ENTERQUEUE||X|1\n", token=None)
        self.assertEqual(status, 401, reply)
        status, reply = self.post_queue_log(f"{T0}|c9|support|NONE|ENTERQUEUE||X|1\n",
                                            token="wrong")
        self.assertEqual(status, 401, reply)

    def test_queue_log_gzip_and_bad_source(self):
        body = gzip.compress(f"{T0 + 1}|gz1|gzq|NONE|ENTERQUEUE||X|1\n".encode())
        status, reply = self.post_queue_log(body, source="pbxgz",
                                            headers={"Content-Encoding": "gzip"})
        self.assertEqual((status, reply["accepted"]), (200, 1), reply)
        status, reply = self.post_queue_log("x\n", source="bad%20name")
        self.assertEqual((status, reply["error"]), (400, "invalid_source"), reply)

    def test_source_label_is_bounded(self):
        # max_sources: 5 for the queue_log adapter (pbx1, pbxgz, pbxhuge of
        # the other tests and the ones below share it, in whatever order):
        # later sources are counted as "other".
        for s in ("capa", "capb", "capc", "capd", "cape", "capf"):
            status, reply = self.post_queue_log(f"{T0 + 2}|{s}1|capq|NONE|ENTERQUEUE||X|1\n",
                                                source=s)
            self.assertEqual((status, reply["accepted"]), (200, 1), reply)
        m = self.d.metrics()
        labelled = {dict(k[1]).get("source") for k in m
                    if k[0] == "ccmon_adapter_events_total"
                    and dict(k[1]).get("adapter") == "asterisk_queue_log"}
        self.assertEqual(len(labelled - {"other"}), 5, labelled)
        self.assertIn("other", labelled)
        self.assertGreaterEqual(metric(m, "ccmon_adapter_sources_folded_total",
                                       adapter="asterisk_queue_log"), 1)

    # --- Twilio TaskRouter ---------------------------------------------
    def post_twilio_form(self, params, signature=None, source="tw1", d=None):
        path = f"/v1/adapters/twilio/taskrouter?source={source}"
        if signature is None:
            signature = twilio_signature(PUBLIC + path, params)
        status, _, body = (d or self.d).request(
            "POST", path, urllib.parse.urlencode(params),
            {"Content-Type": "application/x-www-form-urlencoded",
             "X-Twilio-Signature": signature})
        return status, json.loads(body) if body else None

    def task_event(self, event_type, sid, task, t, **extra):
        p = {"EventType": event_type, "Sid": sid, "TaskSid": task,
             "TimestampMs": str(t * 1000), "AccountSid": "AC00000000000000000000000000000000",
             "WorkspaceSid": "WS00000000000000000000000000000000",
             "TaskChannelUniqueName": "voice", "TaskQueueName": "Sales",
             "EventDescription": f"{event_type} for {task}"}
        p.update(extra)
        return p

    def test_twilio_callbacks(self):
        # Task A enters Sales at T0+100 and a worker accepts it at T0+115
        # (wait 15 s); task B enters at T0+110 and is canceled at T0+150 by
        # the caller hanging up (abandon, wait 40 s).
        events = [
            self.task_event("task.created", "EVa1", "WTa", T0 + 100),
            self.task_event("task-queue.entered", "EVa2", "WTa", T0 + 100),
            self.task_event("task.created", "EVb1", "WTb", T0 + 110),
            self.task_event("task-queue.entered", "EVb2", "WTb", T0 + 110),
            self.task_event("reservation.accepted", "EVa3", "WTa", T0 + 115,
                            WorkerSid="WKalice", WorkerName="alice"),
            self.task_event("task.canceled", "EVb3", "WTb", T0 + 150,
                            TaskCanceledReason="hangup"),
            self.task_event("reservation.created", "EVa0", "WTa", T0 + 101,
                            WorkerSid="WKalice"),
        ]
        for p in events:
            status, reply = self.post_twilio_form(p)
            self.assertEqual(status, 200, reply)
        self.assertEqual(adapter(self.d, "twilio", "tw1", "accepted"), 6)
        self.assertEqual(adapter(self.d, "twilio", "tw1", "ignored"), 1)  # reservation.created
        self.assertEqual(kpi(self.d, "ccmon_offered", "Sales"), 2)
        self.assertEqual(kpi(self.d, "ccmon_answered", "Sales"), 1)
        self.assertEqual(kpi(self.d, "ccmon_abandoned", "Sales"), 1)
        self.assertEqual(kpi(self.d, "ccmon_average_speed_of_answer_seconds", "Sales"), 15)
        self.assertEqual(kpi(self.d, "ccmon_average_abandon_time_seconds", "Sales"), 40)

    def test_twilio_out_of_order_and_duplicate_callbacks(self):
        # TaskRouter does not promise order. In event time, queue Support:
        #   WTx created and enters +500, accepted +508 (wait 8 s), wrap-up
        #       +560 (talk 52 s), completed +575 (after-call work 15 s):
        #       handle time 52 + 15 = 67 s
        #   WTy created and enters +520, canceled by a hang-up +523: an
        #       abandon after 3 s, short (threshold 5 s)
        # Delivered: each task's outcome before its queueing, WTx's
        # completion before its wrap-up, and WTx's acceptance twice.
        x = [self.task_event(*a, TaskQueueName="Support") for a in (
            ("task.created", "EVx1", "WTx", T0 + 500),
            ("task-queue.entered", "EVx2", "WTx", T0 + 500))]
        accepted = self.task_event("reservation.accepted", "EVx3", "WTx", T0 + 508,
                                   TaskQueueName="Support", WorkerSid="WKbob")
        wrapup = self.task_event("task.wrapup", "EVx4", "WTx", T0 + 560,
                                 TaskQueueName="Support")
        completed = self.task_event("task.completed", "EVx5", "WTx", T0 + 575,
                                    TaskQueueName="Support")
        y = [self.task_event(*a, TaskQueueName="Support") for a in (
            ("task.created", "EVy1", "WTy", T0 + 520),
            ("task-queue.entered", "EVy2", "WTy", T0 + 520))]
        canceled = self.task_event("task.canceled", "EVy3", "WTy", T0 + 523,
                                   TaskQueueName="Support", TaskCanceledReason="hangup")
        # A daemon of its own: on the shared one, events other tests leave
        # held would be given up (out of sequence) as these move its clock on.
        with Daemon(CONFIG) as d:
            for p in [accepted, canceled, x[1], x[0], completed, y[1], y[0], wrapup, accepted]:
                status, reply = self.post_twilio_form(p, d=d)
                self.assertEqual(status, 200, reply)
            m = d.metrics()

        def support(name):
            return metric(m, name, queue="Support", channel="voice", window="24h")

        self.assertEqual(support("ccmon_offered"), 2)
        self.assertEqual(support("ccmon_answered"), 1)
        self.assertEqual(support("ccmon_abandoned"), 1)
        self.assertEqual(support("ccmon_short_abandoned"), 1)
        self.assertEqual(support("ccmon_average_speed_of_answer_seconds"), 8)
        self.assertEqual(support("ccmon_average_talk_time_seconds"), 52)
        self.assertEqual(support("ccmon_average_after_contact_work_seconds"), 15)
        self.assertEqual(support("ccmon_average_handle_time_seconds"), 67)
        # Default formula, T = 20 s: 1 within T / (1 + 1 - 1 short) = 1.
        self.assertEqual(support("ccmon_service_level_ratio"), 1)
        # Every early event waited for its predecessor: none out of
        # sequence, none left held; the second acceptance is a duplicate.
        self.assertEqual(metric(m, "ccmon_events_out_of_sequence_total"), 0)
        self.assertEqual(metric(m, "ccmon_held_events"), 0)
        self.assertEqual(metric(m, "ccmon_adapter_events_total", adapter="twilio", source="tw1",
                                result="duplicate"), 1)

    def test_twilio_bad_signature_is_refused_and_counted(self):
        before = metric(self.d.metrics(), "ccmon_adapter_auth_failures_total", adapter="twilio",
                        reason="invalid") or 0
        p = self.task_event("task-queue.entered", "EVx1", "WTx", T0 + 120, TaskQueueName="Forged")
        # Signed for another URL (as a proxy that rewrites the host would).
        forged = twilio_signature("https://elsewhere.example.com/v1/adapters/twilio/taskrouter"
                                  "?source=tw1", p)
        status, reply = self.post_twilio_form(p, signature=forged)
        self.assertEqual((status, reply["error"]), (403, "forbidden"), reply)
        # A parameter changed after signing.
        good = twilio_signature(PUBLIC + "/v1/adapters/twilio/taskrouter?source=tw1", p)
        p2 = dict(p, TaskQueueName="Other")
        status, _ = self.post_twilio_form(p2, signature=good)
        self.assertEqual(status, 403)
        status, _, _ = self.d.request(
            "POST", "/v1/adapters/twilio/taskrouter?source=tw1", urllib.parse.urlencode(p),
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 403)
        m = self.d.metrics()
        self.assertEqual(metric(m, "ccmon_adapter_auth_failures_total", adapter="twilio",
                                reason="invalid"), before + 2)
        self.assertGreaterEqual(metric(m, "ccmon_adapter_auth_failures_total", adapter="twilio",
                                       reason="missing"), 1)
        self.assertIsNone(kpi(self.d, "ccmon_offered", "Forged"))

    def test_twilio_signature_vector(self):
        # A fixed vector, computed by hand with Python's hmac, so a change of
        # the daemon's URL or parameter order fails here too.
        url = PUBLIC + "/v1/adapters/twilio/taskrouter?source=tw1"
        params = {"b": "2", "a": "1"}
        expected = base64.b64encode(hmac.new(TWILIO_TOKEN.encode(), (url + "a1b2").encode(),
                                             hashlib.sha1).digest()).decode()
        self.assertEqual(twilio_signature(url, params), expected)
        status, reply = self.post_twilio_form(params, signature=expected)
        # Signed correctly, but not a TaskRouter event: one rejected record.
        self.assertEqual(status, 200, reply)
        self.assertEqual(reply["rejected"][0]["reason"], "missing_field")

    def test_twilio_event_streams(self):
        # Event Streams webhook: a JSON array of CloudEvents; the URL carries
        # bodySHA256 and the signature covers the URL alone.
        def ce(kind, eid, task, t, **payload):
            return {"specversion": "1.0", "type": f"com.twilio.taskrouter.{kind}",
                    "source": f"/v1/Workspaces/WS0/Tasks/{task}", "id": eid,
                    "dataschema": "https://events-schemas.twilio.com/TaskRouter.Task/1",
                    "datacontenttype": "application/json", "time": iso(t),
                    "data": {"name": kind, "payload": dict(
                        {"task_sid": task, "task_queue_name": "Chat",
                         "task_channel_unique_name": "chat", "timestamp": iso(t)}, **payload)}}
        body = json.dumps([
            ce("task-queue.entered", "EZc1", "WTc", T0 + 200),
            ce("reservation.accepted", "EZc2", "WTc", T0 + 208, worker_sid="WKbob"),
            {"not": "a cloudevent"},
        ]).encode()
        digest = hashlib.sha256(body).hexdigest()
        path = f"/v1/adapters/twilio/taskrouter?source=tw1&bodySHA256={digest}"
        sig = base64.b64encode(hmac.new(TWILIO_TOKEN.encode(), (PUBLIC + path).encode(),
                                        hashlib.sha1).digest()).decode()
        headers = {"Content-Type": "application/json", "X-Twilio-Signature": sig}
        status, _, data = self.d.request("POST", path, body, headers)
        reply = json.loads(data)
        self.assertEqual(status, 200, reply)
        self.assertEqual(reply["accepted"], 2, reply)
        self.assertEqual([r["record"] for r in reply["rejected"]], [3])
        self.assertEqual(kpi(self.d, "ccmon_answered", "Chat", "chat"), 1)
        self.assertEqual(kpi(self.d, "ccmon_average_speed_of_answer_seconds", "Chat", "chat"), 8)
        # The body changed after signing: its SHA-256 no longer matches.
        status, _, _ = self.d.request("POST", path, body.replace(b"WKbob", b"WKeve"), headers)
        self.assertEqual(status, 403)

    # --- Amazon Connect contact events (EventBridge) -------------------
    def connect_event(self, eid, event_type, contact, t, **detail):
        d = {"eventType": event_type, "contactId": contact, "channel": "VOICE",
             "initiationMethod": "INBOUND",
             "instanceArn": "arn:aws:connect:us-east-1:111122223333:instance/inst-1"}
        d.update(detail)
        return {"version": "0", "id": eid, "detail-type": "Amazon Connect Contact Event",
                "source": "aws.connect", "account": "111122223333", "time": iso(t),
                "region": "us-east-1",
                "resources": ["arn:aws:connect:us-east-1:111122223333:instance/inst-1"],
                "detail": d}

    def post_connect(self, body, headers):
        h = {"Content-Type": "application/json"}
        h.update(headers)
        status, _, data = self.d.request("POST", "/v1/adapters/amazon-connect/events?source=cx1",
                                         body, h)
        return status, json.loads(data) if data else None

    def test_connect_contact_events(self):
        q = {"queueArn": "arn:aws:connect:us-east-1:111122223333:instance/inst-1/queue/q-billing",
             "enqueueTimestamp": iso(T0 + 300)}
        agent = {"agentArn": "arn:aws:connect:us-east-1:111122223333:instance/inst-1/agent/ag-7",
                 "connectedToAgentTimestamp": iso(T0 + 325)}
        # Contact 1 queued at +300, connected at +325 (wait 25 s), ended at
        # +400; contact 2 queued at +310 and the customer hangs up at +370
        # (abandon, wait 60 s).
        events = [
            self.connect_event("e1", "QUEUED", "c-1", T0 + 300, queueInfo=q),
            self.connect_event("e2", "QUEUED", "c-2", T0 + 310,
                               queueInfo=dict(q, enqueueTimestamp=iso(T0 + 310))),
            self.connect_event("e3", "CONNECTED_TO_AGENT", "c-1", T0 + 325, queueInfo=q,
                               agentInfo=agent),
            self.connect_event("e4", "DISCONNECTED", "c-2", T0 + 370,
                               queueInfo=dict(q, enqueueTimestamp=iso(T0 + 310)),
                               disconnectTimestamp=iso(T0 + 370),
                               disconnectReason="CUSTOMER_DISCONNECT"),
            "a string, not an event",
        ]
        status, reply = self.post_connect(json.dumps(events),
                                          {"Authorization": f"Bearer {CONNECT_KEY}"})
        self.assertEqual(status, 200, reply)
        self.assertEqual(reply["accepted"], 4, reply)
        self.assertEqual([r["record"] for r in reply["rejected"]], [5])
        self.assertEqual(kpi(self.d, "ccmon_offered", "q-billing"), 2)
        self.assertEqual(kpi(self.d, "ccmon_average_speed_of_answer_seconds", "q-billing"), 25)
        self.assertEqual(kpi(self.d, "ccmon_average_abandon_time_seconds", "q-billing"), 60)
        # One event alone, the X-Api-Key form of the key.
        one = self.connect_event("e5", "DISCONNECTED", "c-1", T0 + 400, queueInfo=q,
                                 agentInfo=agent, disconnectTimestamp=iso(T0 + 400))
        status, reply = self.post_connect(json.dumps(one), {"X-Api-Key": CONNECT_KEY})
        self.assertEqual((status, reply["accepted"]), (200, 1), reply)

    def test_connect_key_refused(self):
        body = json.dumps(self.connect_event("k1", "QUEUED", "c-k", T0 + 300, queueInfo={
            "queueArn": "arn:aws:connect:us-east-1:1:instance/i/queue/q-forged",
            "enqueueTimestamp": iso(T0 + 300)}))
        status, reply = self.post_connect(body, {})
        self.assertEqual(status, 401, reply)
        status, reply = self.post_connect(body, {"X-Api-Key": CONNECT_KEY + "x"})
        self.assertEqual(status, 403, reply)
        self.assertIsNone(kpi(self.d, "ccmon_offered", "q-forged"))
        self.assertGreaterEqual(metric(self.d.metrics(), "ccmon_adapter_auth_failures_total",
                                       adapter="amazon_connect", reason="invalid"), 1)

    def test_connect_huge_body_counted(self):
        # Over the adapter's 4 MiB: one rejected delivery, answered 200 with
        # the reason (the body limit of the server is 8 MiB).
        body = json.dumps([self.connect_event("h", "QUEUED", "c-h", T0, queueInfo={})] * 1) + \
            " " * (4 * 1024 * 1024 + 10)
        before = adapter(self.d, "amazon_connect", "cx1", "rejected") or 0
        status, reply = self.post_connect(body, {"X-Api-Key": CONNECT_KEY})
        self.assertEqual(status, 200, reply)
        self.assertEqual(reply["rejected"][0]["reason"], "too_large")
        self.assertEqual(adapter(self.d, "amazon_connect", "cx1", "rejected"), before + 1)

    # --- Amazon Connect agent events (Firehose) -----------------------
    def firehose(self, records, key=FIREHOSE_KEY, request_id="req-0001"):
        body = json.dumps({"requestId": request_id, "timestamp": (T0 + 500) * 1000,
                           "records": [{"data": base64.b64encode(r if isinstance(r, bytes)
                                                                 else json.dumps(r).encode())
                                        .decode()} for r in records]})
        headers = {"Content-Type": "application/json", "X-Amz-Firehose-Request-Id": request_id,
                   "X-Amz-Firehose-Protocol-Version": "1.0"}
        if key is not None:
            headers["X-Amz-Firehose-Access-Key"] = key
        status, _, data = self.d.request(
            "POST", "/v1/adapters/amazon-connect/agent-events?source=cx1", body, headers)
        return status, json.loads(data)

    def agent_record(self, eid, event_type, agent, t, status_type, name):
        return {"AWSAccountId": "111122223333",
                "AgentARN": f"arn:aws:connect:us-east-1:111122223333:instance/inst-1/agent/{agent}",
                "EventId": eid, "EventType": event_type, "EventTimestamp": iso(t),
                "InstanceARN": "arn:aws:connect:us-east-1:111122223333:instance/inst-1",
                "Version": "2019-05-25",
                "CurrentAgentSnapshot": {"AgentStatus": {"Name": name, "Type": status_type,
                                                         "StartTimestamp": iso(t)},
                                         "Contacts": []}}

    def test_firehose_agent_events(self):
        records = [self.agent_record("ev-1", "LOGIN", "ag-fh1", T0 + 500, "ROUTABLE", "Available"),
                   self.agent_record("ev-2", "STATE_CHANGE", "ag-fh2", T0 + 501, "CUSTOM",
                                     "Lunch"),
                   b"not json",
                   self.agent_record("ev-3", "HEART_BEAT", "ag-fh1", T0 + 502, "ROUTABLE",
                                     "Available")]
        before = {r: adapter(self.d, "amazon_connect", "cx1", r) or 0
                  for r in ("accepted", "rejected", "ignored")}
        status, reply = self.firehose(records, request_id="req-fh-1")
        self.assertEqual(status, 200, reply)
        self.assertEqual(reply["requestId"], "req-fh-1")
        self.assertIsInstance(reply["timestamp"], int)
        self.assertNotIn("errorMessage", reply)
        # LOGIN -> available, STATE_CHANGE CUSTOM -> away; the bad record
        # rejected; HEART_BEAT ignored.
        for r, n in (("accepted", 2), ("rejected", 1), ("ignored", 1)):
            self.assertEqual(adapter(self.d, "amazon_connect", "cx1", r), before[r] + n, r)

    def test_firehose_access_key(self):
        status, reply = self.firehose([], key="wrong", request_id="req-bad")
        self.assertEqual(status, 403)
        self.assertEqual(reply["requestId"], "req-bad")
        self.assertIn("errorMessage", reply)
        status, reply = self.firehose([], key=None, request_id="req-none")
        self.assertEqual(status, 401)
        self.assertIn("errorMessage", reply)

    def test_firehose_unreadable_request(self):
        status, _, data = self.d.request(
            "POST", "/v1/adapters/amazon-connect/agent-events", b"{not json",
            {"X-Amz-Firehose-Access-Key": FIREHOSE_KEY, "X-Amz-Firehose-Request-Id": "req-x"})
        reply = json.loads(data)
        self.assertEqual(status, 400)
        self.assertEqual(reply["requestId"], "req-x")
        self.assertIn("errorMessage", reply)


class AdapterReloadTest(unittest.TestCase):
    def test_a_reload_rotates_an_adapter_key(self):
        cfg = "server:\n  clock: event\nadapters:\n  amazon_connect:\n    api_key: {}\n"
        with Daemon(cfg.format("old-key")) as d:
            def post(key):
                return d.request("POST", "/v1/adapters/amazon-connect/events", b"[]",
                                 {"Content-Type": "application/json", "X-Api-Key": key})[0]
            self.assertEqual(post("old-key"), 200)
            with open(d.config_path, "w") as f:
                f.write(cfg.format("new-key"))
            status, _, body = d.request("POST", "/-/reload")
            self.assertEqual(status, 200, body)
            self.assertEqual(post("old-key"), 403)
            self.assertEqual(post("new-key"), 200)


class SimulatedConnectTest(unittest.TestCase):
    def test_simulated_connect_events_count_as_the_simulator_says(self):
        # ccmon-sim --format connect: its contacts as EventBridge events,
        # posted in arrays of 200; per queue of the voice, chat and email
        # channels the daemon must count the simulator's offered, answered
        # and abandoned.
        sim = os.path.join(os.environ["CCMON_BUILD_DIR"], "tools", "sim", "ccmon-sim")
        if not os.path.exists(sim):
            raise AssertionError(f"{sim} is missing: build the ccmon-sim target")
        with Daemon(CONFIG) as d:
            path = os.path.join(d.tmp.name, "connect.jsonl")
            run = subprocess.run([sim, "--format", "connect", "--out", path, "--summary",
                                  "--duration", "2h", "--agents", "10", "--rate", "2.0",
                                  "--seed", "7", "--start", "1772442000"],
                                 capture_output=True, text=True, check=True)
            series = [s for s in json.loads(run.stdout)["series"]
                      if s["channel"] in ("voice", "chat", "email")]
            self.assertGreater(len(series), 4)
            with open(path) as f:
                events = [json.loads(line) for line in f]
            for i in range(0, len(events), 200):
                status, _, body = d.request(
                    "POST", "/v1/adapters/amazon-connect/events?source=sim",
                    json.dumps(events[i:i + 200]),
                    {"Content-Type": "application/json", "X-Api-Key": CONNECT_KEY})
                reply = json.loads(body)
                self.assertEqual((status, reply["rejected"]), (200, []), reply)
            m = d.metrics()
            for s in series:
                with self.subTest(queue=s["queue"], channel=s["channel"]):
                    for kpi, key in (("ccmon_contacts_offered_total", "offered"),
                                     ("ccmon_contacts_answered_total", "answered"),
                                     ("ccmon_contacts_abandoned_total", "abandoned")):
                        self.assertEqual(metric(m, kpi, queue=s["queue"], channel=s["channel"])
                                         or 0, s[key], kpi)


class SimulatedTwilioTest(unittest.TestCase):
    def test_simulated_event_streams_count_as_the_simulator_says(self):
        # ccmon-sim --format twilio: TaskRouter Event Streams CloudEvents,
        # posted in signed batches of 200 (bodySHA256 in the URL, signature
        # computed here); per queue and channel the daemon must count the
        # simulator's offered, answered and abandoned.
        sim = os.path.join(os.environ["CCMON_BUILD_DIR"], "tools", "sim", "ccmon-sim")
        if not os.path.exists(sim):
            raise AssertionError(f"{sim} is missing: build the ccmon-sim target")
        with Daemon(CONFIG) as d:
            path = os.path.join(d.tmp.name, "twilio.jsonl")
            run = subprocess.run([sim, "--format", "twilio", "--out", path, "--summary",
                                  "--duration", "2h", "--agents", "10", "--rate", "2.0",
                                  "--seed", "7", "--start", "1772442000"],
                                 capture_output=True, text=True, check=True)
            series = json.loads(run.stdout)["series"]
            self.assertGreater(len(series), 8)
            with open(path) as f:
                events = [json.loads(line) for line in f]
            for i in range(0, len(events), 200):
                body = json.dumps(events[i:i + 200]).encode()
                target = ("/v1/adapters/twilio/taskrouter?source=simtw&bodySHA256="
                          + hashlib.sha256(body).hexdigest())
                sig = base64.b64encode(hmac.new(TWILIO_TOKEN.encode(), (PUBLIC + target).encode(),
                                                hashlib.sha1).digest()).decode()
                status, _, data = d.request("POST", target, body,
                                            {"Content-Type": "application/json",
                                             "X-Twilio-Signature": sig})
                reply = json.loads(data)
                self.assertEqual((status, reply["rejected"]), (200, []), reply)
            m = d.metrics()
            for s in series:
                with self.subTest(queue=s["queue"], channel=s["channel"]):
                    for kpi, key in (("ccmon_contacts_offered_total", "offered"),
                                     ("ccmon_contacts_answered_total", "answered"),
                                     ("ccmon_contacts_abandoned_total", "abandoned")):
                        self.assertEqual(metric(m, kpi, queue=s["queue"], channel=s["channel"])
                                         or 0, s[key], kpi)
            # Transfers are new tasks: none is out of sequence.
            self.assertEqual(metric(m, "ccmon_events_out_of_sequence_total") or 0, 0)


class DisabledAdaptersTest(unittest.TestCase):
    def test_adapters_without_credentials_are_disabled(self):
        with Daemon("server:\n  clock: event\n") as d:
            for path in ("/v1/adapters/twilio/taskrouter",
                         "/v1/adapters/amazon-connect/events",
                         "/v1/adapters/amazon-connect/agent-events"):
                status, _, data = d.request("POST", path, b"{}",
                                            {"Content-Type": "application/json"})
                self.assertEqual(status, 404, path)
                self.assertEqual(json.loads(data)["error"], "adapter_disabled", path)
            # queue_log needs no adapter credential: the ingest rule (open here).
            status, _, _ = d.request("POST", "/v1/adapters/asterisk/queue_log",
                                     b"", {"Content-Type": "text/plain"})
            self.assertEqual(status, 200)


if __name__ == "__main__":
    unittest.main()
