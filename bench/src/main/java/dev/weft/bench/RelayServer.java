package dev.weft.bench;

import dev.weft.common.FreePorts;
import dev.weft.common.Tokens;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline: an in-memory relay on Weft's stack (Java, Vert.x, the same token check) and just enough of its
 * protocol for the bench: {@code welcome} on connect, and for each {@code send} a {@code msg} written straight to the
 * recipient's socket and an {@code ack} to the sender. No Kafka, no database, nothing stored: what this machine and
 * this JVM can do at all, so every Weft figure can be read as a ratio to it.
 *
 * <p>One verticle per event loop, all on one port (Vert.x spreads the connections over them), as the gateway runs.
 * A recipient's socket is written from the sender's event loop; Vert.x hands the write to the recipient's.
 */
public final class RelayServer implements AutoCloseable {

  private final Vertx vertx;
  private final int port;

  private RelayServer(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
  }

  /** Starts on {@code port} (0: a free one) with one verticle per event loop; returns once it listens. */
  public static RelayServer start(int port, Tokens tokens, int eventLoops) {
    int actual = port == 0 ? FreePorts.pick() : port;
    Vertx vertx = Vertx.vertx();
    Map<String, ServerWebSocket> online = new ConcurrentHashMap<>();
    AtomicLong ids = new AtomicLong();
    try {
      vertx.deployVerticle(() -> new Relay(actual, tokens, online, ids), new DeploymentOptions().setInstances(eventLoops))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("The relay could not listen on port " + actual, e);
    }
    return new RelayServer(vertx, actual);
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Stopping anyway; nothing of the relay outlives its JVM.
    }
  }

  private static final class Relay extends VerticleBase {
    private final int port;
    private final Tokens tokens;
    private final Map<String, ServerWebSocket> online;
    private final AtomicLong ids;

    Relay(int port, Tokens tokens, Map<String, ServerWebSocket> online, AtomicLong ids) {
      this.port = port;
      this.tokens = tokens;
      this.online = online;
      this.ids = ids;
    }

    @Override
    public Future<?> start() {
      return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
          .webSocketHandler(this::accept).listen(port);
    }

    private void accept(ServerWebSocket ws) {
      String header = ws.headers().get("Authorization");
      String token = header != null && header.startsWith("Bearer ") ? header.substring(7)
          : ws.query() == null ? null : queryParam(ws.query(), "access_token");
      Tokens.Verified v = tokens.verify(token);
      if (!v.ok()) {
        ws.close((short) 4001, v.code());
        return;
      }
      String user = v.user();
      online.put(user, ws);
      ws.closeHandler(x -> online.remove(user, ws));
      ws.textMessageHandler(text -> onFrame(user, ws, new JsonObject(text)));
      ws.writeTextMessage(new JsonObject().put("op", "welcome").put("user", user).put("device", "bench")
          .put("gateway", "relay").put("session", UUID.randomUUID().toString()).encode());
    }

    private void onFrame(String user, ServerWebSocket ws, JsonObject f) {
      if (!"send".equals(f.getString("op"))) {
        ws.writeTextMessage(new JsonObject().put("op", "error").put("ref", f.getString("ref"))
            .put("code", "unknown_op").put("message", "the relay knows only send").encode());
        return;
      }
      long seq = ids.incrementAndGet();
      long ts = System.currentTimeMillis();
      ServerWebSocket to = online.get(f.getString("to"));
      if (to != null) {
        to.writeTextMessage(new JsonObject().put("op", "msg").put("conv", "relay").put("seq", seq)
            .put("id", "r" + seq).put("from", user).put("ts", ts).put("text", f.getString("text")).encode());
      }
      ws.writeTextMessage(new JsonObject().put("op", "ack").put("ref", f.getString("ref")).put("conv", "relay")
          .put("seq", seq).put("id", "r" + seq).put("ts", ts).encode());
    }

    private static String queryParam(String query, String name) {
      for (String kv : query.split("&")) {
        if (kv.startsWith(name + "=")) {
          return java.net.URLDecoder.decode(kv.substring(name.length() + 1), java.nio.charset.StandardCharsets.UTF_8);
        }
      }
      return null;
    }
  }
}
