// The reference Weft client: one WebSocket, kept open, with the cursor, the outbox and the dedupe set that
// docs/protocol.md ("Writing a client") asks of every client. No dependencies; runs as-is in browsers and, given the
// `ws` package's WebSocket class, under Node.

const DEFAULT_BACKOFF = { initialMs: 250, maxMs: 10000 };
const DEFAULT_DEDUPE_SIZE = 10000;
/** typing(conv, true) more often than this is dropped: the gateway allows 2 typing frames a second per connection. */
const TYPING_THROTTLE_MS = 2500;

/** Error codes after which the same frame may succeed later (protocol.md, "error"). */
const RETRYABLE = new Set(['unavailable', 'overloaded', 'rate_limited', 'too_many_pending']);

/** Close codes (protocol.md, "Close codes") sorted by how soon to come back. */
const CLOSE_NORMAL = 1000;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_TOO_BIG = 1009;
const CLOSE_UNAVAILABLE = 1011;
const CLOSE_RESTART = 1012;
const CLOSE_IDLE = 4000;
const CLOSE_TOO_SLOW = 4008;
/** The app's backend disconnected this user or device (server API): not to be undone by reconnecting. */
const CLOSE_DISCONNECTED = 4010;
/** The token was revoked (server API): reconnect only with a new one. */
const CLOSE_TOKEN_REVOKED = 4011;

/**
 * A connection to Weft that stays up: it reconnects with the cursor, resends what was not acknowledged, and never
 * emits a message twice.
 */
export class WeftClient {
  #opts;
  #WebSocket;
  #backoff;
  #listeners = new Map();

  #state = 'offline';
  #closed = false;
  #started = false;
  #cursor;
  #user = null;

  /** The current connection attempt: {id, ws, welcomed, refusal}; null while offline. */
  #conn = null;
  #connSeq = 0;
  #attempt = 0;
  #reconnectTimer = null;

  /** Every request waiting for its answer, by ref, in the order they were made (a Map keeps insertion order). */
  #pending = new Map();
  /** While set, requests are not (re)transmitted: a retryable error asked us to back off. */
  #holdTimer = null;
  #holdAttempt = 0;

  #seen;
  #dedupeSize;
  /** Own messages that came back before the ack of a resend that may be them: held until that ack says. */
  #held = new Map();
  #presence = new Set();
  #typingSent = new Map();

  /**
   * @param {import('./weft.d.ts').WeftClientOptions} options
   */
  constructor(options) {
    if (!options || typeof options.url !== 'string') {
      throw new TypeError('WeftClient: options.url is required');
    }
    if (typeof options.token !== 'function' && typeof options.token !== 'string') {
      throw new TypeError('WeftClient: options.token must be a function returning a token, or a string');
    }
    this.#opts = options;
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (typeof this.#WebSocket !== 'function') {
      throw new TypeError('WeftClient: no WebSocket implementation; under Node pass { WebSocket } from the ws package');
    }
    this.#backoff = { ...DEFAULT_BACKOFF, ...(options.backoff ?? {}) };
    this.#cursor = options.cursor && options.cursor !== 'new' ? options.cursor : null;
    this.#dedupeSize = options.dedupeSize ?? DEFAULT_DEDUPE_SIZE;
    this.#seen = new Map();
  }

  /** The latest cursor: store it with the messages emitted before it. null until the first `synced`. */
  get cursor() {
    return this.#cursor;
  }

  /** 'connecting' | 'catching_up' | 'live' | 'offline' | 'closed' */
  get state() {
    return this.#state;
  }

  /** The user this connection is authenticated as (from `welcome`); null before the first one. */
  get user() {
    return this.#user;
  }

  /** Adds a listener; returns a function that removes it. */
  on(event, listener) {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  off(event, listener) {
    this.#listeners.get(event)?.delete(listener);
  }

  /** Opens the connection, and keeps it open until close(). */
  connect() {
    if (this.#closed) {
      throw new Error('WeftClient: closed for good; make a new client');
    }
    if (this.#started) {
      return;
    }
    this.#started = true;
    this.#open();
  }

  /** Closes for good: no reconnect; requests still waiting are rejected with code 'closed'. */
  close() {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#holdTimer);
    const conn = this.#conn;
    this.#conn = null;
    if (conn?.ws) {
      try {
        conn.ws.close(CLOSE_NORMAL, 'client closed');
      } catch {
        // already closing
      }
    }
    for (const req of this.#pending.values()) {
      clearTimeout(req.timer);
      req.reject(codedError('closed', 'the client was closed before an answer came'));
    }
    this.#pending.clear();
    this.#releaseHeld();
    this.#setState('closed');
  }

  /**
   * Sends a message: `{to, text}` (the one-to-one conversation with `to`) or `{conv, text}`, optionally `replyTo` (the
   * id of the message it answers) and `attachments` (references: `{url, media_type, size, hash, name?, width?,
   * height?, thumbnail?}`; with attachments, `text` may be empty). Resolves with the ack once Weft has stored it; kept
   * and resent across reconnects until then.
   */
  send(message) {
    const frame = { op: 'send', ref: newRef(), text: message?.text ?? (message?.attachments?.length ? '' : undefined) };
    if (message?.to !== undefined) frame.to = message.to;
    if (message?.conv !== undefined) frame.conv = message.conv;
    if (message?.replyTo !== undefined) frame.reply_to = message.replyTo;
    if (message?.attachments !== undefined) frame.attachments = message.attachments;
    return this.#request(frame, 'send');
  }

  /** Reports that every message of `conv` up to `seq` was delivered to, or read by, this user. */
  receipt(conv, kind, seq) {
    return this.#request({ op: 'receipt', ref: newRef(), conv, kind, seq }, 'receipt');
  }

  /** Shows (or clears) this user's typing indicator in `conv`. Fire and forget; only while connected. */
  typing(conv, on) {
    const now = Date.now();
    if (on) {
      const last = this.#typingSent.get(conv);
      if (last !== undefined && now - last < TYPING_THROTTLE_MS) {
        return;
      }
    }
    if (!this.#conn?.welcomed) {
      return;
    }
    if (on) {
      this.#typingSent.set(conv, now);
    } else {
      this.#typingSent.delete(conv);
    }
    this.#write(this.#conn, { op: 'typing', conv, state: on ? 'started' : 'stopped' });
  }

  /**
   * Replaces the text of one of this user's messages. Like deleteMessage() and react(), an entry of the conversation's
   * stream with its own seq; not resent on its own after a dropped connection (it rejects with 'disconnected').
   */
  edit(conv, id, text) {
    return this.#request({ op: 'edit', ref: newRef(), conv, id, text }, 'group');
  }

  /** Deletes a message for everyone: this user's own, or any in a group this user is an admin of. */
  deleteMessage(conv, id) {
    return this.#request({ op: 'delete', ref: newRef(), conv, id }, 'group');
  }

  /** Sets this user's one reaction to a message (replacing an earlier one); null removes it. */
  react(conv, id, emoji) {
    return this.#request({ op: 'react', ref: newRef(), conv, id, emoji: emoji ?? null }, 'group');
  }

  /**
   * Blocks `user`: they can no longer write to this user one to one nor add them to groups ('blocked'); groups still
   * carry everyone's messages. This user's other devices get a 'block' event; `user` is not told.
   */
  block(user) {
    return this.#request({ op: 'block', ref: newRef(), user }, 'group');
  }

  unblock(user) {
    return this.#request({ op: 'unblock', ref: newRef(), user }, 'group');
  }

  createGroup(title, members = []) {
    return this.#request({ op: 'group_create', ref: newRef(), title, members }, 'group');
  }

  addMembers(conv, members) {
    return this.#request({ op: 'group_add', ref: newRef(), conv, members }, 'group');
  }

  removeMembers(conv, members) {
    return this.#request({ op: 'group_remove', ref: newRef(), conv, members }, 'group');
  }

  leaveGroup(conv) {
    return this.#request({ op: 'group_leave', ref: newRef(), conv }, 'group');
  }

  /** Follows these users' presence, on this connection and every later one. */
  subscribePresence(users) {
    for (const u of users) this.#presence.add(u);
    return this.#request({ op: 'presence_subscribe', ref: newRef(), users: [...users] }, 'presence')
      .catch((e) => {
        for (const u of users) this.#presence.delete(u);
        throw e;
      });
  }

  unsubscribePresence(users) {
    for (const u of users) this.#presence.delete(u);
    return this.#request({ op: 'presence_unsubscribe', ref: newRef(), users: [...users] }, 'presence');
  }

  /**
   * Renews the token of the open socket before its `exp`, when the gateway would close it with 4001. With no
   * argument, asks `options.token()` for a new one. Resolves with `{ref, exp}` (exp in ms since the epoch). A token
   * that is not valid, or is for another user, rejects with 'invalid_token' ('token_expired' if already expired) and
   * the socket keeps its old deadline. A reconnect asks `options.token()` anyway, so only an open socket needs this.
   */
  async refresh(token) {
    let t = token;
    if (t === undefined) {
      t = typeof this.#opts.token === 'function' ? await this.#opts.token() : this.#opts.token;
    }
    if (typeof t !== 'string' || t.length === 0) {
      throw codedError('bad_request', 'refresh needs a token: pass one, or give options.token as a function');
    }
    return this.#request({ op: 'refresh', ref: newRef(), token: t }, 'refresh');
  }

  // ---- test hooks: not part of the API -------------------------------------------------------------------------

  /** Drops the connection as a network failure would (no close frame). For tests. @internal */
  _dropConnection() {
    const ws = this.#conn?.ws;
    if (!ws) return;
    if (typeof ws.terminate === 'function') {
      ws.terminate();
    } else {
      ws.close(3000, 'dropped');
    }
  }

  // ---- connecting ----------------------------------------------------------------------------------------------

  async #open() {
    this.#reconnectTimer = null;
    const conn = { id: ++this.#connSeq, ws: null, welcomed: false, live: false, refusal: null };
    this.#conn = conn;
    this.#setState('connecting');
    let token;
    try {
      token = typeof this.#opts.token === 'function' ? await this.#opts.token() : this.#opts.token;
    } catch (e) {
      if (this.#conn !== conn) return;
      this.#emitError(codedError('token_failed', `token() failed: ${e?.message ?? e}`, { cause: e }));
      this.#conn = null;
      this.#scheduleReconnect(this.#nextBackoff());
      return;
    }
    if (this.#conn !== conn) return; // closed meanwhile
    const url = new URL(this.#opts.url);
    url.searchParams.set('cursor', this.#cursor ?? 'new');
    if (this.#opts.device !== undefined) url.searchParams.set('device', this.#opts.device);
    if (this.#opts.lastSeen !== undefined) url.searchParams.set('last_seen', this.#opts.lastSeen);
    url.searchParams.set('access_token', token);
    let ws;
    try {
      ws = new this.#WebSocket(url.toString());
    } catch (e) {
      this.#emitError(codedError('connection_failed', `could not open ${this.#opts.url}: ${e?.message ?? e}`, { cause: e }));
      this.#conn = null;
      this.#scheduleReconnect(this.#nextBackoff());
      return;
    }
    conn.ws = ws;
    // Under `ws` a refused upgrade shows its HTTP status and body; a browser only ever sees 1006.
    if (typeof ws.on === 'function') {
      ws.on('unexpected-response', (req, res) => this.#onRefused(conn, req, res));
    }
    ws.addEventListener('message', (ev) => this.#onText(conn, ev.data));
    ws.addEventListener('close', (ev) => this.#onClose(conn, ev.code, ev.reason));
    ws.addEventListener('error', () => {
      // Always followed by 'close', which decides what to do.
    });
  }

  #onRefused(conn, req, res) {
    let body = '';
    res.setEncoding?.('utf8');
    res.on('data', (chunk) => {
      body += chunk;
    });
    const done = () => {
      let code = `http_${res.statusCode}`;
      let message = `the gateway refused the connection with HTTP ${res.statusCode}`;
      try {
        const parsed = JSON.parse(body);
        if (typeof parsed.code === 'string') code = parsed.code;
        if (typeof parsed.message === 'string') message = parsed.message;
      } catch {
        // not JSON: keep the status
      }
      conn.refusal = { status: res.statusCode, code, message };
      // In CONNECTING state terminate() aborts the handshake and emits 'close' (1006), where the refusal is handled.
      conn.ws.terminate();
    };
    res.on('end', done);
    res.on('error', done);
  }

  #onClose(conn, code, reason) {
    if (this.#conn !== conn) {
      return; // closed by close(), or a connection we already gave up on
    }
    this.#conn = null;
    const wasLive = conn.live;
    this.#connectionLost(conn);
    if (this.#closed) return;
    const refusal = conn.refusal;
    let delay;
    if (refusal) {
      this.#emitError(codedError(refusal.code, refusal.message, { status: refusal.status }));
      if (refusal.code === 'bad_cursor') {
        // The cursor is not one this cluster wrote: start over as a new device.
        this.#cursor = null;
        this.#reset('bad_cursor');
        delay = this.#smallJitter();
      } else {
        delay = this.#nextBackoff(); // 401 (token() is asked again), 503 draining, 400
      }
    } else {
      switch (code) {
        case CLOSE_GOING_AWAY:
        case CLOSE_RESTART:
          // The gateway is leaving; another one is there. Spread the herd a little, don't grow the backoff.
          delay = this.#smallJitter();
          break;
        case CLOSE_IDLE:
        case CLOSE_TOO_SLOW:
          delay = 0;
          break;
        case CLOSE_DISCONNECTED:
          // The app signed this device out: stay out until the app connects a new client.
          this.#emitError(codedError('disconnected_by_server', `the app's backend disconnected this client${reason ? `: ${reason}` : ''}`,
            { closeCode: code }));
          this.close();
          return;
        case CLOSE_TOKEN_REVOKED:
          // token() is asked again on reconnect; until it gives a token issued after the revocation, the gateway
          // refuses with 401 token_revoked and the backoff grows.
          this.#emitError(codedError('token_revoked', `the token was revoked${reason ? `: ${reason}` : ''}`, { closeCode: code }));
          delay = this.#nextBackoff();
          break;
        case CLOSE_TOO_BIG:
          this.#emitError(codedError('frame_too_big', `the gateway closed the connection: ${reason || 'message too big'}`,
            { closeCode: code }));
          delay = this.#nextBackoff();
          break;
        default:
          if (!wasLive || code !== CLOSE_NORMAL) {
            this.#emitError(codedError('connection_lost', `connection closed (${code}${reason ? ` ${reason}` : ''})`,
              { closeCode: code }));
          }
          delay = this.#nextBackoff();
      }
    }
    this.#scheduleReconnect(delay);
  }

  #scheduleReconnect(delay) {
    if (this.#closed) return;
    this.#setState('offline');
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => this.#open(), delay);
  }

  /** Full jitter: anywhere between 0 and the capped exponential. */
  #nextBackoff() {
    const cap = Math.min(this.#backoff.maxMs, this.#backoff.initialMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.floor(Math.random() * cap);
  }

  #smallJitter() {
    return Math.floor(Math.random() * this.#backoff.initialMs);
  }

  /** What was in flight on a dead connection: sends and receipts wait for the next one; group ops cannot know. */
  #connectionLost(conn) {
    for (const req of [...this.#pending.values()]) {
      if (req.connId !== conn.id) continue;
      req.connId = null;
      if (req.kind === 'send') {
        req.mayBeStored = true;
      } else if (req.kind === 'group') {
        // A group op carries no resend flag: sending it again could make a second group. Let the caller decide.
        this.#pending.delete(req.ref);
        req.reject(codedError('disconnected', `the connection dropped before the answer to ${req.frame.op} came; `
          + 'it may or may not have been applied'));
      }
    }
  }

  // ---- frames in -----------------------------------------------------------------------------------------------

  #onText(conn, data) {
    if (this.#conn !== conn) return;
    let f;
    try {
      f = JSON.parse(typeof data === 'string' ? data : String(data));
    } catch {
      this.#emitError(codedError('bad_frame', 'the gateway sent a frame that is not JSON'));
      return;
    }
    if (this.#opts._onFrame && this.#opts._onFrame(f, this) === false) {
      return; // a test dropped it
    }
    switch (f.op) {
      case 'welcome': return this.#onWelcome(conn, f);
      case 'msg': return this.#onDelivery(f, 'message');
      case 'event': return this.#onDelivery(f, 'event');
      case 'edit': return this.#onDelivery(f, 'edit');
      case 'delete': return this.#onDelivery(f, 'delete');
      case 'react': return this.#onDelivery(f, 'react');
      case 'block': return this.#onDelivery(f, 'block');
      case 'synced': return this.#onSynced(conn, f);
      case 'ack': return this.#onAck(f);
      case 'error': return this.#onErrorFrame(f);
      case 'receipt': return this.#emit('receipt', strip(f));
      case 'typing': return this.#emit('typing', strip(f));
      case 'presence': return this.#emit('presence', strip(f));
      default: // newer servers may add ops
    }
  }

  #onWelcome(conn, f) {
    conn.welcomed = true;
    this.#user = f.user;
    this.#typingSent.clear();
    this.#setState('catching_up');
    this.#emit('welcome', strip(f));
    // Presence subscriptions end with a connection: take them up again.
    if (this.#presence.size > 0) {
      this.#internal({ op: 'presence_subscribe', ref: newRef(), users: [...this.#presence] }, 'presence');
    }
    this.#pump();
  }

  #onSynced(conn, f) {
    if (f.reset) {
      this.#reset('topics_recreated');
    }
    this.#setCursor(f.cursor);
    conn.live = true;
    this.#attempt = 0;
    this.#setState('live');
  }

  #onDelivery(f, kind) {
    const item = strip(f);
    delete item.cursor;
    if (!this.#remember(f.id)) {
      // Seen already (for instance our own send, whose ack we have): skip it, but move past it.
    } else if (kind === 'message' && f.from === this.#user && this.#maybeOwnResend(f)) {
      this.#held.set(f.id, item);
    } else {
      this.#emit(kind, item);
    }
    if (f.cursor) this.#setCursor(f.cursor);
  }

  /**
   * A message of ours that came back in catch-up while a resend that may be it has no ack yet: if the ack turns out
   * to carry its id, it is the resend's original and must not be shown as a new message.
   */
  #maybeOwnResend(f) {
    for (const req of this.#pending.values()) {
      if (req.kind === 'send' && req.mayBeStored && req.frame.text === f.text
        && (req.frame.conv === f.conv || (req.frame.to !== undefined && dmConv(this.#user, req.frame.to) === f.conv))) {
        return true;
      }
    }
    return false;
  }

  #releaseHeld() {
    const still = new Set();
    for (const req of this.#pending.values()) {
      if (req.kind === 'send' && req.mayBeStored) still.add(req);
    }
    for (const [id, item] of this.#held) {
      const waiting = [...still].some((req) => req.frame.text === item.text);
      if (!waiting || this.#closed) {
        this.#held.delete(id);
        if (!this.#closed) this.#emit('message', item);
      }
    }
  }

  #onAck(f) {
    const req = this.#pending.get(f.ref);
    if (!req) return; // an answer to a request we gave up on
    this.#pending.delete(f.ref);
    clearTimeout(req.timer);
    const ack = strip(f);
    if (req.kind === 'send' || req.kind === 'group') {
      this.#remember(f.id); // it comes back in catch-up: not a new message
      if (this.#held.delete(f.id)) {
        // the held message was this very send
      }
      this.#releaseHeld();
    }
    this.#holdAttempt = 0;
    req.resolve(ack);
  }

  #onErrorFrame(f) {
    const req = typeof f.ref === 'string' ? this.#pending.get(f.ref) : undefined;
    const err = codedError(f.code, f.message ?? f.code, f.retry ? { retry: true } : {});
    if (!req) {
      this.#emitError(err);
      return;
    }
    const retryable = f.retry === true || RETRYABLE.has(f.code);
    // An `unavailable` group op may or may not have been applied, and it has no resend flag: the caller decides.
    if (retryable && !(req.kind === 'group' && f.code === 'unavailable')) {
      if (req.kind === 'send' && f.code === 'unavailable') req.mayBeStored = true;
      req.connId = null;
      this.#hold();
      return;
    }
    this.#pending.delete(f.ref);
    req.reject(err);
    if (req.kind === 'send') this.#releaseHeld();
  }

  // ---- frames out ----------------------------------------------------------------------------------------------

  #request(frame, kind) {
    if (this.#closed) {
      return Promise.reject(codedError('closed', 'the client is closed'));
    }
    return new Promise((resolve, reject) => {
      this.#pending.set(frame.ref, { ref: frame.ref, kind, frame, resolve, reject, connId: null, mayBeStored: false });
      this.#pump();
    });
  }

  /** A request of the client's own: failures are reported as 'error'. */
  #internal(frame, kind) {
    this.#pending.set(frame.ref, {
      ref: frame.ref, kind, frame, connId: null, mayBeStored: false,
      resolve: () => {}, reject: (e) => this.#emitError(e),
    });
  }

  /** Transmits, in order, every request not yet sent on this connection. */
  #pump() {
    const conn = this.#conn;
    if (!conn?.welcomed || this.#holdTimer !== null) return;
    for (const req of this.#pending.values()) {
      if (req.connId === conn.id) continue;
      req.connId = conn.id;
      const frame = req.mayBeStored ? { ...req.frame, resend: true } : req.frame;
      this.#write(conn, frame);
    }
  }

  /** Stops transmitting for a backoff after a retryable error, then sends what is waiting again, in order. */
  #hold() {
    if (this.#holdTimer !== null) return;
    const cap = Math.min(this.#backoff.maxMs, this.#backoff.initialMs * 2 ** Math.min(this.#holdAttempt, 30));
    this.#holdAttempt++;
    this.#holdTimer = setTimeout(() => {
      this.#holdTimer = null;
      this.#pump();
    }, Math.floor(cap / 2 + Math.random() * cap / 2));
  }

  #write(conn, frame) {
    try {
      conn.ws.send(JSON.stringify(frame));
    } catch (e) {
      // The socket is going away; its close event brings the request back to the outbox.
    }
  }

  // ---- state ---------------------------------------------------------------------------------------------------

  #setCursor(cursor) {
    if (typeof cursor !== 'string' || cursor === this.#cursor) return;
    this.#cursor = cursor;
    this.#emit('cursor', cursor);
  }

  #reset(reason) {
    this.#seen.clear();
    this.#held.clear();
    this.#emit('reset', { reason });
  }

  /** Adds an id to the bounded dedupe set; false if it was there already. */
  #remember(id) {
    if (typeof id !== 'string') return true;
    if (this.#seen.has(id)) {
      this.#seen.delete(id);
      this.#seen.set(id, true);
      return false;
    }
    this.#seen.set(id, true);
    if (this.#seen.size > this.#dedupeSize) {
      this.#seen.delete(this.#seen.keys().next().value);
    }
    return true;
  }

  #setState(state) {
    if (this.#state === state) return;
    this.#state = state;
    this.#emit('state', state);
  }

  #emitError(err) {
    this.#emit('error', err);
  }

  #emit(event, value) {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(value);
      } catch (e) {
        // A listener's bug must not break the connection's bookkeeping; surface it where uncaught errors go.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}

/**
 * The id of the one-to-one conversation of two users, as the gateway derives it:
 * `dm:` + base64url(a) + `.` + base64url(b), unpadded, a < b by code point.
 */
export function dmConv(a, b) {
  const [x, y] = compareCodePoints(a, b) < 0 ? [a, b] : [b, a];
  return `dm:${base64url(x)}.${base64url(y)}`;
}

function compareCodePoints(a, b) {
  const x = Array.from(a, (c) => c.codePointAt(0));
  const y = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

function base64url(s) {
  let bin = '';
  for (const byte of new TextEncoder().encode(s)) bin += String.fromCharCode(byte);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function newRef() {
  return globalThis.crypto.randomUUID();
}

function strip(frame) {
  const { op, ...rest } = frame;
  return rest;
}

function codedError(code, message, extra = {}) {
  const { cause, ...props } = extra;
  const err = cause !== undefined ? new Error(message, { cause }) : new Error(message);
  err.code = code;
  Object.assign(err, props);
  return err;
}
