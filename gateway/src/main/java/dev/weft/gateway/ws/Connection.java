package dev.weft.gateway.ws;

import dev.weft.gateway.push.UnconfirmedMessages;
import io.vertx.core.Context;
import java.util.concurrent.TimeUnit;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayDeque;
import org.slf4j.LoggerFactory;

/**
 * One client's WebSocket on this gateway.
 *
 * <p>The socket belongs to one event loop ({@link #context}); anything arriving from another thread
 * (a Kafka consumer, a producer callback) hops onto it before touching the socket.
 */
final class Connection {

  /** Closed when the client cannot keep up with what it is sent. */
  static final short CLOSE_TOO_SLOW = 4008;

  final String session;
  final String user;
  final String device;
  final ServerWebSocket socket;
  final Context context;
  final SendRateLimiter limiter;
  /** The client address as the per-address limits count it; set once, before the socket is used. */
  String address;
  /** Typing frames have their own, smaller budget. */
  SendRateLimiter typingLimiter = new SendRateLimiter(2, 5, System::nanoTime);
  /** Users whose presence this socket follows. Event loop only. */
  private final java.util.Set<String> following = new java.util.HashSet<>();
  private final int writeQueueMaxBytes;
  private final QueuePeak peak;
  private final dev.weft.gateway.ops.GatewayMetrics metrics;
  /** Why the server ended the connection, for the metrics; "client" unless the gateway closed it. */
  String closeReason = "client";
  private boolean open = true;
  private boolean retired;
  private long lastSeenNanos = System.nanoTime();
  long pingTimer = -1;
  /** The timer that closes the socket when its token expires ({@link TokenLifetime}); event loop only. */
  long tokenTimer = -1;
  /** The iat of the token the socket connected with or last refreshed with (null: none), for revocations. Event loop only. */
  java.time.Instant issuedAt;
  /** The block state of the one-to-one conversations this connection wrote to. Set at open; event loop only. */
  BlockStates blocks;
  /** When the socket opened, for the server API's disconnects of sockets opened before a moment. */
  final long openedAtMs = System.currentTimeMillis();
  /**
   * The last send still being decided (a resend waits for a history check). Every later send queues
   * behind it, so the client's sends reach Kafka in the order it made them. Event loop only.
   */
  io.vertx.core.Future<Void> sendOrder = io.vertx.core.Future.succeededFuture();

  /**
   * The id each send answered {@code unavailable} on this connection was published under, by ref: a resend of it
   * whose history check finds nothing is published under the same id. Kafka may still commit the first write (it can
   * sit on the leader while a follower hangs, invisible to the check); with one id for both, the recipient's dedupe
   * by id absorbs the second and history stores it once. Bounded: the oldest are forgotten. Event loop only.
   */
  final java.util.Map<String, String> uncertainIds = dev.weft.common.BoundedMaps.evictingEldest(256, false);
  /**
   * The last presence subscribe still being decided (its access check may ask a persister); later presence frames
   * queue behind it, so subscribes and unsubscribes take effect in the order sent. Event loop only.
   */
  io.vertx.core.Future<Void> presenceOrder = io.vertx.core.Future.succeededFuture();
  /** Lookups and queued frames this connection has waiting; bounded by {@link PendingLookups}. Event loop only. */
  int pendingLookups;
  /** Retracts the session; set by the endpoint. */
  Runnable onDrop = () -> { };

  /** Characters written to the socket and not yet handed to the OS. Event loop only. */
  private long queued;
  private Runnable onDrained;

  /** Null for a connection opened without a cursor: it gets live messages only. Event loop only. */
  private Cursor cursor;
  /** While catching up, live traffic waits here, so it follows what history had. Event loop only. */
  private ArrayDeque<Held> held;
  private long heldChars;

  /** A live frame that arrived while catching up: a message (partition, seq) or a receipt (partition -1). */
  private record Held(int partition, long seq, String frame) {}

  Connection(String session, String user, String device, ServerWebSocket socket, Context context,
      SendRateLimiter limiter, int writeQueueMaxBytes, QueuePeak peak, dev.weft.gateway.ops.GatewayMetrics metrics) {
    this.peak = peak;
    this.metrics = metrics;
    this.session = session;
    this.user = user;
    this.device = device;
    this.socket = socket;
    this.context = context;
    this.limiter = limiter;
    this.writeQueueMaxBytes = writeQueueMaxBytes;
  }

  /** Makes this a resuming connection: live traffic is held until {@link #caughtUp()}. Before the welcome only. */
  void resumeFrom(Cursor from) {
    cursor = from;
    held = new ArrayDeque<>();
  }

  java.util.Set<String> following() {
    return following;
  }

  /**
   * Sends a frame that is only worth having now (typing, presence) from any thread: dropped while catching up or when
   * the socket is backed up, never held or queued against the bound.
   */
  void pushEphemeral(String frame) {
    context.runOnContext(v -> {
      if (held == null && hasRoom()) {
        write(frame);
      }
    });
  }

  Cursor cursor() {
    return cursor;
  }

  boolean catchingUp() {
    return held != null;
  }

  /** Sends a frame from any thread. */
  void push(String frame) {
    context.runOnContext(v -> {
      if (held != null) {
        hold(new Held(-1, -1, frame));
      } else {
        write(frame);
      }
    });
  }

  /**
   * Sends a live {@code msg} frame from any thread; on a resuming connection it carries the cursor. {@code message}
   * (null when the push hook is off) is tracked until the client confirms it.
   */
  void pushMessage(int partition, long seq, String frame, UnconfirmedMessages.Message message) {
    context.runOnContext(v -> {
      boolean written;
      if (cursor == null) {
        write(frame);
        written = true;
      } else if (held != null) {
        hold(new Held(partition, seq, frame));
        written = false;
      } else {
        written = writeMessage(partition, seq, frame);
      }
      if (written && message != null && unconfirmed != null && isOpen()) {
        track(message);
      }
    });
  }

  /** Writes a message unless the client already has it, with the cursor that follows it. Event loop only. */
  boolean writeMessage(int partition, long seq, String frame) {
    if (cursor.admit(partition, seq)) {
      write(Frames.withCursor(frame, cursor.encode()));
      return true;
    }
    return false;
  }

  /**
   * Tracks live messages until the client confirms them ({@link UnconfirmedMessages}); null: the push hook is off.
   * Set once, before the socket is used.
   */
  UnconfirmedMessages unconfirmed;
  /** Nanoseconds a message may stay unconfirmed before it is noticed; 0: only when the socket closes. */
  long undeliveredNanos;
  private long undeliveredTimer = -1;

  /** How long after a write the confirming ping goes: one ping confirms every message of that while. */
  long confirmDelayMs;
  private long confirmTimer = -1;

  private void track(UnconfirmedMessages.Message message) {
    if (unconfirmed.written(message, System.nanoTime())) {
      scheduleConfirmation();
    }
    if (undeliveredNanos > 0 && undeliveredTimer < 0) {
      armUndelivered(undeliveredNanos);
    }
  }

  /**
   * Sends a ping a little later, not at once: a busy socket then costs one ping per {@link #confirmDelayMs}, not one
   * per message.
   */
  private void scheduleConfirmation() {
    if (confirmTimer >= 0) {
      return;
    }
    confirmTimer = context.owner().setTimer(confirmDelayMs, id -> {
      confirmTimer = -1;
      if (isOpen() && unconfirmed.needsPing()) {
        socket.writePing(unconfirmed.nextPing());
      }
    });
  }

  private void armUndelivered(long inNanos) {
    undeliveredTimer = context.owner().setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(inNanos) + 1), id -> {
      undeliveredTimer = -1;
      if (!isOpen()) {
        return;
      }
      long next = unconfirmed.noticeOlderThan(undeliveredNanos, System.nanoTime());
      if (next > 0) {
        armUndelivered(next);
      }
    });
  }

  /** The payload of this socket's next ping: numbered when the push hook tracks what it confirms. */
  io.vertx.core.buffer.Buffer nextPing() {
    return unconfirmed == null ? io.vertx.core.buffer.Buffer.buffer() : unconfirmed.nextPing();
  }

  /** A pong came. Event loop only. */
  void pong(io.vertx.core.buffer.Buffer payload) {
    if (unconfirmed != null && unconfirmed.pong(payload) && isOpen()) {
      scheduleConfirmation(); // for what was written after the ping it answered
    }
  }

  /** The client sent a receipt for {@code conv} up to {@code seq}: it has those messages. Event loop only. */
  void confirmedByReceipt(String conv, long seq) {
    if (unconfirmed != null) {
      unconfirmed.receipt(conv, seq);
    }
  }

  /** The socket is gone: what it was not confirmed to have becomes push notices. Event loop only. */
  void noticeUnconfirmed() {
    if (undeliveredTimer >= 0) {
      context.owner().cancelTimer(undeliveredTimer);
      undeliveredTimer = -1;
    }
    if (confirmTimer >= 0) {
      context.owner().cancelTimer(confirmTimer);
      confirmTimer = -1;
    }
    if (unconfirmed != null) {
      unconfirmed.closed();
    }
  }

  private void hold(Held h) {
    if (!open) {
      return;
    }
    heldChars += h.frame.length();
    if (heldChars > writeQueueMaxBytes) {
      tooSlow("over " + writeQueueMaxBytes + " bytes of live traffic arrived while catching up");
      return;
    }
    held.add(h);
    peak.observe(queued + heldChars);
  }

  /**
   * Catch-up is over: sends what was held (minus what history already gave), as fast as the client reads, then goes
   * live. Whatever arrives meanwhile joins the end of the queue, so order holds. Event loop only.
   */
  void caughtUp() {
    while (!held.isEmpty()) {
      if (!isOpen()) {
        return;
      }
      if (!hasRoom()) {
        whenRoom(this::caughtUp);
        return;
      }
      Held h = held.poll();
      heldChars -= h.frame.length();
      if (h.partition < 0 && h.seq < 0) {
        write(h.frame);
      } else {
        writeMessage(h.partition, h.seq, h.frame);
      }
    }
    held = null;
  }

  /** Sends a frame; call on {@link #context} only. */
  void write(String frame) {
    if (!open || socket.isClosed()) {
      return;
    }
    int size = frame.length();
    if (queued > 0 && queued + size > writeQueueMaxBytes) {
      // A reader that falls this far behind would make the gateway buffer without bound; it
      // reconnects and catches up instead.
      tooSlow("over " + writeQueueMaxBytes + " bytes queued for it");
      return;
    }
    queued += size;
    peak.observe(queued + heldChars);
    count(frame);
    socket.writeTextMessage(frame).onComplete(r -> {
      queued -= size;
      if (onDrained != null && hasRoom()) {
        Runnable then = onDrained;
        onDrained = null;
        then.run();
      }
    });
  }

  /** Every frame the gateway writes starts {"op":"<op>" (Frames puts op first): counted without parsing JSON. */
  private void count(String frame) {
    int end = frame.indexOf('"', 7);
    if (!frame.startsWith("{\"op\":\"") || end < 0) {
      return;
    }
    String op = frame.substring(7, end);
    metrics.frameOut(op);
    if (op.equals("error")) {
      int at = frame.indexOf("\"code\":\"");
      int codeEnd = at < 0 ? -1 : frame.indexOf('"', at + 8);
      if (codeEnd > 0) {
        metrics.error(frame.substring(at + 8, codeEnd));
      }
    }
  }

  /** True while at most half the write bound is queued: catch-up writes only then, leaving room for acks. */
  boolean hasRoom() {
    return queued <= writeQueueMaxBytes / 2;
  }

  /** Runs {@code then} once the queue is back under half the bound (at once if it is). Event loop only. */
  void whenRoom(Runnable then) {
    if (hasRoom()) {
      then.run();
    } else {
      onDrained = then;
    }
  }

  boolean isOpen() {
    return open && !socket.isClosed();
  }

  private void tooSlow(String why) {
    open = false;
    closeReason = "too_slow";
    LoggerFactory.getLogger(Connection.class).info("closing the socket of {}/{}: {}", user, device, why);
    // The close frame queues behind everything else, so retract now rather than when the close completes.
    onDrop.run();
    socket.close(CLOSE_TOO_SLOW, "too slow: outbound queue over " + writeQueueMaxBytes + " bytes");
  }

  void markClosed() {
    open = false;
  }

  /** The client sent something (a frame or a pong). Event loop only. */
  void seen() {
    lastSeenNanos = System.nanoTime();
  }

  long silentMillis() {
    return (System.nanoTime() - lastSeenNanos) / 1_000_000;
  }

  /** True the first time only: the session is retracted once, whichever way the socket ends. */
  synchronized boolean retire() {
    if (retired) {
      return false;
    }
    retired = true;
    open = false;
    return true;
  }
}
