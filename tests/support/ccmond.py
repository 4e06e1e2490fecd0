"""Start a real ccmond on a free loopback port and talk to it (test helper).

Used by tests/integration, tests/e2e and tests/deploy. Readiness is polled,
never slept for: the daemon logs "listening on http://HOST:PORT" once bound
(with --listen 127.0.0.1:0 the kernel picks the port), then /-/ready says 200.
"""

import json
import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

LISTEN_RE = re.compile(r"listening on (?:https?)://([0-9.]+|\[[0-9a-f:]+\]):(\d+)")


def ccmond_path():
    path = os.environ.get("CCMOND")
    if not path:
        raise RuntimeError("CCMOND is not set: run the tests through ctest")
    return path


def poll(predicate, timeout=30.0, interval=0.02, what="condition"):
    """Calls predicate until it returns a truthy value; fails after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


class Daemon:
    """A running ccmond. Use as a context manager."""

    ssl_context = None  # set for a daemon listening with TLS (subclasses may not call __init__)

    def __init__(self, config=None, args=(), env=None, state_dir=None, ssl_context=None,
                 prefix=()):
        """`state_dir`: the daemon's state.dir. None: a fresh directory of its
        own, removed with it (parallel tests never share a LOCK); "": no state
        kept; a path: kept by the caller, e.g. to restart on the same state.
        `ssl_context`: what request() uses when the daemon listens with TLS.
        `prefix`: prepended to the command (full_disk.Holder.prefix())."""
        self.ssl_context = ssl_context
        self.tmp = tempfile.TemporaryDirectory(prefix="ccmond-test-")
        self.config_path = None
        if state_dir is None:
            state_dir = os.path.join(self.tmp.name, "state")
        self.state_dir = state_dir
        cmd = [*prefix, ccmond_path(), "--listen", "127.0.0.1:0", "--state-dir", state_dir]
        if config is not None:
            self.config_path = os.path.join(self.tmp.name, "ccmon.yml")
            with open(self.config_path, "w") as f:
                f.write(config)
            cmd += ["--config", self.config_path]
        cmd += list(args)
        self.log_path = os.path.join(self.tmp.name, "ccmond.log")
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     env={**os.environ, **(env or {})})
        match = poll(self._find_listen, what="ccmond to listen")
        self.host, self.port = match.group(1), int(match.group(2))
        scheme = "https" if match.group(0).startswith("listening on https") else "http"
        self.base = f"{scheme}://{self.host}:{self.port}"
        poll(lambda: self.status("/-/ready") == 200, what="ccmond to be ready")

    def _find_listen(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"ccmond exited with {self.proc.returncode}:\n{self.log()}")
        return LISTEN_RE.search(self.log())

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                # The log is the only trace of where it hung: the temporary
                # folder goes with this object.
                raise AssertionError(f"ccmond did not exit within {timeout} s of signal "
                                     f"{int(sig)}; its log ends:\n{self.log()[-6000:]}")
        self.log_file.close()
        self.tmp.cleanup()
        return self.proc.returncode

    # --- HTTP -----------------------------------------------------------
    def request(self, method, path, body=None, headers=None):
        """Returns (status, headers, body bytes); never raises on HTTP errors."""
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30, context=self.ssl_context) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def status(self, path):
        try:
            return self.request("GET", path)[0]
        except (urllib.error.URLError, ConnectionError):
            return None

    def post_events(self, body, content_type="application/x-ndjson", token=None):
        headers = {"Content-Type": content_type}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if not isinstance(body, (str, bytes)):
            body = "\n".join(json.dumps(e) for e in body) + "\n"
        status, _, data = self.request("POST", "/v1/events", body, headers)
        return status, (json.loads(data) if data else None)

    def kpis(self, query="", token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status, _, data = self.request("GET", "/v1/kpis" + query, headers=headers)
        assert status == 200, (status, data)
        return json.loads(data)

    def metrics_text(self, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status, _, data = self.request("GET", "/metrics", headers=headers)
        assert status == 200, (status, data)
        return data.decode()

    def metrics(self, token=None):
        return parse_metrics(self.metrics_text(token))

    def wait_tick(self, token=None, timeout=30):
        """Waits until an engine tick ran wholly after this call: SLA rules
        are judged on the tick only, never on a scrape (docs/sla.md). Exact,
        not timed: the engine thread applies batches and runs ticks one at a
        time, so a tick counted after a batch was answered ran after it."""
        def ticks():
            return metric(self.metrics(token), "ccmon_engine_ticks_total")
        start = ticks()
        poll(lambda: ticks() > start, timeout=timeout, what="an engine tick")


SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """Prometheus text -> {(name, frozenset(labels.items())): float}."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE_RE.match(line)
        if not m:
            raise AssertionError(f"unparseable exposition line: {line!r}")
        labels = frozenset(LABEL_RE.findall(m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def metric(samples, name, **labels):
    """The value of one series, or None when it is absent."""
    return samples.get((name, frozenset(labels.items())))
