package dev.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConversationIds;
import dev.weft.common.FreePorts;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Alice and Bob exchange messages over two gateways; Bob's gateway is killed with SIGKILL in the
 * middle. Bob does what docs/protocol.md tells a client to do: reconnect with his cursor, resend what
 * was not acked with "resend". He must get every message of Alice's exactly once: no client-side dedupe.
 */
@WeftIntegrationTest
class GatewayKillUnderTrafficTest {

  private static final String CONV = ConversationIds.direct("alice", "bob");

  /** One client's view: acks by ref, messages by id, and what is still unacked. */
  private static final class Side {
    final String user;
    WsClient socket;
    final Map<String, JsonObject> acks = new LinkedHashMap<>();
    final Map<String, JsonObject> outbox = new LinkedHashMap<>();
    final Map<String, JsonObject> received = new HashMap<>();
    String cursor;

    Side(String user, WsClient socket) {
      this.user = user;
      this.socket = socket;
    }

    void send(String ref, String to, String text) {
      JsonObject f = new JsonObject().put("op", "send").put("ref", ref).put("to", to).put("text", text);
      outbox.put(ref, f);
      socket.send(f);
    }

    void take(JsonObject f) {
      switch (f.getString("op")) {
        case "ack" -> {
          acks.put(f.getString("ref"), f);
          outbox.remove(f.getString("ref"));
        }
        case "msg" -> see(f);
        case "synced" -> cursor = f.getString("cursor");
        default -> throw new AssertionError("unexpected " + f);
      }
    }

    void see(JsonObject m) {
      cursor = m.getString("cursor");
      if (user.equals(m.getString("from"))) {
        return; // catch-up replays this device's own sends: their ids are in its acks
      }
      JsonObject before = received.putIfAbsent(m.getString("id"), m);
      if (before != null) {
        throw new AssertionError(user + " got " + m + " twice");
      }
    }

    /** Reads frames until every send is acked and {@code expectedMsgs} distinct messages arrived. */
    void settle(int expectedMsgs) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while ((!outbox.isEmpty() || received.size() < expectedMsgs) && System.nanoTime() < deadline) {
        take(socket.next(Duration.ofSeconds(20)));
      }
    }
  }

  @Test
  @DisplayName("gateway killed mid-exchange: every acked message reaches the other side once, in order, and is stored once")
  void killedGatewayLosesNothingAckedAndDuplicatesNothing(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, GatewayLossTest.FAST)) {
      int doomedPort = FreePorts.pick();
      Process doomed = GatewayLossTest.startGatewayProcess(infra, fabric, "gw-doomed", doomedPort);
      try {
        Side alice = new Side("alice", WsClient.resume(fabric.port(1), fabric.token("alice"), null, "new"));
        Side bob = new Side("bob", WsClient.resume(doomedPort, fabric.token("bob"), null, "new"));
        alice.take(alice.socket.next());
        bob.take(bob.socket.next());
        fabric.awaitRoutable(2);

        // Steady exchange, then a burst from Bob that the kill cuts through.
        for (int i = 0; i < 50; i++) {
          alice.send("a" + i, "bob", "alice " + i);
          bob.send("b" + i, "alice", "bob " + i);
        }
        alice.settle(50);
        bob.settle(50);
        for (int i = 50; i < 60; i++) {
          bob.send("b" + i, "alice", "bob " + i);
        }
        doomed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        for (JsonObject f : bob.socket.drain()) {
          bob.take(f); // whatever arrived before the kill
        }
        bob.socket.close();

        // Bob reconnects to the survivor with his cursor and resends what was not acked.
        bob.socket = WsClient.resume(fabric.port(1), fabric.token("bob"), null, bob.cursor);
        for (JsonObject f : new ArrayList<>(bob.outbox.values())) {
          bob.socket.send(f.copy().put("resend", true));
        }
        // And the exchange goes on.
        for (int i = 50; i < 100; i++) {
          alice.send("a" + i, "bob", "alice " + i);
        }
        alice.settle(60);
        bob.settle(100);

        assertEquals(60, bob.acks.size(), "every one of Bob's sends is acked in the end");
        assertEquals(100, alice.acks.size());
        assertSameInOrder(alice.acks, bob.received);
        assertSameInOrder(bob.acks, alice.received);
        try (Connection db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword())) {
          await().atMost(Duration.ofSeconds(20)).until(() -> Sql.count(db, "SELECT COUNT(*) FROM messages") == 160);
          assertEquals(160, Sql.count(db, "SELECT COUNT(DISTINCT sender, ref) FROM messages"));
        }
      } finally {
        doomed.destroyForcibly();
      }
    }
  }

  /** The receiver got exactly the acked messages, by id, and seq order equals the sender's order. */
  private static void assertSameInOrder(Map<String, JsonObject> acksByRef, Map<String, JsonObject> received) {
    List<String> ackedIds = acksByRef.values().stream().sorted((x, y) -> Long.compare(x.getLong("seq"), y.getLong("seq")))
        .map(a -> a.getString("id")).toList();
    TreeMap<Long, JsonObject> bySeq = new TreeMap<>();
    received.values().forEach(m -> bySeq.put(m.getLong("seq"), m));
    assertEquals(ackedIds, bySeq.values().stream().map(m -> m.getString("id")).toList());
    List<Integer> numbers = bySeq.values().stream().map(m -> Integer.parseInt(m.getString("text").split(" ")[1])).toList();
    for (int i = 1; i < numbers.size(); i++) {
      assertTrue(numbers.get(i) > numbers.get(i - 1), "in the order sent: " + numbers);
    }
  }

}
