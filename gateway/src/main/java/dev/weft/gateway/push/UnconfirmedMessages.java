package dev.weft.gateway.push;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live messages one socket was written and its client has not confirmed yet, a conversation at a time (its latest
 * message). A client confirms by answering a ping: WebSocket frames arrive in order, so a pong to a ping written after
 * a message says the message arrived. Each ping carries its number, and the pong echoes it (RFC 6455), so a pong
 * confirms exactly what was written before its ping. A phone asleep in a pocket answers nothing: what it was written
 * stays unconfirmed, and becomes a push notice after {@code WEFT_PUSH_UNDELIVERED_MS}, or when its socket closes.
 *
 * <p>One socket's event loop only.
 */
public final class UnconfirmedMessages {

  /** What a notice needs of a message; the same for every recipient of a delivery. */
  public record Message(String conv, String id, long seq, String from, long ts, String preview) {}

  private record Entry(Message latest, long afterPings, long firstWrittenNanos) {}

  /** Most conversations tracked at once; past it, the oldest is noticed at once rather than forgotten. */
  static final int MAX_CONVERSATIONS = 256;

  /** Told of each message that stays unconfirmed. */
  private final java.util.function.Consumer<Message> notice;
  private final Map<String, Entry> byConv = new LinkedHashMap<>();
  private long pingsSent;
  private boolean pingOut;

  public UnconfirmedMessages(java.util.function.Consumer<Message> notice) {
    this.notice = notice;
  }

  /** The message was written to the socket. True when a ping should follow it now (none is out to confirm it). */
  public boolean written(Message m, long nowNanos) {
    Entry old = byConv.remove(m.conv());
    byConv.put(m.conv(), new Entry(m, pingsSent, old == null ? nowNanos : old.firstWrittenNanos()));
    if (byConv.size() > MAX_CONVERSATIONS) {
      Iterator<Entry> eldest = byConv.values().iterator();
      notice.accept(eldest.next().latest());
      eldest.remove();
    }
    return !pingOut;
  }

  /** The payload of the next ping: its number. */
  public Buffer nextPing() {
    pingOut = true;
    return Buffer.buffer(8).appendLong(++pingsSent);
  }

  /**
   * A pong: confirms what was written before the ping it answers. True when messages written after that ping wait
   * for confirmation, so another ping should go now. A pong that is not one of ours confirms nothing.
   */
  public boolean pong(Buffer payload) {
    if (payload == null || payload.length() != 8) {
      return false;
    }
    long answered = payload.getLong(0);
    if (answered < 1 || answered > pingsSent) {
      return false;
    }
    byConv.values().removeIf(e -> e.afterPings() < answered);
    pingOut = answered < pingsSent; // a later ping is still out
    return !pingOut && !byConv.isEmpty();
  }

  /**
   * The client sent a receipt (delivered or read) for {@code conv} up to {@code seq}: it has the messages up to there.
   * A receipt for a conversation the socket is not in changes nothing: it is checked after, and tracks only what it
   * was written.
   */
  public void receipt(String conv, long seq) {
    Entry e = byConv.get(conv);
    if (e != null && e.latest().seq() <= seq) {
      byConv.remove(conv);
    }
  }

  /** Notices what stayed unconfirmed for {@code ageNanos} or more; returns how long until the next may be due. */
  public long noticeOlderThan(long ageNanos, long nowNanos) {
    long next = -1;
    for (Iterator<Entry> it = byConv.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      long age = nowNanos - e.firstWrittenNanos();
      if (age >= ageNanos) {
        notice.accept(e.latest());
        it.remove();
      } else if (next < 0 || ageNanos - age < next) {
        next = ageNanos - age;
      }
    }
    return next;
  }

  /** The socket closed: whatever it was not confirmed to have is noticed. */
  public void closed() {
    List<Entry> left = new ArrayList<>(byConv.values());
    byConv.clear();
    left.forEach(e -> notice.accept(e.latest()));
  }

  /** True when messages wait for a ping that is not sent yet. */
  public boolean needsPing() {
    return !pingOut && !byConv.isEmpty();
  }

  public boolean isEmpty() {
    return byConv.isEmpty();
  }

}
