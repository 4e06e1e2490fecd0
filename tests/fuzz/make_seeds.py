#!/usr/bin/env python3
"""Writes the handcrafted seed inputs of the fuzz targets into corpus/<target>/.

Seeds are small valid and invalid inputs (docs/events.md, the codec and
config tests, config/*.yml, time zone files); regression inputs (crash-*)
are added by hand next to them and are never touched here. Run it again
after changing a seed below; see docs/fuzzing.md.
"""
import gzip
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"
T = '"2026-11-22T09:00:00Z"'


def ev(type_, extra="", id_="e1", time=T):
    return '{"id":"%s","type":"%s","time":%s%s}' % (id_, type_, time, extra)


# One valid event per type of docs/events.md, then the rejections.
VALID = [
    ev("contact.created", ',"contact":"c1","channel":"voice","queue":"sales"'),
    ev("contact.queued", ',"contact":"c1","channel":"chat","queue":"q1","priority":3'),
    ev("contact.answered", ',"contact":"c1","agent":"a1","team":"t1"'),
    ev("contact.abandoned", ',"contact":"c1"'),
    ev("contact.overflowed", ',"contact":"c1","reason":"timeout"'),
    ev("contact.transferred", ',"contact":"c1","to_queue":"q2","to_agent":"a2"'),
    ev("contact.deflected", ',"contact":"c1","to_channel":"messaging"'),
    ev("contact.converted", ',"contact":"c1","value":125.5'),
    ev("contact.sentiment", ',"contact":"c1","score":-0.5'),
    ev("message.sent", ',"contact":"c1","agent":"bot","automated":true'),
    ev("case.opened", ',"case":"k1","queue":"billing","channel":"email"'),
    ev("case.resolved", ',"case":"k1","contacts":1'),
    ev("case.reopened", ',"case":"k1"'),
    ev("survey.answered", ',"contact":"c1","csat":4,"nps":9,"ces":2,"queue":"q1"'),
    ev("customer.churned", ',"customer":"cust-9","channel":"voice"'),
    ev("agent.state", ',"agent":"a1","state":"wrap_up","team":"t1","reason":"acw"'),
    ev("contact.ended", ',"contact":"c1"', time="1795338902.123"),
    ev("contact.held", ',"contact":"c1"', time='"2026-11-22t09:15:02.123456789z"'),
    ev("contact.resumed", ',"contact":"c1"', time='"2026-11-22 10:15:02+01:00"'),
]
CLOUDEVENT = ('{"specversion": "1.0", "id": "ce-1", "source": "/pbx/7", "type": "contact.queued",\n'
              ' "time": "2026-11-22T09:15:02Z",\n'
              ' "data": {"contact": "c1", "channel": "chat", "queue": "support"}}')
INVALID = [
    ev("contact.queued", ',"contact":"c1","csat":9,"score":"x","contacts":0'),
    ev("case.resolved", ',"case":"k1","contact":17,"to_channel":"fax","automated":"no"'),
    ev("agent.state", ',"agent":"a1","state":"away","contact":[],"priority":"high"'),
    ev("contact.ended", ',"contact":"c1","vendor":{"x":[1,2]},"source":"pbx"'),
    ev("contact.queued", ',"contact":"c1","channel":"video","queue":"q"'),
    ev("contact.held", ',"contact":"c1","contact":"c2","queue":null'),
    ev("contact.held", ',"contact":"c1"', time='"2026-11-22T09:15:02"'),
    ev("contact.held", ',"contact":"c1"', time='"2099-01-01T00:00:00Z"'),
    ev("contact.held", ',"contact":"c1"', time="-1"),
    ev("contact.hold", ',"contact":"c1"'),
    '{"specversion":"1.0","id":"ce-2","type":"contact.queued","time":"2026-11-22T09:15:02Z","data":7}',
    '{"id":"e1","type":"contact.held","contact":"c1","time":',
    '{"id":"","type":"contact.held","time":0}',
    '"just a string"',
    '\ufeff' + VALID[3],
    '{"id":"caf\u00e9","type":"contact.held","time":0,"contact":"\\ud83d\\ude00"}',
]


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def codec_seeds():
    for i, e in enumerate(VALID):
        write("fuzz_codec_json", "valid-%02d.json" % i, e)
    for i, e in enumerate(INVALID):
        write("fuzz_codec_json", "invalid-%02d.json" % i, e)
    write("fuzz_codec_json", "cloudevent.json", CLOUDEVENT)
    write("fuzz_codec_json", "cloudevents-batch.json", "[" + CLOUDEVENT + "," + INVALID[10] + "]")
    write("fuzz_codec_json", "array-mixed.json", "[" + ",".join(VALID[:4] + INVALID[:3] + ["1", "null"]) + "]")
    write("fuzz_codec_json", "array-empty.json", "[]")
    write("fuzz_codec_json", "bad-utf8.json", b'{"id":"\xff\xfe","type":"contact.held","time":0}')
    write("fuzz_codec_ndjson", "all-types.ndjson", "\n".join(VALID) + "\n")
    write("fuzz_codec_ndjson", "rejections.ndjson", "\r\n".join(INVALID[:10]) + "\r\n")
    write("fuzz_codec_ndjson", "blank-lines.ndjson", "\n  \n" + VALID[0] + "\n\n\t\n" + CLOUDEVENT.replace("\n", ""))
    write("fuzz_codec_ndjson", "not-json-lines.ndjson", "1\n1\n[]\nnull\n" + INVALID[11] + "\n")
    write("fuzz_codec_ndjson", "bad-utf8.ndjson", b'{"id":"\xc3","type":"contact.held","time":0}\n')


def config_seeds():
    for f in sorted((ROOT / "config").glob("*.yml")):
        write("fuzz_config", f.name, f.read_bytes())
    snippets = {
        "unknown-key.yml": "server:\n  listn: 1\n",
        "bad-units.yml": "server:\n  limits:\n    max_body_size: 8MB2\n    header_timeout: 1h1h\n",
        "sla.yml": 'sla:\n  - name: x\n    kpi: service_level_ratio\n    op: ">="\n    target: 0.8\n'
                   '    window: 15m\n    queue: "sales-*"\n    channel: voice\n',
        "tz.yml": "kpis:\n  time_zone: Europe/Paris\n  day_start_hour: 6\n  windows: [1m, 7d]\n",
        "tz-bad.yml": "kpis:\n  time_zone: ../../etc/passwd\n",
        "types.yml": "server: [1, 2]\ningest: {channels: voice}\nkpis:\n  windows: {a: b}\n",
        "anchors.yml": "a: &x {b: *x}\n",
        "tokens.yml": "server:\n  auth:\n    ingest_tokens: [abc, \"\"]\n    metrics_tokens: ~\n",
        "empty.yml": "",
    }
    for name, text in snippets.items():
        write("fuzz_config", name, text)


def tzif_seeds():
    # Real zone files: v2+ with footer rules of both hemispheres, no DST,
    # a fractional-hour offset.
    for zone in ["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
                 "Asia/Jerusalem", "Etc/UTC"]:
        src = pathlib.Path("/usr/share/zoneinfo") / zone
        if src.exists():
            write("fuzz_tzif", zone.replace("/", "-") + ".tzif", src.read_bytes())
    # A minimal v1 file: one transition, two types (counts: isutc, isstd,
    # leap, time, type, char).
    header = b"TZif" + b"\0" + b"\0" * 15 + struct.pack(">6l", 0, 0, 0, 1, 2, 8)
    body = struct.pack(">l", 1_000_000_000) + b"\x01"
    body += struct.pack(">lBB", 0, 0, 0) + struct.pack(">lBB", 3600, 1, 4) + b"UTC\0CET\0"
    write("fuzz_tzif", "minimal-v1.tzif", header + body)


def http_seeds():
    # First byte: chunk size (1 + byte % 64) in which the bytes arrive.
    reqs = {
        "post-json.http": b"POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json; "
                          b"charset=utf-8\r\nAuthorization: Bearer s3cret-ingest\r\nContent-Length: %d\r\n\r\n%s"
                          % (len(VALID[0]), VALID[0].encode()),
        "post-chunked.http": b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n5\r\n{\"id\"\r\n3;ext=1\r\n:1}\r\n0\r\nTrailer: x\r\n\r\n",
        "get-metrics-pipelined.http": b"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: bearer nope\r\n\r\n"
                                      b"GET /v1/kpis?queue=sales%20east&window=5m&x HTTP/1.1\r\nHost: x\r\n\r\n"
                                      b"GET /-/reload HTTP/1.0\r\n\r\n",
        "upgrade.http": b"GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "expect-continue.http": b"POST /v1/events HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                                b"Content-Length: 2\r\nContent-Encoding: gzip\r\n\r\n[]",
        "bad-target.http": b"GET /%zz%4?%=%&&= HTTP/1.1\r\nHost: x\r\n\r\n",
        "bad-length.http": b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "folded-header.http": b"GET / HTTP/1.1\r\nX: a\r\n b\r\nHost: x\r\n\r\n",
    }
    for i, (name, data) in enumerate(reqs.items()):
        write("fuzz_http_request", name, bytes([i * 9]) + data)
    # Routing seeds; bits 6-7 of the first byte: 0 tokens on, 1 tokens off,
    # 2 tokens on + probe reserve, 3 tokens off + metrics listener.
    nd = ("\n".join(VALID[:3]) + "\n").encode()
    gz = gzip.compress(nd, mtime=0)
    upgrade = b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" \
              b"Sec-WebSocket-Version: 13\r\n"
    routed = {
        "post-ndjson-token.http": (0, b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                                      b"Authorization: Bearer s3cret-ingest\r\nContent-Length: %d\r\n\r\n%s"
                                      % (len(nd), nd)),
        "post-gzip-token.http": (0, b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                                    b"Content-Encoding: gzip\r\nAuthorization: Bearer s3cret-ingest\r\n"
                                    b"Content-Length: %d\r\n\r\n" % len(gz) + gz),
        "post-open.http": (1, b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              b"Content-Length: %d\r\n\r\n%s" % (len(VALID[1]), VALID[1].encode())),
        "reload-admin.http": (0, b"POST /-/reload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret-admin\r\n"
                                 b"Content-Length: 0\r\n\r\nPUT /-/reload HTTP/1.1\r\nHost: x\r\n\r\n"),
        "reload-open.http": (1, b"POST /-/reload HTTP/1.1\r\nHost: x\r\n\r\n"),
        "stream-upgrade-token.http": (0, b"GET /v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret-ingest\r\n"
                                         + upgrade + b"\r\n"),
        "live-upgrade-query.http": (0, b"GET /v1/live?token=s3cret-read HTTP/1.1\r\nHost: x\r\n" + upgrade + b"\r\n"),
        "kpis-head-token.http": (0, b"HEAD /v1/kpis?window=5m HTTP/1.1\r\nHost: x\r\n"
                                    b"Authorization: Bearer s3cret-read\r\n\r\nGET /metrics HTTP/1.1\r\n"
                                    b"Authorization: Bearer s3cret-read\r\n\r\n"),
        "wallboard.http": (1, b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /assets/x HTTP/1.1\r\n"
                              b"If-None-Match: \"x\"\r\n\r\nDELETE /-/healthy HTTP/1.1\r\n\r\n"),
        "probe-reserve.http": (2, b"GET /-/ready HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n"),
        "metrics-listener.http": (3, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nHEAD /-/healthy HTTP/1.1\r\n\r\n"
                                     b"POST /v1/events HTTP/1.1\r\nContent-Length: 2\r\n\r\n[]"),
    }
    for i, (name, (mode, data)) in enumerate(routed.items()):
        write("fuzz_http_request", name, bytes([mode << 6 | (i * 7 + 3) % 64]) + data)


def ws_frame(opcode, payload, fin=True):
    # Client frames are masked; a zero key leaves the payload as written.
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        head = bytes([b0, 0x80 | n])
    elif n < 65536:
        head = bytes([b0, 0x80 | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, 0x80 | 127]) + struct.pack(">Q", n)
    return head + b"\0\0\0\0" + payload


def ws_seeds():
    # First byte: read size (1 + byte % 128) of the in-memory stream.
    nd = ("\n".join(VALID[:3]) + "\n").encode()
    seeds = {
        "text.ws": ws_frame(1, nd),
        "two-messages.ws": ws_frame(1, VALID[0].encode()) + ws_frame(1, INVALID[0].encode()),
        "fragmented.ws": ws_frame(1, nd[:20], fin=False) + ws_frame(9, b"p") + ws_frame(0, nd[20:]),
        "binary.ws": ws_frame(2, VALID[1].encode()),
        "close.ws": ws_frame(1, b"1\n") + ws_frame(8, struct.pack(">H", 1000) + b"bye"),
        "too-big.ws": ws_frame(1, b"1\n" * 1100),
        "bad-utf8.ws": ws_frame(1, b'{"id":"\xff"}'),
        "unmasked.ws": bytes([0x81, 2]) + b"{}",
        "pong-reserved.ws": ws_frame(10, b"") + bytes([0xc1, 0x80]) + b"\0\0\0\0",
    }
    for i, (name, data) in enumerate(seeds.items()):
        write("fuzz_websocket_frame", name, bytes([i * 13 + 5]) + data)


# Adapter seeds (docs/adapters.md): the payload shapes of tests/core/adapters,
# written for the tests from the vendors' documentation; queue_log lines are
# made up in Asterisk's format, never taken from a real PBX.
QUEUE_LOG = {
    "call-life.log": "1000000076|1000000070.5|sales|NONE|ENTERQUEUE||5551234|1\n"
                     "1000000100|1000000070.5|sales|PJSIP/201|CONNECT|24|1000000099.7|3\n"
                     "1000000400|1000000070.5|sales|PJSIP/201|COMPLETECALLER|24|300|1\n",
    "complete-agent.log": "100|7.1|q|Agent/9|CONNECT|2|8.1|1\n200|7.1|q|Agent/9|COMPLETEAGENT|2|100|1\n",
    "queue-exits.log": "10|c1|q|NONE|ABANDON|1|1|9\n11|c2|q|NONE|EXITWITHTIMEOUT|1|2|300\n"
                       "12|c3|q|NONE|EXITEMPTY|1|1|4\n13|c4|q|NONE|EXITWITHKEY|5|1|1|20\n"
                       "14|c5|q|NONE|WITHDRAW|1|1|30|callback\n",
    "transfers.log": "20|c1|q|Agent/1|TRANSFER|200|from-internal|5|60|1\n"
                     "21|c2|q|Agent/2|BLINDTRANSFER|5550100|1142|transfer\n"
                     "22|c3|q|Agent/3|ATTENDEDTRANSFER|5550101\n",
    "agent-verbs.log": "30|NONE|NONE|Agent/7|AGENTLOGIN|SIP/7\n31|NONE|q1|Local/7@from-queue/n|ADDMEMBER|\n"
                       "32|NONE|q2|Local/7@from-queue/n|ADDMEMBER|\n33|NONE|q1|Agent/7|PAUSE|lunch\n"
                       "34|NONE|q2|Agent/7|PAUSE|lunch\n35|NONE|NONE|Agent/7|PAUSEALL|lunch\n"
                       "36|NONE|NONE|Agent/7|UNPAUSEALL|\n37|NONE|q1|Local/7@from-queue/n|REMOVEMEMBER|\n"
                       "38|NONE|q2|Local/7@from-queue/n|REMOVEMEMBER|\n39|NONE|q1|SIP/8|ADDMEMBER|\n"
                       "40|NONE|NONE|Agent/8|UNPAUSE|\n41|NONE|NONE|Agent/8|AGENTLOGOFF|SIP/8|3600\n",
    "ignored-unknown.log": "50|NONE|NONE|NONE|QUEUESTART|\n51|c9|q|Agent/1|RINGNOANSWER|15000\n"
                           "52|c9|q|NONE|MYCUSTOMVERB|x\n\n  \n53|NONE|NONE|NONE|CONFIGRELOAD|\r\n",
    "malformed.log": "abc|c1|q|NONE|ENTERQUEUE\n60|c1|q\n61|c1|q|NONE|BAD VERB\n"
                     "62.1234567|c1|q|NONE|ABANDON|1|1|1\n63|c\x01|q|NONE|ENTERQUEUE||1|1\n"
                     "64|c1|q|NONE|ENTERQUEUE||1|1",
}

T0 = 1795338000  # 2026-11-22T09:00:00Z
INSTANCE = "arn:aws:connect:eu-west-1:111122223333:instance/i-1"


def iso(s):
    return "2026-11-22T09:%02d:%02d.000Z" % (s // 60, s % 60)


def contact_event(id_, t, type_, contact, extra="", method="INBOUND", channel="VOICE"):
    return ('{"version":"0","id":"%s","detail-type":"Amazon Connect Contact Event","source":"aws.connect",'
            '"time":"%s","region":"eu-west-1","resources":[],"detail":{"eventType":"%s","contactId":"%s",'
            '"channel":"%s","initiationMethod":"%s","instanceArn":"%s"%s}}'
            % (id_, iso(t), type_, contact, channel, method, INSTANCE, extra))


def queue_info(t):
    return ',"queueInfo":{"queueArn":"%s/queue/q-111","enqueueTimestamp":"%s","queueType":"STANDARD"}' % (
        INSTANCE, iso(t))


def agent_info(t, acw=None):
    s = ',"agentInfo":{"agentArn":"%s/agent/a-1","connectedToAgentTimestamp":"%s"' % (INSTANCE, iso(t))
    if acw is not None:
        s += ',"afterContactWorkEndTimestamp":"%s"' % iso(acw)
    return s + "}"


def agent_record(id_, t, type_, status_type, status_name, contact_state=""):
    contacts = "[]" if not contact_state else \
        '[{"ContactId":"c1","Channel":"VOICE","State":"%s"}]' % contact_state
    return ('{"AWSAccountId":"111122223333","AgentARN":"%s/agent/a-1","EventId":"%s","EventTimestamp":"%s",'
            '"EventType":"%s","InstanceARN":"%s","Version":"2019-05-25","CurrentAgentSnapshot":'
            '{"AgentStatus":{"Name":"%s","Type":"%s"},"Contacts":%s}}'
            % (INSTANCE, id_, iso(t), type_, INSTANCE, status_name, status_type, contacts))


def firehose(datas):
    return ('{"requestId":"ed4acda5-034f-9f42-bba1-f29aea6d7d8f","timestamp":1795338000123,"records":[%s]}'
            % ",".join('{"data":"%s"}' % d for d in datas))


def connect_seeds():
    import base64
    b64 = lambda s: base64.b64encode(s.encode()).decode()
    call = [contact_event("e1", 0, "INITIATED", "c1"),
            contact_event("e2", 6, "QUEUED", "c1", queue_info(5)),
            contact_event("e3", 26, "CONNECTED_TO_AGENT", "c1", queue_info(5) + agent_info(25)),
            contact_event("e4", 300, "DISCONNECTED", "c1",
                          queue_info(5) + agent_info(25) + ',"disconnectTimestamp":"%s"' % iso(299)),
            contact_event("e5", 331, "COMPLETED", "c1", queue_info(5) + agent_info(25, 330))]
    write("fuzz_adapter_connect", "inbound-call.json", "[" + ",".join(call) + "]")
    write("fuzz_adapter_connect", "one-event.json", call[1])
    write("fuzz_adapter_connect", "transfer.json", contact_event(
        "t1", 40, "INITIATED", "c2", ',"previousContactId":"c1"' + queue_info(40), method="QUEUE_TRANSFER"))
    write("fuzz_adapter_connect", "callback-chat.json", "[" + contact_event(
        "k1", 50, "INITIATED", "c3", ',"previousContactId":"c1"', method="CALLBACK") + "," + contact_event(
        "k2", 51, "DISCONNECTED", "c4", queue_info(45) + ',"disconnectReason":"CUSTOMER_DISCONNECT"',
        channel="CHAT") + "]")
    write("fuzz_adapter_connect", "hostile.json", "[42," + '{"id":"h1","time":"2026-11-22T09:00:00Z"}' + ","
          + contact_event("h3", 1, "QUEUED", "c1") + "," + contact_event("h6", 1, "QUEUED", "c\\u0001", queue_info(1))
          + ',{"id":"h7","detail-type":"Amazon Connect Contact Event","time":"yesterday",'
          '"detail":{"eventType":"QUEUED","contactId":"c1"}}]')
    records = [agent_record("E-1", 0, "LOGIN", "ROUTABLE", "Available"),
               agent_record("E-2", 30, "STATE_CHANGE", "ROUTABLE", "Available", "CONNECTED"),
               agent_record("E-3", 330, "STATE_CHANGE", "ROUTABLE", "Available", "ENDED"),
               agent_record("E-4", 400, "STATE_CHANGE", "CUSTOM", "Lunch"),
               agent_record("E-5", 520, "HEART_BEAT", "CUSTOM", "Lunch"),
               agent_record("E-6", 600, "LOGOUT", "OFFLINE", "Offline")]
    write("fuzz_adapter_connect", "firehose.json",
          firehose([b64(r) for r in records] + ["not base64!", b64("{not json"),
                                               b64(agent_record("E-7", 601, "TELEPORT", "OFFLINE", "Offline"))]))
    # Agent records as they are: the target also wraps each input as a record.
    for i, r in enumerate(records[1:4]):
        write("fuzz_adapter_connect", "agent-record-%d.json" % i, r)
    write("fuzz_adapter_connect", "firehose-bad.json", '{"requestId":"r1","records":{}}')


def twilio_form(type_, t, extra=""):
    return "EventType=%s&AccountSid=AC01&WorkspaceSid=WS01&Sid=EV%s%d&Timestamp=%d%s" % (
        type_, type_, t, t, extra)


def twilio_seeds():
    task = "&TaskSid=WT01&TaskQueueName=Support&TaskChannelUniqueName=voice&TaskAge=3"
    worker = "&WorkerSid=WK07&WorkerName=alice"
    forms = {
        "task-created.form": twilio_form("task.created", T0, task),
        "queue-entered.form": twilio_form("task-queue.entered", T0 + 1, task),
        "accepted.form": twilio_form("reservation.accepted", T0 + 13, task + worker),
        "wrapup.form": twilio_form("task.wrapup", T0 + 200, task + worker),
        "completed.form": twilio_form("task.completed", T0 + 230, task + worker),
        "canceled.form": twilio_form("task.canceled", T0 + 5, task + "&TaskCanceledReason=Task+TTL+Exceeded"),
        "activity.form": twilio_form("worker.activity.update", T0 + 60, worker +
                                     "&WorkerActivityName=Wrap%20Up") + "&TimestampMs=1795338060500",
        "attributes.form": twilio_form("task.updated", T0, task + "&TaskAttributes=%7B%22a%22%3A1%7D"),
        "bad-escape.form": "EventType=task.created&TaskSid=%G1&x=%4",
    }
    for name, body in forms.items():
        write("fuzz_adapter_twilio", name, body)
    streams = ('[{"specversion":"1.0","type":"com.twilio.taskrouter.task-queue.entered","source":"x",'
               '"id":"EV100","time":"2026-11-22T09:00:05Z","data":{"payload":{"eventtype":"task-queue.entered",'
               '"timestamp":"2026-11-22T09:00:01.500Z","task_sid":"WT02","task_queue_name":"Sales",'
               '"task_channel_unique_name":"chat"}}},'
               '{"specversion":"1.0","type":"com.twilio.taskrouter.reservation.accepted","id":"EV101",'
               '"data":{"payload":{"timestamp":"2026-11-22T09:00:20Z","task_sid":"WT02",'
               '"task_queue_name":"Sales","task_channel_unique_name":"chat","worker_sid":"WK01"}}},42,'
               '{"specversion":"1.0","type":"com.twilio.taskrouter.task.canceled","id":"EV102",'
               '"data":{"payload":{"task_sid":"WT03"}}},'
               '{"specversion":"1.0","type":"com.twilio.voice.status-callback.call.ringing","id":"EV103"},'
               '{"specversion":"1.0","id":"EV104"},'
               '{"specversion":"1.0","type":"com.twilio.taskrouter.worker.activity.update","id":"EV105",'
               '"time":"2026-11-22T09:01:00Z","data":{"payload":{"worker_sid":"WK01",'
               '"worker_activity_name":"Break"}}}]')
    write("fuzz_adapter_twilio", "event-streams.json", streams)
    write("fuzz_adapter_twilio", "event-streams-one.json",
          '{"specversion":"1.0","type":"com.twilio.taskrouter.task.completed","id":"EV200",'
          '"time":"2026-11-22T09:05:00Z","data":{"payload":{"task_sid":"WT02","worker_name":"bob"}}}')


def adapter_seeds():
    for name, text in QUEUE_LOG.items():
        write("fuzz_adapter_queue_log", name, text)
    connect_seeds()
    twilio_seeds()


if __name__ == "__main__":
    codec_seeds()
    config_seeds()
    tzif_seeds()
    http_seeds()
    ws_seeds()
    adapter_seeds()
