package dev.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConversationIds;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Routers and persisters stopped and restarted while alice writes to bob at a steady rate. */
@WeftIntegrationTest
class RestartMidStreamTest {

  private static final int N = 300;
  private static final String CONV = ConversationIds.direct("alice", "bob");

  /** Sends N messages from another thread at about 300 per second; returns the acks in order, running the hooks on the way. */
  private static List<JsonObject> stream(WsClient alice, Runnable at100, Runnable at200) throws Exception {
    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread sender = new Thread(() -> {
      try {
        for (int i = 0; i < N; i++) {
          alice.send(new JsonObject().put("op", "send").put("ref", "r" + i).put("to", "bob").put("text", "m" + i));
          Thread.sleep(3); // pacing the load generator, not waiting for a condition
        }
      } catch (Throwable t) {
        failed.set(t);
      }
    }, "alice-sender");
    sender.start();
    List<JsonObject> acks = new ArrayList<>();
    while (acks.size() < N) {
      JsonObject f = alice.next(Duration.ofSeconds(30));
      assertEquals("ack", f.getString("op"), f.encode());
      acks.add(f);
      if (acks.size() == 100) {
        at100.run();
      } else if (acks.size() == 200) {
        at200.run();
      }
    }
    sender.join();
    assertEquals(null, failed.get());
    return acks;
  }

  /** What a client does: dedupe by id, and check the order. */
  private static void assertReceivedOnceInOrder(WsClient bob, List<JsonObject> acks) {
    Map<String, JsonObject> unique = new LinkedHashMap<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (unique.size() < N && System.nanoTime() < deadline) {
      JsonObject f = bob.next(Duration.ofSeconds(30));
      if ("msg".equals(f.getString("op"))) {
        unique.putIfAbsent(f.getString("id"), f);
      }
    }
    List<String> ackedIds = acks.stream().map(a -> a.getString("id")).toList();
    assertEquals(ackedIds, new ArrayList<>(unique.keySet()), "every acked message reached bob, in the order sent");
    long last = -1;
    for (JsonObject m : unique.values()) {
      assertTrue(m.getLong("seq") > last);
      last = m.getLong("seq");
    }
  }

  @Test
  @DisplayName("router stopped and restarted mid-stream: every acked message reaches the other gateway, in order")
  void routerRestartLosesNothing(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 2, Map.of());
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("alice"), null);
        WsClient bob = WsClient.connect(fabric.port(2), fabric.token("bob"), null)) {
      fabric.awaitRoutable(2);
      List<JsonObject> acks = stream(alice, fabric::stopRouter, fabric::startRouter);
      assertReceivedOnceInOrder(bob, acks);
    }
  }

  @Test
  @DisplayName("persister stopped and restarted mid-stream: history ends up complete, one row per message")
  void persisterRestartLeavesCompleteHistory(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 2, Map.of());
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("alice"), null);
        WsClient bob = WsClient.connect(fabric.port(2), fabric.token("bob"), null)) {
      fabric.awaitRoutable(2);
      int port = fabric.persister.httpPort();
      List<JsonObject> acks = stream(alice, fabric::stopPersister, () -> fabric.startPersister(port));
      assertReceivedOnceInOrder(bob, acks);
      try (Connection db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword())) {
        await().atMost(Duration.ofSeconds(30)).until(() -> Sql.count(db, "SELECT COUNT(*) FROM messages WHERE conv_id = '" + CONV + "'") == N);
        assertEquals(N, Sql.count(db, "SELECT COUNT(DISTINCT id) FROM messages WHERE conv_id = '" + CONV + "'"));
      }
      List<String> history = OneToOneEndToEndTest.readHistory(fabric.port(2), fabric.token("bob"), CONV).stream()
          .map(m -> m.getString("id")).toList();
      assertEquals(acks.stream().map(a -> a.getString("id")).toList(), history);
    }
  }

}
