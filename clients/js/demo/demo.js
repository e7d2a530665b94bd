// The demo chat: every protocol detail is the client library's job; this file only renders.
import { WeftClient } from '../src/weft.js';

const $ = (id) => document.getElementById(id);
const state = { user: null, token: null, client: null, current: null, convs: new Map() };

function b64url(s) {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  bytes.forEach((b) => { bin += String.fromCharCode(b); });
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64url(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** One-to-one ids are derived from both names (docs/protocol.md, "Conversations"). */
function directId(a, b) {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  return `dm:${b64url(lo)}.${b64url(hi)}`;
}

function titleOf(conv) {
  const c = state.convs.get(conv);
  if (c && c.title) return c.title;
  if (conv.startsWith('dm:')) {
    const [a, b] = conv.slice(3).split('.').map(fromB64url);
    return a === state.user ? b : a;
  }
  return 'group';
}

function conv(id) {
  if (!state.convs.has(id)) {
    state.convs.set(id, { id, title: null, items: new Map(), unread: 0, read: new Map(), typing: new Map() });
  }
  return state.convs.get(id);
}

async function api(path) {
  const r = await fetch(path, { headers: { Authorization: `Bearer ${state.token}` } });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}

async function mintToken() {
  const r = await fetch(`/dev/token?user=${encodeURIComponent(state.user)}`);
  if (!r.ok) throw new Error(`no token for ${state.user}: ${r.status}`);
  state.token = (await r.json()).token;
  return state.token;
}

const ACTIONS = new Set(['edit', 'delete', 'react']);

/** A live edit, delete or reaction, applied to the message it names (history pages come with it applied). */
function applyAction(c, a) {
  const m = c.items.get(a.target);
  if (!m) return;
  if (a.op === 'edit') {
    m.text = a.text;
    m.edited = true;
  } else if (a.op === 'delete') {
    m.text = '';
    m.deleted = true;
    m.reactions = {};
  } else {
    const reactions = m.reactions ?? {};
    for (const [emoji, users] of Object.entries(reactions)) {
      reactions[emoji] = users.filter((u) => u !== a.from);
      if (!reactions[emoji].length) delete reactions[emoji];
    }
    if (a.emoji) reactions[a.emoji] = [...(reactions[a.emoji] ?? []), a.from];
    m.reactions = reactions;
  }
}

function add(item) {
  const c = conv(item.conv);
  if (c.items.has(item.id)) return;
  c.items.set(item.id, item);
  if (ACTIONS.has(item.op)) {
    applyAction(c, item);
    if (state.current === item.conv) render();
    return;
  }
  if (item.op === 'event' && item.event === 'created' && item.title) c.title = item.title;
  if (state.current === item.conv) {
    render();
    markRead(c);
  } else if (item.from !== state.user && item.op !== 'event') {
    c.unread += 1;
    renderList();
  }
}

function markRead(c) {
  const seqs = [...c.items.values()].filter((m) => m.from !== state.user).map((m) => m.seq);
  if (seqs.length) state.client.receipt(c.id, 'read', Math.max(...seqs)).catch(() => {});
}

function renderList() {
  const ul = $('conversations');
  ul.replaceChildren(...[...state.convs.values()].map((c) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = titleOf(c.id);
    b.setAttribute('aria-current', String(state.current === c.id));
    if (c.unread > 0) {
      const badge = document.createElement('span');
      badge.className = 'unread';
      badge.textContent = String(c.unread);
      badge.setAttribute('aria-label', `${c.unread} unread`);
      b.append(' ', badge);
    }
    b.addEventListener('click', () => open(c.id));
    li.append(b);
    return li;
  }));
}

function render() {
  renderList();
  const c = state.current && conv(state.current);
  if (!c) return;
  $('chat-title').textContent = titleOf(c.id);
  const readUpTo = Math.max(-1, ...[...c.read.entries()].filter(([u]) => u !== state.user).map(([, s]) => s));
  const items = [...c.items.values()].filter((m) => !ACTIONS.has(m.op)).sort((x, y) => x.seq - y.seq);
  $('messages').replaceChildren(...items.map((m) => {
    const li = document.createElement('li');
    if (m.op === 'event') {
      li.className = 'event';
      li.textContent = m.event === 'created' ? `${m.from} created "${m.title}"`
        : m.event === 'left' ? `${m.from} left` : `${m.from} ${m.event} ${m.users.join(', ')}`;
      return li;
    }
    if (m.from === '') {
      li.className = 'event notice'; // from the app's backend (the server API)
      li.textContent = m.text;
      return li;
    }
    li.className = m.from === state.user ? 'mine' : 'theirs';
    li.dataset.id = m.id;
    if (m.reply_to) {
      const quoted = c.items.get(m.reply_to);
      const quote = document.createElement('blockquote');
      quote.className = 'quote';
      quote.textContent = quoted ? `${quoted.from}: ${quoted.text}` : 'a message not loaded here';
      li.append(quote);
    }
    if (m.deleted) {
      const gone = document.createElement('em');
      gone.textContent = 'This message was deleted';
      li.append(gone);
    } else {
      li.append(document.createTextNode(m.text));
    }
    for (const a of m.attachments ?? []) {
      const link = document.createElement('a');
      link.className = 'attachment';
      link.href = a.url;
      link.rel = 'noopener noreferrer';
      link.target = '_blank';
      link.textContent = `${a.name || a.url} (${a.media_type}, ${a.size} bytes)`;
      li.append(link);
    }
    const meta = document.createElement('span');
    meta.className = 'meta';
    const read = m.from === state.user && m.seq <= readUpTo;
    meta.textContent = `${m.from} · ${new Date(m.ts).toLocaleTimeString()}${m.edited && !m.deleted ? ' · edited' : ''}${read ? ' · read' : ''}`;
    if (read) meta.classList.add('read');
    const reactions = Object.entries(m.reactions ?? {});
    if (reactions.length) {
      const r = document.createElement('span');
      r.className = 'reactions';
      r.textContent = reactions.map(([emoji, users]) => `${emoji} ${users.length}`).join('  ');
      li.append(r);
    }
    const reply = document.createElement('button');
    reply.type = 'button';
    reply.className = 'reply';
    reply.textContent = 'Reply';
    reply.setAttribute('aria-label', `Reply to ${m.from}`);
    reply.addEventListener('click', () => replyTo(m));
    li.append(meta);
    if (!m.deleted) {
      li.append(reply, button('👍', `React to ${m.from}'s message`, () => toggleThumb(c, m)));
      if (m.from === state.user) {
        li.append(button('Edit', 'Edit your message', () => editMessage(c, m)),
          button('Delete', 'Delete your message for everyone', () => deleteMessage(c, m)));
      }
    }
    return li;
  }));
  $('messages').lastElementChild?.scrollIntoView({ block: 'end' });
  const typists = [...c.typing.keys()];
  $('typing').textContent = typists.length ? `${typists.join(', ')} ${typists.length > 1 ? 'are' : 'is'} typing…` : '';
}

function button(label, ariaLabel, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'reply';
  b.textContent = label;
  b.setAttribute('aria-label', ariaLabel);
  b.addEventListener('click', onClick);
  return b;
}

/** Sends an action; the sending socket gets the ack and not the entry, so it is applied here once acked. */
async function act(c, op, fields, request) {
  try {
    const ack = await request;
    add({ op, conv: c.id, id: ack.id, seq: ack.seq, ts: ack.ts, from: state.user, ...fields });
  } catch (e) {
    $('status').textContent = `not done: ${e.code || e.message}`;
  }
}

function toggleThumb(c, m) {
  const emoji = (m.reactions?.['👍'] ?? []).includes(state.user) ? null : '👍';
  act(c, 'react', { target: m.id, emoji }, state.client.react(c.id, m.id, emoji));
}

function editMessage(c, m) {
  const text = window.prompt('Edit your message', m.text);
  if (text && text !== m.text) act(c, 'edit', { target: m.id, text }, state.client.edit(c.id, m.id, text));
}

function deleteMessage(c, m) {
  if (window.confirm('Delete this message for everyone?')) {
    act(c, 'delete', { target: m.id }, state.client.deleteMessage(c.id, m.id));
  }
}

/** The message the next send answers, shown above the composer until sent or cancelled. */
function replyTo(m) {
  state.replyTo = m;
  $('replying-text').textContent = `Replying to ${m.from}: ${m.text}`;
  $('replying').hidden = !m;
  $('text').focus();
}

function cancelReply() {
  state.replyTo = null;
  $('replying').hidden = true;
}

async function open(id) {
  cancelReply();
  state.current = id;
  const c = conv(id);
  c.unread = 0;
  $('composer').hidden = false;
  try {
    const page = await api(`/v1/conversations/${encodeURIComponent(id)}/messages?after=-1&limit=200`);
    page.messages.forEach((m) => c.items.set(m.id, m));
    (page.receipts || []).forEach((r) => c.read.set(r.user, Math.max(c.read.get(r.user) ?? -1, r.read)));
  } catch (e) {
    // a brand-new conversation has no history yet (403 until its first message)
  }
  render();
  markRead(c);
  $('text').focus();
}

function start() {
  const cursorKey = `weft.cursor.${state.user}`;
  let device = sessionStorage.getItem('weft.device');
  if (!device) {
    device = `web-${Math.random().toString(36).slice(2, 8)}`;
    sessionStorage.setItem('weft.device', device);
  }
  const client = new WeftClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/ws`,
    token: mintToken,
    device,
    cursor: sessionStorage.getItem(cursorKey) || 'new',
  });
  state.client = client;
  client.on('state', (s) => { $('status').textContent = `${state.user}: ${s.replace('_', ' ')}`; });
  client.on('cursor', (c) => sessionStorage.setItem(cursorKey, c));
  client.on('message', (m) => add({ op: 'msg', ...m }));
  client.on('event', (e) => add({ op: 'event', ...e }));
  for (const op of ACTIONS) client.on(op, (a) => add({ op, ...a }));
  client.on('receipt', (r) => {
    if (r.kind !== 'read') return;
    const c = conv(r.conv);
    c.read.set(r.user, Math.max(c.read.get(r.user) ?? -1, r.seq));
    if (state.current === r.conv) render();
  });
  client.on('typing', (t) => {
    const c = conv(t.conv);
    clearTimeout(c.typing.get(t.user));
    if (t.state === 'started') {
      c.typing.set(t.user, setTimeout(() => { c.typing.delete(t.user); render(); }, t.expires_in_ms));
    } else {
      c.typing.delete(t.user);
    }
    if (state.current === t.conv) render();
  });
  client.connect();
  api('/v1/conversations').then((list) => {
    list.conversations.forEach((x) => {
      const c = conv(x.conv);
      c.title = x.title || null;
      c.unread = x.unread;
    });
    renderList();
  }).catch(() => {});
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  state.user = $('user').value.trim();
  try {
    await mintToken();
  } catch (e) {
    $('status').textContent = e.message;
    return;
  }
  $('login').hidden = true;
  $('app').hidden = false;
  start();
});

$('new-chat').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const to = $('new-chat-to').value.trim();
  if (!to || to === state.user) return;
  $('new-chat-to').value = '';
  const id = directId(state.user, to);
  conv(id);
  open(id);
});

$('new-group').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const members = $('group-members').value.split(',').map((s) => s.trim()).filter(Boolean);
  try {
    const { conv: id } = await state.client.createGroup($('group-title').value.trim(), members);
    conv(id).title = $('group-title').value.trim();
    $('group-title').value = '';
    $('group-members').value = '';
    open(id);
  } catch (e) {
    $('status').textContent = `group not created: ${e.code || e.message}`;
  }
});

$('text').addEventListener('input', () => {
  if (state.current) state.client.typing(state.current, true);
});

$('composer').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const text = $('text').value;
  if (!text || !state.current) return;
  $('text').value = '';
  const id = state.current;
  const replying = state.replyTo?.id;
  cancelReply();
  state.client.typing(id, false);
  try {
    const ack = await state.client.send({ conv: id, text, ...(replying ? { replyTo: replying } : {}) });
    add({ op: 'msg', conv: ack.conv, seq: ack.seq, id: ack.id, from: state.user, ts: ack.ts, text,
      ...(replying ? { reply_to: replying } : {}) });
  } catch (e) {
    $('status').textContent = `not sent: ${e.code || e.message}`;
  }
});

$('cancel-reply').addEventListener('click', cancelReply);
