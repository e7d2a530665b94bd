// A real Weft for the tests: `./weft dev` on free ports with a fresh data directory (one for all the test files of a
// run), extra gateways that join it, tokens, history reads and server API calls. Set
// WEFT_JS_ATTACH=<httpPort>:<kafkaPort>:<persisterPort>[:<serverApiPort>] to use a Weft that is already
// running (`./weft dev` with those ports) instead of starting one.

import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The launcher, found from this package: clients/js/test → the repository root. */
export const WEFT = resolve(here, '../../../weft');
/** DevDefaults.JWT_SECRET: valid only with WEFT_DEV=1, which `./weft dev` sets. */
const DEV_SECRET = 'weft-development-secret-do-not-use-in-production';
/** DevDefaults.SERVER_API_KEY: the server API's key under WEFT_DEV=1. */
const SERVER_API_KEY = 'weft-development-server-api-key-do-not-use';
/** The first start may build the Java services. */
const START_TIMEOUT_MS = 5 * 60_000;
const STOP_GRACE_MS = 20_000;

/** A port nobody listens on right now. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** An HS256 client token as the gateway checks it (Tokens.java): `sub` is the user, `exp` an hour away. */
export function token(user, { validForSeconds = 3600 } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub: user, iat: now, exp: now + validForSeconds })}`;
  return `${body}.${createHmac('sha256', DEV_SECRET).update(body).digest('base64url')}`;
}

/** A process of ours, started in its own process group so that a kill reaches what it started (MariaDB). */
class Proc {
  constructor(name, args, env) {
    this.name = name;
    this.lines = [];
    this.child = spawn(WEFT, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.exited = new Promise((done) => this.child.once('exit', (code, signal) => done({ code, signal })));
    this.running = true;
    this.exited.then(() => {
      this.running = false;
    });
    const onData = (chunk) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim()) this.lines.push(line);
        if (this.lines.length > 300) this.lines.shift();
        if (process.env.WEFT_JS_VERBOSE) process.stderr.write(`[${name}] ${line}\n`);
        this.watchers?.forEach((w) => w(line));
      }
    };
    this.child.stdout.on('data', onData);
    this.child.stderr.on('data', onData);
    liveProcs.add(this);
    this.exited.then(() => liveProcs.delete(this));
  }

  /** Resolves with the first line that matches, or rejects when the process exits or the time is up. */
  waitForLine(pattern, timeoutMs) {
    return new Promise((resolveLine, reject) => {
      this.watchers ??= new Set();
      const timer = setTimeout(() => finish(new Error(`${this.name}: no line matching ${pattern} within ${timeoutMs} ms\n${this.tail()}`)), timeoutMs);
      const watcher = (line) => {
        if (pattern.test(line)) finish(null, line);
      };
      const finish = (err, line) => {
        clearTimeout(timer);
        this.watchers.delete(watcher);
        if (err) reject(err);
        else resolveLine(line);
      };
      this.watchers.add(watcher);
      this.exited.then(({ code, signal }) => finish(new Error(`${this.name} exited (${code ?? signal}) before it was ready\n${this.tail()}`)));
    });
  }

  tail() {
    return this.lines.slice(-40).join('\n');
  }

  /** SIGKILL to the whole group: the process dies as a crashed machine would, without closing its sockets. */
  async kill() {
    if (this.running) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await this.exited;
  }

  /** SIGTERM (a clean shutdown), then SIGKILL to the group after the grace period. */
  async stop() {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill(), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
    try {
      process.kill(-this.child.pid, 'SIGKILL'); // anything it left behind
    } catch {
      // nothing left
    }
  }
}

const liveProcs = new Set();
// If the test process dies without the after() hooks, don't leave a Weft running.
process.on('exit', () => {
  for (const p of liveProcs) {
    try {
      process.kill(-p.child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/**
 * A whole Weft (`./weft dev`) on free ports, shared by every test file of one `node --test` run: the runner starts
 * each file in its own process, all children of the runner, so the first file to get here starts Weft and the others
 * attach to it (two at once would also fight over MariaDB's fixed dev port, 3307). The one that started it stops it
 * once every other file is done. Resolves once the banner prints the WebSocket URL.
 * @returns {Promise<Weft>}
 */
export async function startWeft() {
  if (process.env.WEFT_JS_ATTACH) {
    const [http, kafka, persister, serverApi = 8085] = process.env.WEFT_JS_ATTACH.split(':').map(Number);
    return new Weft({ httpPort: http, kafkaPort: kafka, persisterPort: persister, serverApiPort: serverApi });
  }
  const shared = join(tmpdir(), `weft-js-shared-${process.ppid}`);
  mkdirSync(join(shared, 'users'), { recursive: true });
  writeFileSync(join(shared, 'users', String(process.pid)), '');
  const lock = join(shared, 'owner');
  let owner = false;
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
    owner = true;
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
    if (!alive(Number(readFileSync(lock, 'utf8')))) {
      // Left over from an earlier run whose runner had our parent's pid: start over.
      rmSync(shared, { recursive: true, force: true });
      return startWeft();
    }
  }
  const info = join(shared, 'weft.json');
  if (!owner) {
    const deadline = Date.now() + START_TIMEOUT_MS + 30_000;
    while (!existsSync(info)) {
      if (Date.now() > deadline || !alive(Number(readFileSync(lock, 'utf8')))) {
        throw new Error(`the test file starting the shared Weft did not finish starting it (${shared})`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const ports = JSON.parse(readFileSync(info, 'utf8'));
    if (ports.error) throw new Error(`the shared Weft did not start:\n${ports.error}`);
    return new Weft({ ...ports, shared });
  }
  const [httpPort, kafkaPort, persisterPort, routerPort, serverApiPort] =
    await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-js-test-'));
  const proc = new Proc('weft dev', ['dev'], {
    WEFT_DEV_DATA_DIR: dataDir,
    WEFT_DEV_KAFKA_PORT: String(kafkaPort),
    WEFT_HTTP_PORT: String(httpPort),
    WEFT_PERSISTER_HTTP_PORT: String(persisterPort),
    WEFT_ROUTER_HTTP_PORT: String(routerPort),
    // Any free ops ports: test files may run several Wefts, and a developer's ./weft dev may hold the defaults.
    WEFT_GATEWAY_OPS_PORT: '0',
    WEFT_PERSISTER_OPS_PORT: '0',
    // The server API, with the development key (DevDefaults.SERVER_API_KEY).
    WEFT_SERVER_API_PORT: String(serverApiPort),
  });
  try {
    await proc.waitForLine(/ws:\/\//, START_TIMEOUT_MS);
  } catch (e) {
    writeFileSync(info, JSON.stringify({ error: e.message }));
    await proc.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const ports = { httpPort, kafkaPort, persisterPort, serverApiPort };
  writeFileSync(`${info}.tmp`, JSON.stringify(ports));
  renameSync(`${info}.tmp`, info);
  return new Weft({ ...ports, proc, dataDir, shared });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Waits until no other test file of this run still uses the shared Weft (or its process is gone). */
async function othersDone(shared) {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const others = readdirSync(join(shared, 'users')).map(Number).filter((pid) => pid !== process.pid && alive(pid));
    if (others.length === 0 || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export class Weft {
  constructor({ httpPort, kafkaPort, persisterPort, serverApiPort, proc = null, dataDir = null, shared = null }) {
    this.serverApiUrl = `http://127.0.0.1:${serverApiPort}`;
    this.shared = shared;
    this.httpPort = httpPort;
    this.kafkaBootstrap = `127.0.0.1:${kafkaPort}`;
    this.persisterUrl = `http://127.0.0.1:${persisterPort}`;
    this.wsUrl = `ws://localhost:${httpPort}/v1/ws`;
    this.httpUrl = `http://localhost:${httpPort}`;
    this.proc = proc;
    this.dataDir = dataDir;
    this.gateways = new Set();
    this.gatewaySeq = 0;
  }

  /** Another gateway joining this Weft: `./weft gateway` on `port` (a free one if not given). */
  async startGateway({ port } = {}) {
    const httpPort = port ?? await freePort();
    const id = `gw-js-${process.pid}-${++this.gatewaySeq}`;
    const proc = new Proc(id, ['gateway'], {
      WEFT_DEV: '1',
      WEFT_HTTP_PORT: String(httpPort),
      WEFT_GATEWAY_ID: id,
      WEFT_KAFKA_BOOTSTRAP: this.kafkaBootstrap,
      WEFT_PERSISTER_URL: this.persisterUrl,
      WEFT_GATEWAY_OPS_PORT: '0',
      WEFT_SERVER_API_PORT: '0',
    });
    this.gateways.add(proc);
    await proc.waitForLine(/ws:\/\//, START_TIMEOUT_MS);
    return {
      id,
      port: httpPort,
      wsUrl: `ws://localhost:${httpPort}/v1/ws`,
      kill: () => proc.kill(),
      stop: () => proc.stop(),
    };
  }

  /** Every message of a conversation, from HTTP history, paging to the end. */
  /** A call to the server API (docs/server-api.md) with the development key; resolves with {status, body}. */
  async serverApi(method, path, body) {
    const res = await fetch(`${this.serverApiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${SERVER_API_KEY}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  async history(user, conv) {
    const messages = [];
    let after = -1;
    for (;;) {
      const url = `${this.httpUrl}/v1/conversations/${encodeURIComponent(conv)}/messages?limit=500${after >= 0 ? `&after=${after}` : ''}`;
      const res = await fetch(url, { headers: { Authorization: `Bearer ${token(user)}` } });
      if (res.status !== 200) throw new Error(`history of ${conv}: HTTP ${res.status} ${await res.text()}`);
      const page = (await res.json()).messages;
      if (page.length === 0) return messages;
      messages.push(...page);
      after = page[page.length - 1].seq;
    }
  }

  /** Stops the gateways this file started; the file that started Weft stops it once the other files are done. */
  async stop() {
    await Promise.all([...this.gateways].map((g) => g.stop()));
    if (this.shared) rmSync(join(this.shared, 'users', String(process.pid)), { force: true });
    if (!this.proc) return;
    if (this.shared) await othersDone(this.shared);
    await this.proc.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
    if (this.shared) rmSync(this.shared, { recursive: true, force: true });
  }
}
