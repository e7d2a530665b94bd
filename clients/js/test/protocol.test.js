// The client's bookkeeping against a scripted in-memory gateway, for the orders of frames a real one rarely
// produces on cue (a replayed own send before its resend's ack, `unavailable`, `reset`). The real thing is in
// client.test.js.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WeftClient, dmConv } from '../src/weft.js';

/** A WebSocket the test plays the gateway for. */
function fakeGateway() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url) {
      this.url = new URL(url);
      this.sent = [];
      this.listeners = { message: [], close: [], error: [] };
      this.closed = false;
      sockets.push(this);
    }
    addEventListener(type, fn) {
      this.listeners[type]?.push(fn);
    }
    send(data) {
      if (this.closed) throw new Error('closed');
      this.sent.push(JSON.parse(data));
    }
    close(code = 1000, reason = '') {
      this.drop(code, reason);
    }
    // the gateway's side
    frame(f) {
      this.listeners.message.forEach((fn) => fn({ data: JSON.stringify(f) }));
    }
    welcome(user = 'alice') {
      this.frame({ op: 'welcome', user, device: 'd1', gateway: 'gw-1', session: `s${sockets.length}` });
    }
    drop(code = 1006, reason = '') {
      if (this.closed) return;
      this.closed = true;
      this.listeners.close.forEach((fn) => fn({ code, reason }));
    }
  }
  return { FakeWebSocket, sockets };
}

async function eventually(check, what = 'condition', timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup(options = {}) {
  const gw = fakeGateway();
  const client = new WeftClient({
    url: 'ws://gw.test/v1/ws', token: () => 'tok', device: 'd1', WebSocket: gw.FakeWebSocket,
    backoff: { initialMs: 20, maxMs: 100 }, ...options,
  });
  const got = { messages: [], events: [], errors: [], resets: [], cursors: [], states: [] };
  client.on('message', (m) => got.messages.push(m));
  client.on('event', (e) => got.events.push(e));
  client.on('error', (e) => got.errors.push(e));
  client.on('reset', (r) => got.resets.push(r));
  client.on('cursor', (c) => got.cursors.push(c));
  client.on('state', (s) => got.states.push(s));
  const socket = async (n) => {
    await eventually(() => gw.sockets.length >= n, `connection ${n}`);
    return gw.sockets[n - 1];
  };
  return { client, gw, got, socket };
}

const msg = (over) => ({ op: 'msg', conv: 'dm:YWxpY2U.Ym9i', seq: 1, id: 'm1', from: 'bob', ts: 1, text: 'hi', ...over });

test('dmConv derives the one-to-one conversation id as the gateway does', () => {
  assert.equal(dmConv('alice', 'bob'), 'dm:YWxpY2U.Ym9i');
  assert.equal(dmConv('bob', 'alice'), 'dm:YWxpY2U.Ym9i');
});

test('connects with cursor, device, access_token and last_seen in the query', async () => {
  const { client, socket } = setup({ lastSeen: 'hidden' });
  client.connect();
  const ws = await socket(1);
  assert.equal(ws.url.searchParams.get('cursor'), 'new');
  assert.equal(ws.url.searchParams.get('device'), 'd1');
  assert.equal(ws.url.searchParams.get('access_token'), 'tok');
  assert.equal(ws.url.searchParams.get('last_seen'), 'hidden');
  client.close();
});

test('tracks the cursor from msg and synced, and reconnects with the last one', async () => {
  const { client, got, socket } = setup({ cursor: 'c1.start' });
  client.connect();
  const ws = await socket(1);
  assert.equal(ws.url.searchParams.get('cursor'), 'c1.start');
  ws.welcome();
  ws.frame(msg({ cursor: 'c1.a' }));
  ws.frame({ op: 'synced', cursor: 'c1.b' });
  assert.deepEqual(got.cursors, ['c1.a', 'c1.b']);
  assert.deepEqual(got.messages, [{ conv: 'dm:YWxpY2U.Ym9i', seq: 1, id: 'm1', from: 'bob', ts: 1, text: 'hi' }]);
  assert.deepEqual(got.states, ['connecting', 'catching_up', 'live']);
  ws.drop(4008);
  const ws2 = await socket(2);
  assert.equal(ws2.url.searchParams.get('cursor'), 'c1.b');
  client.close();
});

test('the outbox: sends wait for welcome, and after a drop are resent in order with the same ref and resend:true', async () => {
  const { client, socket } = setup();
  client.connect();
  const p1 = client.send({ to: 'bob', text: 'one' });
  const p2 = client.send({ conv: 'dm:YWxpY2U.Ym9i', text: 'two' });
  const ws = await socket(1);
  assert.equal(ws.sent.length, 0, 'nothing before welcome');
  ws.welcome();
  assert.deepEqual(ws.sent.map((f) => [f.op, f.text, f.resend]), [['send', 'one', undefined], ['send', 'two', undefined]]);
  ws.drop(1006);
  const ws2 = await socket(2);
  ws2.welcome();
  assert.deepEqual(ws2.sent.map((f) => [f.ref, f.text, f.resend]), ws.sent.map((f) => [f.ref, f.text, true]));
  ws2.frame({ op: 'ack', ref: ws2.sent[0].ref, conv: 'dm:YWxpY2U.Ym9i', seq: 5, id: 'x1', ts: 9 });
  ws2.frame({ op: 'ack', ref: ws2.sent[1].ref, conv: 'dm:YWxpY2U.Ym9i', seq: 6, id: 'x2', ts: 9 });
  assert.deepEqual(await p1, { ref: ws.sent[0].ref, conv: 'dm:YWxpY2U.Ym9i', seq: 5, id: 'x1', ts: 9 });
  assert.equal((await p2).id, 'x2');
  client.close();
});

test('an own send replayed in catch-up before its resend\'s ack is not emitted; another device\'s same text is', async () => {
  const { client, got, socket } = setup();
  client.connect();
  const ws = await socket(1);
  ws.welcome('alice');
  const p = client.send({ to: 'bob', text: 'same' });
  ws.drop(1006); // the ack is lost
  const ws2 = await socket(2);
  ws2.welcome('alice');
  // catch-up: another device's message with the same text, then the original, then the resend's ack
  ws2.frame(msg({ id: 'other', from: 'alice', text: 'same', seq: 3 }));
  ws2.frame(msg({ id: 'orig', from: 'alice', text: 'same', seq: 4 }));
  assert.equal(got.messages.length, 0, 'held until the ack says which is ours');
  ws2.frame({ op: 'ack', ref: ws2.sent[0].ref, conv: 'dm:YWxpY2U.Ym9i', seq: 4, id: 'orig', ts: 1 });
  assert.equal((await p).id, 'orig');
  assert.deepEqual(got.messages.map((m) => m.id), ['other']);
  ws2.frame({ op: 'synced', cursor: 'c1.z' });
  ws2.frame(msg({ id: 'orig', from: 'alice', text: 'same', seq: 4 }));
  assert.deepEqual(got.messages.map((m) => m.id), ['other'], 'never twice');
  client.close();
});

test('unavailable keeps the send and resends it after a backoff; other codes reject with the code', async () => {
  const { client, socket } = setup();
  client.connect();
  const ws = await socket(1);
  ws.welcome();
  const ok = client.send({ to: 'bob', text: 'retry me' });
  const bad = client.send({ to: 'bob', text: 'too long' });
  const [first, second] = ws.sent;
  ws.frame({ op: 'error', ref: first.ref, code: 'unavailable', message: 'x', retry: true });
  ws.frame({ op: 'error', ref: second.ref, code: 'text_too_long', message: 'text is over 16384 bytes' });
  await assert.rejects(bad, (e) => e.code === 'text_too_long' && e.message === 'text is over 16384 bytes');
  await eventually(() => ws.sent.length === 3, 'the resend');
  assert.deepEqual(ws.sent[2], { ...first, resend: true });
  ws.frame({ op: 'ack', ref: first.ref, conv: 'c', seq: 1, id: 'i', ts: 1 });
  assert.equal((await ok).id, 'i');
  client.close();
});

test('dedupes by id, and a reset clears what it remembers', async () => {
  const { client, got, socket } = setup();
  client.connect();
  const ws = await socket(1);
  ws.welcome();
  ws.frame(msg({ id: 'a' }));
  ws.frame(msg({ id: 'a' }));
  ws.frame({ op: 'event', conv: 'g:x', seq: 2, id: 'e', from: 'bob', ts: 1, event: 'left', users: [] });
  ws.frame({ op: 'event', conv: 'g:x', seq: 2, id: 'e', from: 'bob', ts: 1, event: 'left', users: [] });
  assert.equal(got.messages.length, 1);
  assert.equal(got.events.length, 1);
  ws.frame({ op: 'synced', cursor: 'c1.new', reset: true });
  assert.deepEqual(got.resets, [{ reason: 'topics_recreated' }]);
  ws.frame(msg({ id: 'a' }));
  assert.equal(got.messages.length, 2, 'after a reset the device rebuilds: everything is new again');
  client.close();
});

test('close codes: 1012 and 4008 reconnect promptly, close() stops for good', async () => {
  const { client, got, socket, gw } = setup({ backoff: { initialMs: 20, maxMs: 60_000 } });
  client.connect();
  (await socket(1)).drop(1012);
  (await socket(2)).drop(4008);
  (await socket(3)).drop(1001);
  const ws4 = await socket(4);
  ws4.welcome();
  client.close();
  assert.equal(client.state, 'closed');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(gw.sockets.length, 4, 'no reconnect after close()');
  assert.equal(got.errors.length, 0, 'planned closes are not errors');
});

test('a group op in flight when the connection drops rejects with disconnected; a receipt is retried', async () => {
  const { client, socket } = setup();
  client.connect();
  const ws = await socket(1);
  ws.welcome();
  const group = client.createGroup('T', ['bob']);
  const receipt = client.receipt('dm:YWxpY2U.Ym9i', 'read', 4);
  ws.drop(1006);
  await assert.rejects(group, (e) => e.code === 'disconnected');
  const ws2 = await socket(2);
  ws2.welcome();
  assert.deepEqual(ws2.sent.map((f) => f.op), ['receipt']);
  ws2.frame({ op: 'ack', ref: ws2.sent[0].ref, conv: 'dm:YWxpY2U.Ym9i', kind: 'read', seq: 4 });
  assert.equal((await receipt).seq, 4);
  client.close();
});

test('typing(conv, true) is throttled to one frame per 2.5 s; stopped always goes', async () => {
  const { client, socket } = setup();
  client.connect();
  const ws = await socket(1);
  ws.welcome();
  client.typing('c', true);
  client.typing('c', true);
  client.typing('c', false);
  client.typing('c', true);
  assert.deepEqual(ws.sent.map((f) => f.state), ['started', 'stopped', 'started']);
  client.close();
});

test('close() rejects what is still waiting with code closed', async () => {
  const { client } = setup();
  client.connect();
  const p = client.send({ to: 'bob', text: 'never' });
  client.close();
  await assert.rejects(p, (e) => e.code === 'closed');
});
