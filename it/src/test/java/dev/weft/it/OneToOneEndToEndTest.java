package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConversationIds;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@WeftIntegrationTest
class OneToOneEndToEndTest {

  private static final int N = 1000;
  private static final Map<String, String> ENV = Map.of("WEFT_SEND_RATE", "100000", "WEFT_SEND_BURST", "100000");

  @Test
  @DisplayName("1,000 messages each way across two gateways: all acked, delivered once in order, stored once, read back in order")
  void messagesFlowAcrossGatewaysIntoHistory(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 2, ENV);
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("alice"), "phone");
        WsClient bob = WsClient.connect(fabric.port(2), fabric.token("bob"), "laptop")) {
      String conv = ConversationIds.direct("alice", "bob");
      fabric.awaitRoutable(2);

      long t0 = System.nanoTime();
      for (int i = 0; i < N; i++) {
        alice.send(new JsonObject().put("op", "send").put("ref", "a-" + i).put("to", "bob").put("text", "from alice " + i));
        bob.send(new JsonObject().put("op", "send").put("ref", "b-" + i).put("conv", conv).put("text", "from bob " + i));
      }

      Exchange a = Exchange.read(alice, N, N);
      Exchange b = Exchange.read(bob, N, N);
      long elapsedMs = (Math.max(a.lastFrameNanos, b.lastFrameNanos) - t0) / 1_000_000;
      // A figure to compare runs by, not an assertion: the machines are noisy.
      System.out.printf("weft-measure: %d messages sent, acked and delivered across two gateways in %d ms%n", 2 * N, elapsedMs);

      // Every send acked once, in the order sent, in the one conversation.
      a.assertAcksInOrder("a-", conv);
      b.assertAcksInOrder("b-", conv);
      // Each side gets the other's messages exactly once, in sequence order, with the acked ids.
      a.assertReceivedInOrder(b.ackedIds, "bob", "from bob ");
      b.assertReceivedInOrder(a.ackedIds, "alice", "from alice ");

      // Every message is in the database exactly once.
      try (Connection db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword())) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Sql.count(db, "SELECT COUNT(*) FROM messages") == 2L * N);
        assertEquals(2L * N, Sql.count(db, "SELECT COUNT(DISTINCT id) FROM messages"));
      }

      // The history route returns them all, in order, to a member.
      List<JsonObject> history = readHistory(fabric.port(2), fabric.token("bob"), conv);
      assertEquals(2 * N, history.size());
      Set<String> expectedIds = new HashSet<>(a.ackedIds);
      expectedIds.addAll(b.ackedIds);
      long last = -1;
      for (JsonObject m : history) {
        assertTrue(m.getLong("seq") > last, "history in sequence order");
        last = m.getLong("seq");
        assertTrue(expectedIds.remove(m.getString("id")), "history holds each acked message once");
      }
      assertTrue(expectedIds.isEmpty());
    }
  }


  static List<JsonObject> readHistory(int port, String token, String conv) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    List<JsonObject> all = new ArrayList<>();
    long after = -1;
    while (true) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
              + "/v1/conversations/" + conv + "/messages?limit=300&after=" + after))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      JsonArray page = new JsonObject(r.body()).getJsonArray("messages");
      if (page.isEmpty()) {
        return all;
      }
      for (int i = 0; i < page.size(); i++) {
        all.add(page.getJsonObject(i));
      }
      after = all.get(all.size() - 1).getLong("seq");
    }
  }

  /** What one client saw: its acks and the messages pushed to it. */
  private static final class Exchange {
    final List<JsonObject> acks = new ArrayList<>();
    final List<JsonObject> msgs = new ArrayList<>();
    final List<String> ackedIds = new ArrayList<>();
    long lastFrameNanos;

    static Exchange read(WsClient client, int acks, int msgs) {
      Exchange e = new Exchange();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (e.acks.size() < acks || e.msgs.size() < msgs) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("got " + e.acks.size() + " acks and " + e.msgs.size() + " msgs");
        }
        JsonObject f = client.next(Duration.ofSeconds(30));
        switch (f.getString("op")) {
          case "ack" -> {
            e.acks.add(f);
            e.ackedIds.add(f.getString("id"));
          }
          case "msg" -> e.msgs.add(f);
          default -> throw new AssertionError("unexpected frame " + f);
        }
        e.lastFrameNanos = System.nanoTime();
      }
      // Nothing more may arrive: a duplicate would show up here.
      List<JsonObject> extra = new ArrayList<>();
      try {
        extra.add(client.next(Duration.ofMillis(500)));
      } catch (AssertionError expected) {
        // no extra frame: good
      }
      assertEquals(List.of(), extra, "no frame beyond the expected ones");
      return e;
    }

    void assertAcksInOrder(String refPrefix, String conv) {
      long last = -1;
      for (int i = 0; i < acks.size(); i++) {
        JsonObject ack = acks.get(i);
        assertEquals(refPrefix + i, ack.getString("ref"));
        assertEquals(conv, ack.getString("conv"));
        assertTrue(ack.getLong("seq") > last, "acks carry increasing seq");
        last = ack.getLong("seq");
      }
    }

    void assertReceivedInOrder(List<String> expectedIds, String from, String textPrefix) {
      assertEquals(expectedIds.size(), msgs.size());
      long last = -1;
      for (int i = 0; i < msgs.size(); i++) {
        JsonObject m = msgs.get(i);
        assertEquals(expectedIds.get(i), m.getString("id"), "delivered in the order sent, each once");
        assertEquals(from, m.getString("from"));
        assertEquals(textPrefix + i, m.getString("text"));
        assertTrue(m.getLong("seq") > last, "delivered in sequence order");
        last = m.getLong("seq");
      }
    }
  }
}
