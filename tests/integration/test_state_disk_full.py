"""A full disk refuses what it cannot keep, and recovers by itself (issue 9).

The state directory is on a real 8 MiB tmpfs mounted in a private mount
namespace (tests/support/full_disk.py): `unshare --user --map-root-user --mount` starts a holder process
that mounts it, and ccmond runs inside the holder's namespaces (nsenter), so
no privilege is needed outside. The test fills the tmpfs through
/proc/<holder>/root while a client streams: ingestion must answer 503
`state_unavailable` (HTTP) and an error frame (WebSocket) instead of
acknowledging, /metrics must keep answering with `ccmon_state_writable 0`
and `ccmon_journal_write_errors_total` > 0; once space is freed, ingestion
resumes by itself, and the counts equal exactly the acknowledged events,
before and after a restart (nothing of a refused batch is ever counted).

When user or mount namespaces are not permitted here, the test is skipped
(exit 77) with the reason.
"""

import asyncio
import json
import os
import sys
import unittest

import websockets

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from durable import StateDaemon, metrics_samples, state_config  # noqa: E402
from ccmond import metric, poll  # noqa: E402
from full_disk import HeldTmpfs, fill  # noqa: E402
from events import queued  # noqa: E402

BATCH = 40
CONFIG = "server:\n  clock: event\n"


class StateDiskFullTest(HeldTmpfs, unittest.TestCase):
    def setUp(self):
        self.next_id = 0
        self.config = state_config(CONFIG, os.path.join(self.tmp.name, "state"))
        self.d = StateDaemon(self.config, prefix=self.holder.prefix())

    def tearDown(self):
        self.d.stop()

    def batch(self):
        out = []
        for _ in range(BATCH):
            self.next_id += 1
            out.append(queued(f"df{self.next_id}", id=f"df-{self.next_id}"))
        return out

    def post(self, events):
        status, answer = self.d.post_events(events)
        if status == 200:
            self.assertEqual((answer["accepted"], answer["duplicates"], answer["rejected"]),
                             (len(events), 0, []))
        else:
            self.assertEqual((status, answer.get("error")), (503, "state_unavailable"), answer)
        return status

    def ws_frame(self, events):
        async def go():
            async with websockets.connect(f"ws://{self.d.host}:{self.d.port}/v1/stream") as ws:
                await ws.send("\n".join(json.dumps(e) for e in events))
                return json.loads(await asyncio.wait_for(ws.recv(), 30))
        return asyncio.run(go())

    def ws_refused_frames(self, frames):
        """Sends `frames` pipelined; returns the replies read and the close code."""
        async def go():
            async with websockets.connect(f"ws://{self.d.host}:{self.d.port}/v1/stream") as ws:
                for events in frames:
                    await ws.send("\n".join(json.dumps(e) for e in events))
                replies = []
                try:
                    while True:
                        replies.append(json.loads(await asyncio.wait_for(ws.recv(), 30)))
                except websockets.ConnectionClosed as e:
                    return replies, e.rcvd.code if e.rcvd else None
        return asyncio.run(go())

    def offered(self):
        m = metrics_samples(self.d)
        return (metric(m, "ccmon_contacts_offered_total", queue="sales", channel="voice") or 0,
                metric(m, "ccmon_events_accepted_total", type="contact.queued") or 0)

    def test_full_disk_refuses_then_recovers_and_counts_only_acknowledged_events(self):
        acked = 0
        for _ in range(3):
            self.assertEqual(self.post(self.batch()), 200)
            acked += BATCH
        filler = self.holder.inside("fill")
        self.assertGreater(fill(filler), 0)
        # A journal file's last page may still have room: keep streaming
        # until the disk refuses (at most ~1 MB of events).
        refused = 0
        for _ in range(300):
            if self.post(self.batch()) == 200:
                acked += BATCH
            else:
                refused += 1
                break
        self.assertEqual(refused, 1, "a full disk refuses ingestion with 503 state_unavailable")
        # The refusal holds while the disk is full, on both transports.
        self.assertEqual(self.post(self.batch()), 503)
        # A refused frame ends its stream (1013, try again later): the frames
        # read after it are refused too, none is applied, and the client
        # resends from the refused one (docs/ingestion.md).
        replies, code = self.ws_refused_frames([self.batch() for _ in range(3)])
        self.assertEqual(code, 1013, replies)
        self.assertGreaterEqual(len(replies), 1)
        for reply in replies:
            self.assertEqual(reply.get("error"), "state_unavailable", reply)
            self.assertNotIn("accepted", reply)
        m = metrics_samples(self.d)  # /metrics answers throughout
        self.assertEqual(metric(m, "ccmon_state_writable"), 0)
        self.assertGreater(metric(m, "ccmon_journal_write_errors_total") or 0, 0)
        self.assertEqual(self.offered(), (acked, acked))
        self.assertEqual(self.d.status("/-/healthy"), 200)

        os.remove(filler)
        # Nothing is resent: each attempt is a new batch, so a refused one
        # that were counted anyway would show in the totals below.
        poll(lambda: self.post(self.batch()) == 200, timeout=30,
             what="ingestion to recover by itself once space is back")
        acked += BATCH
        reply = self.ws_frame(batch := self.batch())
        self.assertEqual((reply.get("accepted"), reply.get("duplicates")), (len(batch), 0), reply)
        acked += BATCH
        m = metrics_samples(self.d)
        self.assertEqual(metric(m, "ccmon_state_writable"), 1)
        self.assertEqual(self.offered(), (acked, acked))

        # What the journal holds is exactly what was acknowledged: a batch cut
        # short by ENOSPC is neither replayed nor in the way of later records.
        self.d.kill()
        self.d = StateDaemon(self.config, prefix=self.holder.prefix())
        self.assertEqual(self.offered()[0], acked)  # (accepted_total is per process)
        self.assertEqual(self.post(self.batch()), 200)


    def test_frames_behind_a_refused_one_are_refused_even_with_room_for_them(self):
        # Room for a small frame's record, not for a large one's: the large
        # frame's write fails and is taken back, the small one would fit.
        filler = self.holder.inside("fill-fence")
        try:
            self.assertGreater(fill(filler), 0)
            os.truncate(filler, os.path.getsize(filler) - 64 * 1024)
            large = [queued(f"fl{i}", queue="fence", id=f"fence-large-{i}") for i in range(3000)]
            small = [queued("fs1", queue="fence", id="fence-small-1")]
            replies, code = self.ws_refused_frames([large, small])
            self.assertEqual(code, 1013, replies)
            self.assertEqual([r.get("error") for r in replies],
                             ["state_unavailable", "state_unavailable"], replies)
            # Had the small frame been applied, it would have come before the
            # large one's resend. That it fits is shown by HTTP: a body on its own.
            status, answer = self.d.post_events(small)
            self.assertEqual((status, answer.get("accepted")), (200, 1), answer)
        finally:
            os.remove(filler)


if __name__ == "__main__":
    unittest.main()
