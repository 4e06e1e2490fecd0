// Starts a real ccmond on a loopback port for the browser tests: the Node
// twin of tests/support/ccmond.py (same readiness rule: wait for the
// "listening on" log line, then poll /-/ready; never sleep for timing).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const LISTEN_RE = /listening on http:\/\/([0-9.]+):(\d+)/;

export function ccmondPath() {
  const p = process.env.CCMOND;
  if (!p) throw new Error("CCMOND is not set: run the browser tests through ctest");
  return p;
}

/** Calls `predicate` every `interval` ms until it returns a truthy value, or throws after `timeout` ms. */
export async function poll(predicate, { timeout = 30000, interval = 20, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

export class Daemon {
  /**
   * Starts ccmond with `config` (YAML text, or null for the embedded default)
   * listening on `listen` (default 127.0.0.1:0, a free port). Resolves once ready.
   */
  static async start({ config = null, listen = "127.0.0.1:0", args = [] } = {}) {
    const d = new Daemon();
    d.dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccmond-browser-"));
    // Its own state directory, removed with d.dir: parallel tests never share a LOCK.
    const argv = ["--listen", listen, "--state-dir", path.join(d.dir, "state")];
    if (config !== null) {
      fs.writeFileSync(path.join(d.dir, "ccmon.yml"), config);
      argv.push("--config", path.join(d.dir, "ccmon.yml"));
    }
    d.log = "";
    // The state directory is relative to the working directory: keep it in ours.
    d.proc = spawn(ccmondPath(), [...argv, ...args], { cwd: d.dir, stdio: ["ignore", "pipe", "pipe"] });
    d.exited = new Promise((resolve) => d.proc.on("exit", (code, signal) => resolve(code ?? signal)));
    for (const stream of [d.proc.stdout, d.proc.stderr]) stream.on("data", (chunk) => { d.log += chunk; });
    const match = await poll(() => {
      if (d.proc.exitCode !== null) throw new Error(`ccmond exited with ${d.proc.exitCode}:\n${d.log}`);
      return LISTEN_RE.exec(d.log);
    }, { what: "ccmond to listen" });
    d.host = match[1];
    d.port = Number(match[2]);
    d.base = `http://${d.host}:${d.port}`;
    await poll(async () => (await d.status("/-/ready")) === 200, { what: "ccmond to be ready" });
    return d;
  }

  async status(p) {
    try {
      return (await fetch(this.base + p)).status;
    } catch {
      return null;
    }
  }

  /** Posts events (objects) as NDJSON; returns the parsed answer, failing on a non-200. */
  async postEvents(events) {
    const res = await fetch(`${this.base}/v1/events`, {
      method: "POST",
      headers: { "Content-Type": "application/x-ndjson" },
      body: events.map((e) => JSON.stringify(e)).join("\n") + "\n",
    });
    const body = await res.json();
    if (res.status !== 200 || body.rejected.length) throw new Error(`events refused: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  /** SIGTERM, wait for the exit, remove the directory; returns the exit code. */
  async stop() {
    if (this.proc.exitCode === null) this.proc.kill("SIGTERM");
    const code = await this.exited;
    fs.rmSync(this.dir, { recursive: true, force: true });
    return code;
  }
}

let ids = 0;

/** An events.md event at epoch seconds `t` (now by default). */
export function event(type, fields, t = Date.now() / 1000) {
  ids += 1;
  return { id: `browser-${process.pid}-${ids}`, type, time: t, ...fields };
}
