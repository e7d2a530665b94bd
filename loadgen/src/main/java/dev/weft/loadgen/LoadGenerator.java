package dev.weft.loadgen;

import dev.weft.common.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pairs of real WebSocket clients: each sender writes to its receiver at a share of the rate; the
 * generator times send → ack and send → delivery (the text carries the send's key, and sender and
 * receiver live in this process, so one clock times both).
 */
public final class LoadGenerator {

  private final LoadConfig config;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  public LoadGenerator(LoadConfig config) {
    this.config = config;
  }

  public LoadReport run() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      return run(vertx);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private LoadReport run(Vertx vertx) throws Exception {
    Tokens tokens = new Tokens(config.jwt(), Clock.systemUTC());
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(Integer.MAX_VALUE));
    ConcurrentHashMap<String, Long> sentAt = new ConcurrentHashMap<>();
    List<Long> ackMicros = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Long> deliveryMicros = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicLong acked = new AtomicLong();
    AtomicLong delivered = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    String padding = "x".repeat(config.textBytes());

    WebSocket[] senders = new WebSocket[config.pairs()];
    List<String> receivers = new ArrayList<>();
    WebSocket[] receiverSockets = new WebSocket[config.pairs()];
    // Receivers connect as resuming clients do (cursor=new), keeping the last cursor they got.
    String[] cursors = new String[config.pairs()];
    List<Future<WebSocket>> connecting = new ArrayList<>();
    // A gateway greets once the session is stored, and routers deliver every later message to it live; a resuming
    // receiver's live traffic starts flowing at its synced.
    CountDownLatch welcomed = new CountDownLatch(2 * config.pairs());
    int g = config.gateways().size();
    for (int i = 0; i < config.pairs(); i++) {
      int pairIndex = i;
      String receiver = "load-" + run + "-r" + i;
      receivers.add(receiver);
      connecting.add(connect(client, receiverGateway(i), tokens.issue(receiver, Duration.ofHours(1)), "new")
          .onSuccess(ws -> {
            receiverSockets[pairIndex] = ws;
            ws.textMessageHandler(text -> {
              JsonObject f = new JsonObject(text);
              if ("synced".equals(f.getString("op"))) {
                // Live from here: until then the gateway holds this receiver's traffic behind its catch-up.
                welcomed.countDown();
                cursors[pairIndex] = f.getString("cursor");
              } else if ("msg".equals(f.getString("op"))) {
                cursors[pairIndex] = f.getString("cursor");
                String key = f.getString("text").substring(0, f.getString("text").indexOf('|'));
                Long t0 = sentAt.get(key);
                if (t0 != null) {
                  deliveryMicros.add((System.nanoTime() - t0) / 1000);
                }
                delivered.incrementAndGet();
              }
            });
          }));
    }
    for (int i = 0; i < config.pairs(); i++) {
      int pairIndex = i;
      String sender = "load-" + run + "-s" + i;
      connecting.add(connect(client, config.gateways().get(i % g), tokens.issue(sender, Duration.ofHours(1)), null)
          .onSuccess(ws -> {
            senders[pairIndex] = ws;
            ws.textMessageHandler(text -> {
              JsonObject f = new JsonObject(text);
              if ("welcome".equals(f.getString("op"))) {
                welcomed.countDown();
              } else if ("ack".equals(f.getString("op"))) {
                Long t0 = sentAt.get(f.getString("ref"));
                if (t0 != null) {
                  ackMicros.add((System.nanoTime() - t0) / 1000);
                }
                acked.incrementAndGet();
              } else if ("error".equals(f.getString("op"))) {
                errors.incrementAndGet();
              }
            });
          }));
    }
    Future.all(connecting).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    if (!welcomed.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(welcomed.getCount() + " connections got no welcome (senders) or synced (receivers) within 60 s");
    }

    AtomicLong sent = new AtomicLong();
    long total = (long) config.ratePerSecond() * config.seconds();
    long start = System.nanoTime();
    long timer = vertx.setPeriodic(10, id -> {
      long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * config.ratePerSecond()) + 1);
      while (sent.get() < due) {
        long n = sent.getAndIncrement();
        int pair = (int) (n % config.pairs());
        String key = "k" + n;
        sentAt.put(key, System.nanoTime());
        senders[pair].writeTextMessage(new JsonObject().put("op", "send").put("ref", key)
            .put("to", receivers.get(pair)).put("text", key + "|" + padding).encode());
      }
    });
    long deadline = start + TimeUnit.SECONDS.toNanos(config.seconds() + 15);
    while ((sent.get() < total || delivered.get() < total || acked.get() + errors.get() < total) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    vertx.cancelTimer(timer);
    LoadReport report = LoadReport.of(sent.get(), acked.get(), delivered.get(), errors.get(), seconds,
        toArray(ackMicros), toArray(deliveryMicros));
    if (config.catchUpMessages() == 0) {
      return report;
    }
    for (WebSocket ws : receiverSockets) {
      ws.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    long missedFrom = sent.get();
    long missedTo = missedFrom + config.catchUpMessages();
    long ackedBefore = acked.get() + errors.get();
    for (long n = missedFrom; n < missedTo; n++) {
      int pair = (int) (n % config.pairs());
      String key = "k" + n;
      senders[pair].writeTextMessage(new JsonObject().put("op", "send").put("ref", key)
          .put("to", receivers.get(pair)).put("text", key + "|" + padding).encode());
      if ((n - missedFrom) % 1000 == 999) {
        awaitAcks(acked, errors, ackedBefore + (n - missedFrom) - 500); // keep within the gateways' send rate
      }
    }
    awaitAcks(acked, errors, ackedBefore + config.catchUpMessages());
    return report.withCatchUp(catchUp(client, tokens, receivers, cursors, config.catchUpMessages()));
  }

  /** Reconnects every receiver with its cursor at once and times each until {@code synced}. */
  private LoadReport.CatchUp catchUp(WebSocketClient client, Tokens tokens, List<String> receivers, String[] cursors,
      long expected) throws Exception {
    AtomicLong caughtUp = new AtomicLong();
    long[] syncMicros = new long[receivers.size()];
    CountDownLatch synced = new CountDownLatch(receivers.size());
    long start = System.nanoTime();
    for (int i = 0; i < receivers.size(); i++) {
      int index = i;
      connect(client, receiverGateway(i), tokens.issue(receivers.get(i), Duration.ofHours(1)), cursors[i])
          .onSuccess(ws -> ws.textMessageHandler(text -> {
            JsonObject f = new JsonObject(text);
            if ("msg".equals(f.getString("op"))) {
              caughtUp.incrementAndGet();
            } else if ("synced".equals(f.getString("op"))) {
              syncMicros[index] = (System.nanoTime() - start) / 1000;
              synced.countDown();
            }
          }))
          .onFailure(e -> synced.countDown());
    }
    if (!synced.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException(synced.getCount() + " receivers not caught up within 120 s");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Arrays.sort(syncMicros);
    return new LoadReport.CatchUp(expected, caughtUp.get(), seconds, syncMicros);
  }

  private static void awaitAcks(AtomicLong acked, AtomicLong errors, long count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (acked.get() + errors.get() < count && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  private String receiverGateway(int pair) {
    return config.gateways().get((pair + 1) % config.gateways().size());
  }

  private static long[] toArray(List<Long> values) {
    synchronized (values) {
      return values.stream().mapToLong(Long::longValue).toArray();
    }
  }

  private static Future<WebSocket> connect(WebSocketClient client, String hostPort, String token, String cursor) {
    int colon = hostPort.lastIndexOf(':');
    String uri = "/v1/ws?device=load" + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
    return client.connect(new WebSocketConnectOptions().setHost(hostPort.substring(0, colon))
        .setPort(Integer.parseInt(hostPort.substring(colon + 1))).setURI(uri)
        .addHeader("Authorization", "Bearer " + token));
  }
}
