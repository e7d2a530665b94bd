package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.gateway.GatewayApplication;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Metrics, probes and graceful drain: what operators rely on. */
@WeftIntegrationTest
class OperabilityTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("every service serves Prometheus metrics and live/ready probes; Weft's meters count real traffic")
  void everyServiceServesMetricsAndProbes(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of());
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("o1-alice"), null);
        WsClient bob = WsClient.connect(fabric.port(1), fabric.token("o1-bob"), null)) {
      fabric.awaitRoutable(2);
      ResumeTest.sendAll(alice, "o1-bob", "m", 3);
      bob.collect(f -> "msg".equals(f.getString("op")), 3, WAIT);
      alice.send("not json");
      alice.await(f -> "error".equals(f.getString("op")), WAIT);

      // Metrics and the kubelet's probes are on each service's ops port; the gateway's public port keeps the probes
      // for load balancers that health-check it.
      int gateway = fabric.opsPort(1);
      int router = fabric.router.opsPort();
      int persister = fabric.persister.opsPort();
      for (int port : List.of(gateway, router, persister, fabric.port(1))) {
        assertEquals(200, get(port, "/health/live").statusCode());
        assertEquals(200, get(port, "/health/ready").statusCode(), "ready on " + port);
      }
      String g = get(gateway, "/metrics").body();
      for (String expected : List.of("weft_gateway_connections{", "weft_gateway_connections_opened_total{",
          "weft_gateway_frames_in_total{", "op=\"send\"", "weft_gateway_frames_out_total{", "weft_gateway_messages_published_total{",
          "weft_gateway_messages_delivered_total{", "weft_delivery_latency_seconds_bucket{", "weft_errors_total{",
          "code=\"bad_json\"", "weft_gateway_draining{", "jvm_memory_used_bytes{", "kafka_producer_", "kafka_consumer_",
          "vertx_")) {
        assertTrue(g.contains(expected), "gateway metrics hold " + expected);
      }
      assertTrue(g.contains("weft_gateway_messages_published_total{instance=") && g.matches("(?s).*weft_gateway_messages_published_total\\{[^}]*} 3\\.0.*"),
          "three messages published");
      String r = get(router, "/metrics").body();
      assertTrue(r.contains("weft_router_messages_routed_total{"), "router counts routed records");
      assertTrue(r.contains("kafka_consumer_fetch_manager_records_lag_max"), "router exposes consumer lag");
      String p = get(persister, "/metrics").body();
      for (String expected : List.of("weft_persister_messages_persisted_total{", "weft_persister_batch_size_count{",
          "weft_persister_write_seconds_bucket{", "kafka_consumer_fetch_manager_records_lag_max")) {
        assertTrue(p.contains(expected), "persister metrics hold " + expected);
      }
    }
  }

  @Test
  @DisplayName("a draining gateway stops being ready, refuses new sockets and moves its clients, spread out, with nothing lost")
  void drainingGatewayMovesItsClientsWithNothingLost(WeftInfra infra) throws Exception {
    Map<String, String> env = Map.of("WEFT_DRAIN_PERIOD_MS", "2000", "WEFT_DRAIN_DEADLINE_MS", "8000",
        "WEFT_SEND_RATE", "100000", "WEFT_SEND_BURST", "100000");
    int receivers = 8;
    try (Fabric fabric = Fabric.start(infra, 2, env);
        WsClient alice = WsClient.connect(fabric.port(2), fabric.token("o2-alice"), null)) {
      Map<String, WsClient> sockets = new LinkedHashMap<>();
      Map<String, String> cursors = new LinkedHashMap<>();
      for (int i = 0; i < receivers; i++) {
        String user = "o2-r" + i;
        WsClient c = WsClient.resume(fabric.port(1), fabric.token(user), null, "new");
        cursors.put(user, ResumeTest.untilSynced(c).cursor());
        sockets.put(user, c);
      }
      fabric.awaitRoutable(receivers + 1);

      // Alice writes to every receiver, steadily, through the other gateway, while the first one drains.
      AtomicBoolean sending = new AtomicBoolean(true);
      CompletableFuture<List<JsonObject>> acks = CompletableFuture.supplyAsync(() -> {
        List<JsonObject> out = new ArrayList<>();
        for (int n = 0; sending.get() || n < 40; n++) {
          String to = "o2-r" + (n % receivers);
          alice.send(new JsonObject().put("op", "send").put("ref", "a" + n).put("to", to).put("text", to + " " + n));
          out.add(alice.await(f -> "ack".equals(f.getString("op")), WAIT));
          sleep(10);
        }
        return out;
      });
      GatewayApplication draining = fabric.gateways.get(0);
      long drainStart = System.nanoTime();
      CompletableFuture<Void> drained = CompletableFuture.runAsync(draining::drainAndClose);
      assertTrue(waitFor(() -> status(fabric.port(1), "/health/ready") == 503), "not ready once draining");
      assertEquals(503, status(fabric.opsPort(1), "/health/ready"), "nor on the ops port, which the kubelet asks");
      assertEquals(503, WsClient.handshakeStatus(WsClient.uri(fabric.port(1), null), fabric.token("o2-late")),
          "a new socket is refused while draining");

      List<Long> closedAfterMs = new ArrayList<>();
      Map<String, List<JsonObject>> received = new LinkedHashMap<>();
      for (var e : sockets.entrySet()) {
        assertEquals(1012, e.getValue().closeCode(WAIT), "asked to reconnect elsewhere");
        closedAfterMs.add((e.getValue().closedAt.get() - drainStart) / 1_000_000);
        List<JsonObject> got = new ArrayList<>();
        for (JsonObject f : e.getValue().drain()) {
          if ("msg".equals(f.getString("op"))) {
            got.add(f);
            cursors.put(e.getKey(), f.getString("cursor"));
          }
        }
        received.put(e.getKey(), got);
      }
      drained.get();
      closedAfterMs.sort(Long::compare);
      assertTrue(closedAfterMs.get(closedAfterMs.size() - 1) - closedAfterMs.get(0) >= 500,
          "reconnects are spread over the drain period, not at once: " + closedAfterMs);

      List<WsClient> moved = new ArrayList<>();
      try {
        for (var e : cursors.entrySet()) {
          WsClient c = WsClient.resume(fabric.port(2), fabric.token(e.getKey()), null, e.getValue());
          moved.add(c);
          received.get(e.getKey()).addAll(ResumeTest.untilSynced(c).messages());
        }
        sending.set(false);
        List<JsonObject> all = acks.get();
        for (int i = 0; i < receivers; i++) {
          String user = "o2-r" + i;
          Set<String> expected = new HashSet<>();
          for (int n = i; n < all.size(); n += receivers) {
            expected.add(all.get(n).getString("id"));
          }
          List<JsonObject> got = received.get(user);
          WsClient c = moved.get(i);
          while (!ids(got).containsAll(expected)) {
            got.add(c.await(f -> "msg".equals(f.getString("op")), WAIT));
          }
          assertEquals(expected.size(), got.size(), user + " got each message once");
        }
      } finally {
        moved.forEach(WsClient::close);
      }
    }
  }

  private static Set<String> ids(List<JsonObject> frames) {
    Set<String> out = new HashSet<>();
    frames.forEach(f -> out.add(f.getString("id")));
    return out;
  }

  private static int status(int port, String path) {
    try {
      return get(port, path).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static boolean waitFor(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      sleep(20);
    }
    return false;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
