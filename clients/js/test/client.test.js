// The client against a real Weft (see harness.js). One Weft for the whole file: it takes ~20 s to start.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { WeftClient, dmConv } from '../src/weft.js';
import { startWeft, token } from './harness.js';

/** Unique per run, so runs never see each other's conversations. */
const run = randomBytes(4).toString('hex');
let testSeq = 0;
/** Fresh names for one test: `users('alice', 'bob')`. */
const users = (...names) => {
  const t = ++testSeq;
  return names.map((n) => `${n}-${run}-${t}`);
};

let weft;
const clients = new Set();

before(async () => {
  weft = await startWeft();
}, { timeout: 6 * 60_000 });

after(async () => {
  for (const c of clients) c.close();
  await weft?.stop();
}, { timeout: 16 * 60_000 }); // the file that started Weft waits for the others

/** Polls until `check()` returns a truthy value; never a bare sleep. */
async function eventually(check, { timeoutMs = 20_000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A WebSocket class that records every frame the client writes. */
function spyingWebSocket(sent) {
  return class extends WebSocket {
    send(data, ...rest) {
      sent.push(JSON.parse(data));
      return super.send(data, ...rest);
    }
  };
}

/** A connected client with everything it emits recorded. */
function client(name, { url = weft.wsUrl, device = 'd1', cursor = null, ...options } = {}) {
  const sent = [];
  const c = new WeftClient({
    url,
    token: async () => token(name),
    device,
    cursor,
    WebSocket: spyingWebSocket(sent),
    backoff: { initialMs: 100, maxMs: 1000 },
    ...options,
  });
  const got = { messages: [], events: [], receipts: [], typing: [], presence: [], cursors: [], states: [], errors: [], resets: [], sent };
  c.on('message', (m) => got.messages.push(m));
  c.on('event', (e) => got.events.push(e));
  c.on('receipt', (r) => got.receipts.push(r));
  c.on('typing', (t) => got.typing.push(t));
  c.on('presence', (p) => got.presence.push(p));
  c.on('cursor', (k) => got.cursors.push(k));
  c.on('state', (s) => got.states.push(s));
  c.on('error', (e) => got.errors.push(e));
  c.on('reset', (r) => got.resets.push(r));
  c.got = got;
  clients.add(c);
  return c;
}

async function live(c, times = 1) {
  await eventually(() => c.got.states.filter((s) => s === 'live').length >= times, { what: `${c.user ?? 'client'} live` });
}

/** A connected, live client for each user. */
async function liveClients(...names) {
  const cs = names.map((n) => client(n));
  cs.forEach((c) => c.connect());
  for (const c of cs) await live(c);
  return cs;
}

const texts = (messages) => messages.map((m) => m.text);

describe('WeftClient against a real Weft', () => {
  test('connects with cursor=new, catches up, goes live and hands out a cursor', async () => {
    const [a] = users('alice');
    const alice = client(a);
    alice.connect();
    await live(alice);
    assert.deepEqual(alice.got.states, ['connecting', 'catching_up', 'live']);
    assert.equal(alice.user, a);
    assert.match(alice.cursor, /^c1\./);
    assert.deepEqual(alice.got.cursors, [alice.cursor]);
    assert.equal(alice.got.sent.length, 0, 'nothing to send yet');
    alice.close();
    assert.equal(alice.state, 'closed');
  });

  test('a send resolves with the ack and reaches the other user live, once', async () => {
    const [a, b] = users('alice', 'bob');
    const alice = client(a);
    const bob = client(b);
    alice.connect();
    bob.connect();
    await Promise.all([live(alice), live(bob)]);
    const ack = await alice.send({ to: b, text: 'hello bob' });
    assert.equal(ack.conv, dmConv(a, b));
    assert.equal(typeof ack.seq, 'number');
    assert.equal(typeof ack.id, 'string');
    assert.equal(typeof ack.ts, 'number');
    assert.equal(typeof ack.ref, 'string');
    await eventually(() => bob.got.messages.length === 1, { what: 'bob gets the message' });
    assert.deepEqual(bob.got.messages[0], { conv: ack.conv, seq: ack.seq, id: ack.id, from: a, ts: ack.ts, text: 'hello bob' });
    assert.equal(alice.got.messages.length, 0, 'the sender has the ack, not a message');
    const before = bob.cursor;
    await eventually(() => bob.cursor !== before || bob.got.cursors.length >= 2, { what: 'bob cursor moves' });
    alice.close();
    bob.close();
  });

  test('resume with the cursor: messages sent while the client was closed arrive after reconnect exactly once', async () => {
    const [a, b] = users('alice', 'bob');
    const alice = client(a);
    const bob1 = client(b, { device: 'phone' });
    alice.connect();
    bob1.connect();
    await Promise.all([live(alice), live(bob1)]);
    await alice.send({ to: b, text: 'before' });
    await eventually(() => bob1.got.messages.length === 1, { what: 'bob gets "before"' });
    const stored = bob1.cursor;
    bob1.close();

    for (const text of ['away 1', 'away 2', 'away 3']) await alice.send({ to: b, text });

    const bob2 = client(b, { device: 'phone', cursor: stored });
    bob2.connect();
    await live(bob2);
    assert.deepEqual(texts(bob2.got.messages), ['away 1', 'away 2', 'away 3']);
    await alice.send({ to: b, text: 'after' });
    await eventually(() => bob2.got.messages.length === 4, { what: 'bob gets "after" live' });
    assert.deepEqual(texts(bob2.got.messages), ['away 1', 'away 2', 'away 3', 'after']);
    alice.close();
    bob2.close();
  });

  test('reconnects after its gateway dies and catches up what it missed, without duplicates', { timeout: 120_000 }, async () => {
    const [a, b] = users('alice', 'bob');
    const first = await weft.startGateway();
    const alice = client(a);
    const bob = client(b, { url: first.wsUrl });
    alice.connect();
    bob.connect();
    await Promise.all([live(alice), live(bob)]);
    await alice.send({ to: b, text: 'm1' });
    await eventually(() => bob.got.messages.length === 1, { what: 'bob gets m1' });

    await first.kill(); // SIGKILL: no close frame, as when a machine dies
    await eventually(() => bob.state !== 'live', { what: 'bob notices' });
    await alice.send({ to: b, text: 'm2' });
    await alice.send({ to: b, text: 'm3' });

    const second = await weft.startGateway({ port: first.port });
    try {
      await live(bob, 2);
      await alice.send({ to: b, text: 'm4' });
      await eventually(() => bob.got.messages.length >= 4, { what: 'bob gets m2..m4' });
      assert.deepEqual(texts(bob.got.messages), ['m1', 'm2', 'm3', 'm4']);
      assert.equal(new Set(bob.got.messages.map((m) => m.id)).size, 4);
      assert.ok(bob.got.errors.some((e) => e.code === 'connection_lost'), 'the drop is reported');
    } finally {
      bob.close();
      alice.close();
      await second.stop();
    }
  });

  test('a lost ack: the send is resent with the same ref and resend:true, stored once, delivered once', async () => {
    const [a, b] = users('alice', 'bob');
    let dropped = null;
    const order = [];
    const alice = client(a, {
      // The ack comes back, but "the connection dies" before the client reads it.
      _onFrame(frame, c) {
        if (frame.op === 'msg' || frame.op === 'ack') order.push(`${frame.op} ${frame.text ?? frame.id}`);
        if (frame.op === 'ack' && dropped === null) {
          dropped = frame;
          c._dropConnection();
          return false;
        }
        return true;
      },
    });
    const bob = client(b);
    alice.connect();
    bob.connect();
    await Promise.all([live(alice), live(bob)]);

    const ack = await alice.send({ to: b, text: 'exactly once' });
    assert.ok(dropped, 'the first ack was dropped');
    assert.equal(ack.id, dropped.id, 'the resend gets the original ack');
    assert.equal(ack.seq, dropped.seq);
    const sends = alice.got.sent.filter((f) => f.op === 'send');
    assert.equal(sends.length, 2);
    assert.equal(sends[1].ref, sends[0].ref);
    assert.equal(sends[0].resend, undefined);
    assert.equal(sends[1].resend, true);
    await live(alice, 2); // it reconnected (the resend's ack may come while catching up)

    await alice.send({ to: b, text: 'next' });
    await eventually(() => bob.got.messages.length >= 2, { what: 'bob gets both' });
    assert.deepEqual(texts(bob.got.messages), ['exactly once', 'next']);
    const history = await weft.history(b, ack.conv);
    assert.deepEqual(texts(history), ['exactly once', 'next']);
    assert.ok(order.includes('msg exactly once'), `catch-up replays the original: ${order}`);
    assert.equal(alice.got.messages.length, 0, 'its own send, replayed in catch-up, is not a new message');
    alice.close();
    bob.close();
  });

  test('dedupe: the device\'s own sends replayed in catch-up are not emitted', async () => {
    const [a, b] = users('alice', 'bob');
    const replayed = [];
    const alice = client(a, {
      _onFrame(frame) {
        if (frame.op === 'msg') replayed.push(frame.text);
      },
    });
    alice.connect();
    await live(alice);
    for (const text of ['own 1', 'own 2', 'own 3']) await alice.send({ to: b, text });
    // Its own sends never come back on the socket that sent them, so its cursor is still before them.
    alice._dropConnection();
    await live(alice, 2);
    assert.deepEqual(replayed, ['own 1', 'own 2', 'own 3'], 'catch-up replays them');
    assert.equal(alice.got.messages.length, 0);

    // A second device of the same user gets them as messages.
    const other = client(a, { device: 'd2' });
    other.connect();
    await live(other);
    assert.deepEqual(texts(other.got.messages), ['own 1', 'own 2', 'own 3']);
    alice.close();
    other.close();
  });

  test('a send the gateway refuses rejects with its error code, and the client goes on', async () => {
    const [a, b] = users('alice', 'bob');
    const alice = client(a);
    alice.connect();
    await live(alice);
    await assert.rejects(alice.send({ to: b, text: 'x'.repeat(16385) }), (e) => e.code === 'text_too_long');
    await assert.rejects(alice.send({ to: a, text: 'me' }), (e) => e.code === 'bad_recipient');
    await assert.rejects(alice.send({ to: b }), (e) => e.code === 'bad_request');
    const ack = await alice.send({ to: b, text: 'x'.repeat(16384) });
    assert.equal(typeof ack.seq, 'number');
    alice.close();
  });

  test('groups, receipts, typing and presence, with presence followed again after a reconnect', async () => {
    const [a, b, c] = users('alice', 'bob', 'carol');
    const alice = client(a);
    const bob = client(b);
    alice.connect();
    bob.connect();
    await Promise.all([live(alice), live(bob)]);

    const created = await alice.createGroup('Hiking', [b]);
    assert.match(created.conv, /^g:/);
    await eventually(() => bob.got.events.length === 1, { what: 'bob sees the group created' });
    assert.deepEqual(bob.got.events[0], { conv: created.conv, seq: created.seq, id: created.id, from: a, ts: created.ts,
      event: 'created', title: 'Hiking', users: [b] });
    await alice.addMembers(created.conv, [c]);
    await eventually(() => bob.got.events.length === 2, { what: 'bob sees carol added' });
    assert.equal(bob.got.events[1].event, 'added');

    const msg = await alice.send({ conv: created.conv, text: 'trail at 9' });
    await eventually(() => bob.got.messages.length === 1, { what: 'bob gets the group message' });
    const rack = await bob.receipt(created.conv, 'read', msg.seq);
    assert.deepEqual(rack, { ref: rack.ref, conv: created.conv, kind: 'read', seq: msg.seq });
    await eventually(() => alice.got.receipts.some((r) => r.user === b && r.kind === 'read' && r.seq === msg.seq),
      { what: 'alice sees bob read it' });

    alice.typing(created.conv, true);
    alice.typing(created.conv, true); // throttled: within 2.5 s of the last
    await eventually(() => bob.got.typing.length === 1, { what: 'bob sees alice typing' });
    assert.equal(bob.got.typing[0].state, 'started');
    assert.equal(alice.got.sent.filter((f) => f.op === 'typing').length, 1);

    await bob.subscribePresence([a]);
    await eventually(() => bob.got.presence.some((p) => p.user === a && p.online), { what: 'alice online' });
    const seen = bob.got.presence.length;
    bob._dropConnection();
    await live(bob, 2);
    await eventually(() => bob.got.presence.length > seen, { what: 'presence again after the reconnect' });
    assert.equal(bob.got.sent.filter((f) => f.op === 'presence_subscribe').length, 2);

    await alice.removeMembers(created.conv, [c]);
    await bob.leaveGroup(created.conv);
    await eventually(() => alice.got.events.some((e) => e.event === 'left' && e.from === b), { what: 'alice sees bob leave' });
    alice.close();
    bob.close();
  });

  test('a refused cursor starts the device over with cursor=new and says reset', async () => {
    const [a] = users('alice');
    const alice = client(a, { cursor: 'c1.not-a-cursor' });
    alice.connect();
    await live(alice);
    assert.ok(alice.got.errors.some((e) => e.code === 'bad_cursor' && e.status === 400));
    assert.deepEqual(alice.got.resets, [{ reason: 'bad_cursor' }]);
    assert.match(alice.cursor, /^c1\./);
    alice.close();
  });

  test('an expired token is refused with 401 and token() is asked again', async () => {
    const [a, b] = users('alice', 'bob');
    let calls = 0;
    const alice = client(a, { token: async () => (++calls === 1 ? token(a, { validForSeconds: -60 }) : token(a)) });
    alice.connect();
    await live(alice);
    assert.equal(calls, 2);
    assert.ok(alice.got.errors.some((e) => e.code === 'token_expired' && e.status === 401));
    alice.close();
  });

  test('refresh renews the open socket\'s token; one for another user is refused and the socket carries on', async () => {
    const [a, b] = users('alice', 'bob');
    const alice = client(a, { token: async () => token(a, { validForSeconds: 120 }) });
    alice.connect();
    await live(alice);
    const before = Date.now();
    const renewed = await alice.refresh(token(a, { validForSeconds: 1800 }));
    assert.ok(renewed.exp > before + 1700_000 && renewed.exp < before + 1900_000, `exp ${renewed.exp}`);
    const asked = await alice.refresh(); // from options.token()
    assert.ok(asked.exp < before + 200_000, `exp ${asked.exp}`);
    await assert.rejects(alice.refresh(token(b)), (e) => e.code === 'invalid_token');
    await assert.rejects(alice.refresh(token(a, { validForSeconds: -60 })), (e) => e.code === 'token_expired');
    const ack = await alice.send({ to: b, text: 'still connected' });
    assert.ok(ack.seq >= 0);
    assert.equal(alice.got.sent.filter((f) => f.op === 'refresh').length, 4);
    alice.close();
  });

  test('a reply with an attachment reaches the other user with both, and history has them', async () => {
    const [a, b] = users('alice', 'bob');
    const [alice, bob] = await liveClients(a, b);
    const first = await alice.send({ to: b, text: 'send me the ticket' });
    const ticket = { url: 'https://files.example.com/t.pdf', media_type: 'application/pdf', size: 5120, hash: 'sha256:00ff', name: 'ticket.pdf' };
    const reply = await bob.send({ to: a, replyTo: first.id, attachments: [ticket] });
    await eventually(() => alice.got.messages.some((m) => m.id === reply.id), { what: 'the reply' });
    const got = alice.got.messages.find((m) => m.id === reply.id);
    assert.equal(got.reply_to, first.id);
    assert.deepEqual(got.attachments, [ticket]);
    assert.equal(got.text, '');
    const stored = await eventually(async () => (await weft.history(a, reply.conv)).find((m) => m.id === reply.id), { what: 'stored' });
    assert.deepEqual(stored.attachments, [ticket]);
    await assert.rejects(bob.send({ to: a, text: 'x', attachments: [{ url: 'ftp://x', media_type: 'a/b', size: 1, hash: 'h' }] }),
      (e) => e.code === 'bad_request' && e.message.includes('attachments[0].url'));
    alice.close();
    bob.close();
  });

  test('edits, reactions and a delete reach the other user as their own events; a stranger\'s edit is refused', async () => {
    const [a, b] = users('alice', 'bob');
    const got = { edit: [], react: [], delete: [] };
    const [alice, bob] = await liveClients(a, b);
    for (const op of Object.keys(got)) bob.on(op, (e) => got[op].push(e));
    const sent = await alice.send({ to: b, text: 'helo' });
    const edited = await alice.edit(sent.conv, sent.id, 'hello');
    assert.ok(edited.seq > sent.seq);
    await alice.react(sent.conv, sent.id, '🎉');
    await eventually(() => got.edit.length === 1 && got.react.length === 1, { what: 'the edit and the reaction' });
    assert.deepEqual([got.edit[0].target, got.edit[0].text], [sent.id, 'hello']);
    assert.equal(got.react[0].emoji, '🎉');
    await assert.rejects(bob.edit(sent.conv, sent.id, 'mine'), (e) => e.code === 'not_sender');
    await alice.deleteMessage(sent.conv, sent.id);
    await eventually(() => got.delete.length === 1, { what: 'the delete' });
    const stored = await eventually(async () => (await weft.history(a, sent.conv)).find((m) => m.id === sent.id && m.deleted),
      { what: 'the deleted message in history' });
    assert.equal(stored.text, '');
    alice.close();
    bob.close();
  });

  test('a block refuses the pair\'s messages both ways, tells the blocker\'s other device, and an unblock lifts it', async () => {
    const [a, b] = users('alice', 'mallory');
    const [alice, mallory] = await liveClients(a, b);
    const aliceTablet = client(a, { device: 'tablet' });
    const told = [];
    aliceTablet.on('block', (e) => told.push(e));
    aliceTablet.connect();
    await live(aliceTablet);
    await mallory.send({ to: a, text: 'hi' });
    await alice.block(b);
    await eventually(() => told.length === 1, { what: 'the tablet told' });
    assert.deepEqual([told[0].user, told[0].blocked], [b, true]);
    await eventually(async () => {
      try {
        await mallory.send({ to: a, text: 'hello?' });
        return false;
      } catch (e) {
        return e.code === 'blocked';
      }
    }, { what: 'mallory refused' });
    await alice.unblock(b);
    await eventually(async () => {
      try {
        await mallory.send({ to: a, text: 'friends?' });
        return true;
      } catch (e) {
        return false;
      }
    }, { what: 'mallory taken again' });
    for (const c of [alice, mallory, aliceTablet]) c.close();
  });

  test('the backend\'s notices arrive from ""; a disconnect closes the client for good; a revocation waits for a newer token', async () => {
    const [a, b] = users('alice', 'bob');
    const [alice, bob] = await liveClients(a, b);
    const dm = await alice.send({ to: b, text: 'hi bob' });
    const notice = await weft.serverApi('POST', '/v1/server/messages', { conv: dm.conv, text: 'a notice from the app' });
    assert.equal(notice.status, 201, JSON.stringify(notice.body));
    await eventually(() => bob.got.messages.some((m) => m.text === 'a notice from the app' && m.from === ''), { what: 'the notice' });

    const off = await weft.serverApi('POST', `/v1/server/users/${encodeURIComponent(b)}/disconnect`, {});
    assert.equal(off.status, 202, JSON.stringify(off.body));
    await eventually(() => bob.got.states.includes('closed'), { what: 'bob closed' });
    assert.ok(bob.got.errors.some((e) => e.code === 'disconnected_by_server' && e.closeCode === 4010));

    const revoked = await weft.serverApi('POST', `/v1/server/users/${encodeURIComponent(a)}/revoke`, {});
    assert.equal(revoked.status, 202, JSON.stringify(revoked.body));
    await eventually(() => alice.got.errors.some((e) => e.code === 'token_revoked' && e.closeCode === 4011), { what: 'alice revoked' });
    // token() mints with iat in whole seconds: refused until the revocation's second is over, then live again.
    await live(alice, 2);
    assert.ok(Date.now() >= revoked.body.tokens_valid_from);
    alice.close();
  });
});
