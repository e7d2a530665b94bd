package dev.weft.it;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real WebSocket client (the JDK's) that queues every frame it receives, for tests. */
final class WsClient implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final WebSocket socket;
  private final BlockingQueue<JsonObject> queue;
  private final CompletableFuture<Integer> closed;
  /** System.nanoTime() when the server's close arrived; 0 while open. */
  java.util.concurrent.atomic.AtomicLong closedAt = new java.util.concurrent.atomic.AtomicLong();

  private WsClient(WebSocket socket, BlockingQueue<JsonObject> queue, CompletableFuture<Integer> closed) {
    this.socket = socket;
    this.queue = queue;
    this.closed = closed;
  }

  static URI uri(int port, String query) {
    return URI.create("ws://127.0.0.1:" + port + "/v1/ws" + (query == null ? "" : "?" + query));
  }

  /** Connects with the token in the Authorization header and waits for the welcome frame. */
  static WsClient connect(int port, String token, String device) {
    WsClient c = open(uri(port, device == null ? null : "device=" + device), token);
    JsonObject welcome = c.next();
    if (!"welcome".equals(welcome.getString("op"))) {
      throw new AssertionError("expected welcome, got " + welcome);
    }
    return c;
  }

  /**
   * Connects with a resume cursor ({@code "new"} for a device with nothing) and waits for the welcome; what follows
   * is catch-up, then {@code synced}, then live traffic.
   */
  static WsClient resume(int port, String token, String device, String cursor) {
    String query = "cursor=" + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8)
        + (device == null ? "" : "&device=" + device);
    WsClient c = open(uri(port, query), token);
    JsonObject welcome = c.next();
    if (!"welcome".equals(welcome.getString("op"))) {
      throw new AssertionError("expected welcome, got " + welcome);
    }
    return c;
  }

  /** Opens a socket without waiting for anything; throws the handshake failure (e.g. HTTP 401) as is. */
  static WsClient open(URI uri, String token) {
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicLong closedAt = new java.util.concurrent.atomic.AtomicLong();
    BlockingQueue<JsonObject> queue = new LinkedBlockingQueue<>();
    WebSocket.Listener listener = new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          queue.add(new JsonObject(partial.toString()));
          partial.setLength(0);
        }
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closedAt.compareAndSet(0, System.nanoTime());
        closed.complete(statusCode);
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        closed.complete(-1);
      }
    };
    WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    WebSocket ws;
    try {
      ws = b.buildAsync(uri, listener).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
    WsClient c = new WsClient(ws, queue, closed);
    c.closedAt = closedAt;
    return c;
  }

  /** HTTP status of a refused upgrade, or -1 if the upgrade succeeded. */
  static int handshakeStatus(URI uri, String token) {
    try (WsClient c = open(uri, token)) {
      return -1;
    } catch (RuntimeException e) {
      Throwable t = e;
      while (t != null) {
        if (t instanceof WebSocketHandshakeException h) {
          return h.getResponse().statusCode();
        }
        t = t.getCause();
      }
      throw e;
    }
  }

  /** Sends one message as several frames (continuations): {@code parts} joined are the message. */
  void sendFragmented(List<String> parts) {
    for (int i = 0; i < parts.size(); i++) {
      socket.sendText(parts.get(i), i == parts.size() - 1).join();
    }
  }

  void send(String text) {
    socket.sendText(text, true).join();
  }

  void send(JsonObject frame) {
    send(frame.encode());
  }

  void sendBinary(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  JsonObject next() {
    return next(Duration.ofSeconds(10));
  }

  JsonObject next(Duration timeout) {
    return poll(queue, timeout);
  }

  /** The next frame a test client queued, or an AssertionError at the timeout. */
  static JsonObject poll(BlockingQueue<JsonObject> queue, Duration timeout) {
    try {
      JsonObject f = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (f == null) {
        throw new AssertionError("no frame within " + timeout);
      }
      return f;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Skips frames until one matches. */
  JsonObject await(Predicate<JsonObject> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching frame within " + timeout);
      }
      JsonObject f = next(Duration.ofNanos(left));
      if (match.test(f)) {
        return f;
      }
    }
  }

  /** Sends a frame with a {@code ref} and returns its answer, which must be an {@code ack}. */
  JsonObject acked(JsonObject frame, Duration timeout) {
    send(frame);
    String ref = frame.getString("ref");
    JsonObject answer = await(f -> ref.equals(f.getString("ref")), timeout);
    if (!"ack".equals(answer.getString("op"))) {
      throw new AssertionError("expected an ack for " + frame.encode() + ", got " + answer.encode());
    }
    return answer;
  }

  /** Collects frames until {@code count} matched, or fails at the deadline. */
  List<JsonObject> collect(Predicate<JsonObject> match, int count, Duration timeout) {
    List<JsonObject> out = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (out.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("only " + out.size() + " of " + count + " frames within " + timeout);
      }
      JsonObject f = next(Duration.ofNanos(left));
      if (match.test(f)) {
        out.add(f);
      }
    }
    return out;
  }

  /** Frames received so far and not yet read. */
  List<JsonObject> drain() {
    List<JsonObject> out = new ArrayList<>();
    queue.drainTo(out);
    return out;
  }

  /** The close code the server sent, waiting up to the timeout. */
  int closeCode(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("socket not closed within " + timeout);
    }
  }

  boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
    socket.abort();
  }
}
