package dev.weft.gateway.ws;

import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
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
  private final int writeQueueMaxBytes;
  private boolean open = true;
  private boolean retired;
  private long lastSeenNanos = System.nanoTime();
  long pingTimer = -1;
  /**
   * The last send still being decided (a resend waits for a history check). Every later send queues
   * behind it, so the client's sends reach Kafka in the order it made them. Event loop only.
   */
  io.vertx.core.Future<Void> sendOrder = io.vertx.core.Future.succeededFuture();
  /** Retracts the session; set by the endpoint. */
  Runnable onDrop = () -> { };

  Connection(String session, String user, String device, ServerWebSocket socket, Context context,
      SendRateLimiter limiter, int writeQueueMaxBytes) {
    this.session = session;
    this.user = user;
    this.device = device;
    this.socket = socket;
    this.context = context;
    this.limiter = limiter;
    this.writeQueueMaxBytes = writeQueueMaxBytes;
    socket.setWriteQueueMaxSize(writeQueueMaxBytes);
  }

  /** Sends a frame from any thread. */
  void push(String frame) {
    context.runOnContext(v -> write(frame));
  }

  /** Sends a frame; call on {@link #context} only. */
  void write(String frame) {
    if (!open || socket.isClosed()) {
      return;
    }
    if (socket.writeQueueFull()) {
      // A reader that falls this far behind would make the gateway buffer without bound; it
      // reconnects and reads what it missed from history instead.
      open = false;
      LoggerFactory.getLogger(Connection.class).info("closing the socket of {}/{}: over {} bytes queued for it",
          user, device, writeQueueMaxBytes);
      // The close frame queues behind everything else, so retract now rather than when the close completes.
      onDrop.run();
      socket.close(CLOSE_TOO_SLOW, "too slow: outbound queue over " + writeQueueMaxBytes + " bytes");
      return;
    }
    socket.writeTextMessage(frame);
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
