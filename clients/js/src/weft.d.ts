// Hand-written types for weft.js; keep them in step with it.

/** A WebSocket class: the browser's, or the `ws` package's under Node. */
export type WebSocketClass = new (url: string) => any;

export interface WeftClientOptions {
  /** The gateway's WebSocket URL, e.g. `ws://localhost:8080/v1/ws`. */
  url: string;
  /** The JWT, or a function returning it; called before every connection attempt (so an expired one is replaced). */
  token: string | (() => string | Promise<string>);
  /** A stable name for this installation (1–64 characters, no whitespace). Default: the gateway's `default`. */
  device?: string;
  /** The cursor stored last, or null / 'new' for a device with nothing stored. */
  cursor?: string | null;
  /** The WebSocket implementation. Default: globalThis.WebSocket. Under Node: `import WebSocket from 'ws'`. */
  WebSocket?: WebSocketClass;
  /** Reconnect and retry backoff (full jitter). Default: { initialMs: 250, maxMs: 10000 }. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Whether others see when this device was last online (the `last_seen` query parameter). */
  lastSeen?: 'shown' | 'hidden';
  /** How many message ids the dedupe set remembers. Default 10000. */
  dedupeSize?: number;
  /**
   * Test hook, not API: sees every frame from the gateway before the client does; returning false drops it.
   * @internal
   */
  _onFrame?: (frame: Record<string, unknown>, client: WeftClient) => boolean | void;
}

export type WeftState = 'connecting' | 'catching_up' | 'live' | 'offline' | 'closed';

export interface WeftMessage {
  conv: string;
  seq: number;
  id: string;
  /** The sender; "" for a notice from the system (the app's backend, through the server API). */
  from: string;
  ts: number;
  /** May be "" when the message carries attachments, and is "" once deleted. */
  text: string;
  /** In history: a later entry replaced the text. */
  edited?: boolean;
  /** In history: deleted for everyone. */
  deleted?: boolean;
  /** In history: each reaction and who gave it. */
  reactions?: Record<string, string[]>;
  /** The id of the message this one replies to, as its sender named it (Weft does not check it exists). */
  reply_to?: string;
  attachments?: WeftAttachment[];
}

/** A reference to a file: Weft stores and forwards it, and never fetches it. */
export interface WeftAttachment {
  /** http or https, at most 2048 characters. */
  url: string;
  /** type/subtype, e.g. image/jpeg. */
  media_type: string;
  /** Bytes. */
  size: number;
  /** As the sender wrote it, e.g. sha256:<hex>; at most 200 characters. */
  hash: string;
  name?: string;
  width?: number;
  height?: number;
  /** base64 (standard, padded), at most WEFT_MAX_THUMBNAIL_BYTES (8 KiB) decoded. */
  thumbnail?: string;
}

/** What send() takes: `to` (a one-to-one conversation) or `conv`. */
export type WeftOutgoing = ({ to: string } | { conv: string }) & {
  /** Required unless there are attachments. */
  text?: string;
  /** The id of the message this one replies to. */
  replyTo?: string;
  /** At most WEFT_MAX_ATTACHMENTS (10). */
  attachments?: WeftAttachment[];
};

export interface WeftEvent {
  conv: string;
  seq: number;
  id: string;
  /** Who made the change; "" when the system did (the server API). */
  from: string;
  ts: number;
  event: 'created' | 'added' | 'removed' | 'left';
  users: string[];
  title?: string;
}

export interface WeftReceipt {
  conv: string;
  user: string;
  kind: 'delivered' | 'read';
  seq: number;
}

export interface WeftTyping {
  conv: string;
  user: string;
  state: 'started' | 'stopped';
  expires_in_ms: number;
}

export interface WeftPresence {
  user: string;
  online: boolean;
  last_seen?: number;
}

export interface WeftWelcome {
  user: string;
  device: string;
  gateway: string;
  session: string;
}

export interface WeftReset {
  /** 'topics_recreated': `synced` said reset; 'bad_cursor': the gateway refused the cursor. */
  reason: 'topics_recreated' | 'bad_cursor';
}

/** The ack of a send or a group op: the message or event is stored. */
export interface WeftAck {
  ref: string;
  conv: string;
  seq: number;
  id: string;
  ts: number;
}

export interface WeftReceiptAck {
  ref: string;
  conv: string;
  kind: 'delivered' | 'read';
  seq: number;
}

export interface WeftPresenceAck {
  ref: string;
}

/**
 * Errors carry the protocol's `code` (or a client code: closed, disconnected, connection_lost, ...). Two mean the
 * app's backend acted through the server API: `disconnected_by_server` (close 4010; the client is closed for good) and
 * `token_revoked` (close 4011, or a refused connection; `token()` must give a token issued after the revocation).
 */
export interface WeftError extends Error {
  code: string;
  /** The HTTP status of a refused connection (under Node only). */
  status?: number;
  /** The WebSocket close code of a lost connection. */
  closeCode?: number;
  retry?: boolean;
}

/** An edit, a delete or a reaction: an entry of the conversation's stream, acting on the message `target`. */
export interface WeftAction {
  conv: string;
  seq: number;
  /** The entry's own id. */
  id: string;
  from: string;
  ts: number;
  /** The id of the message acted on. */
  target: string;
}

export interface WeftEdit extends WeftAction {
  /** The target's new text. */
  text: string;
}

export interface WeftReaction extends WeftAction {
  /** The sender's reaction to the target, replacing an earlier one; null: removed. */
  emoji: string | null;
}

/** This user blocked (or unblocked) `user`, from another of their devices. */
export interface WeftBlock {
  conv: string;
  seq: number;
  id: string;
  user: string;
  blocked: boolean;
  ts: number;
}

export interface WeftEvents {
  message: WeftMessage;
  event: WeftEvent;
  edit: WeftEdit;
  delete: WeftAction;
  react: WeftReaction;
  block: WeftBlock;
  receipt: WeftReceipt;
  typing: WeftTyping;
  presence: WeftPresence;
  cursor: string;
  state: WeftState;
  error: WeftError;
  reset: WeftReset;
  welcome: WeftWelcome;
}

export class WeftClient {
  constructor(options: WeftClientOptions);

  /** The latest cursor; null until the first `synced` when started without one. */
  readonly cursor: string | null;
  readonly state: WeftState;
  /** The authenticated user, from the last `welcome`; null before it. */
  readonly user: string | null;

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof WeftEvents>(event: K, listener: (value: WeftEvents[K]) => void): () => void;
  off<K extends keyof WeftEvents>(event: K, listener: (value: WeftEvents[K]) => void): void;

  connect(): void;
  close(): void;

  send(message: WeftOutgoing): Promise<WeftAck>;
  receipt(conv: string, kind: 'delivered' | 'read', seq: number): Promise<WeftReceiptAck>;
  typing(conv: string, on: boolean): void;

  /** Replaces the text of one of this user's messages ('not_sender' for anyone else's). */
  edit(conv: string, id: string, text: string): Promise<WeftAck>;
  /** Deletes a message for everyone: this user's own, or any in a group they are an admin of. */
  deleteMessage(conv: string, id: string): Promise<WeftAck>;
  /** Sets this user's one reaction to a message; null removes it. */
  react(conv: string, id: string, emoji: string | null): Promise<WeftAck>;

  /** Blocks a user: no one-to-one messages either way, no group invitations from them ('blocked'). */
  block(user: string): Promise<WeftAck>;
  unblock(user: string): Promise<WeftAck>;

  createGroup(title: string, members?: string[]): Promise<WeftAck>;
  addMembers(conv: string, members: string[]): Promise<WeftAck>;
  removeMembers(conv: string, members: string[]): Promise<WeftAck>;
  leaveGroup(conv: string): Promise<WeftAck>;

  /** Renews the open socket's token before its exp (else the gateway closes it with 4001); no argument: options.token(). */
  refresh(token?: string): Promise<{ ref: string; exp: number }>;
  subscribePresence(users: string[]): Promise<WeftPresenceAck>;
  unsubscribePresence(users: string[]): Promise<WeftPresenceAck>;

  /** Test hook, not API: drops the connection as a network failure would. @internal */
  _dropConnection(): void;
}

/** The id of the one-to-one conversation of two users, as the gateway derives it. */
export function dmConv(a: string, b: string): string;
