package dev.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.common.ConversationIds;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@WeftIntegrationTest
class ReceiptsTest {

  private static final String CONV = ConversationIds.direct("alice", "bob");

  private static JsonObject receipt(String ref, String conv, String kind, long seq) {
    return new JsonObject().put("op", "receipt").put("ref", ref).put("conv", conv).put("kind", kind).put("seq", seq);
  }

  private static JsonArray storedReceipts(Fabric fabric) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + fabric.port(1) + "/v1/conversations/" + CONV + "/messages?limit=1"))
        .header("Authorization", "Bearer " + fabric.token("alice")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getJsonArray("receipts");
  }

  @Test
  @DisplayName("delivered and read positions reach every device of the sender live, never move backwards, and survive a restart")
  void receiptsReachTheSendersDevicesAndSurviveARestart(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 2, Map.of());
        WsClient phone = WsClient.connect(fabric.port(1), fabric.token("alice"), "phone");
        WsClient laptop = WsClient.connect(fabric.port(2), fabric.token("alice"), "laptop");
        WsClient bob = WsClient.connect(fabric.port(2), fabric.token("bob"), null)) {
      fabric.awaitRoutable(3);
      long[] seqs = new long[3];
      for (int i = 0; i < 3; i++) {
        phone.send(new JsonObject().put("op", "send").put("ref", "m" + i).put("to", "bob").put("text", "hello " + i));
        seqs[i] = phone.await(f -> "ack".equals(f.getString("op")), Duration.ofSeconds(10)).getLong("seq");
      }
      bob.collect(f -> "msg".equals(f.getString("op")), 3, Duration.ofSeconds(10));

      bob.send(receipt("d1", CONV, "delivered", seqs[2]));
      JsonObject ack = bob.next();
      assertEquals(new JsonObject().put("op", "ack").put("ref", "d1").put("conv", CONV).put("kind", "delivered").put("seq", seqs[2]), ack);
      bob.send(receipt("r1", CONV, "read", seqs[1]));
      assertEquals("ack", bob.next().getString("op"));

      for (WsClient device : List.of(phone, laptop)) {
        List<JsonObject> got = device.collect(f -> "receipt".equals(f.getString("op")), 2, Duration.ofSeconds(10));
        assertEquals(new JsonObject().put("op", "receipt").put("conv", CONV).put("user", "bob").put("kind", "delivered").put("seq", seqs[2]), got.get(0));
        assertEquals(new JsonObject().put("op", "receipt").put("conv", CONV).put("user", "bob").put("kind", "read").put("seq", seqs[1]), got.get(1));
      }
      assertThrows(AssertionError.class, () -> bob.next(Duration.ofMillis(500)), "the reporting socket gets nothing back");

      // A position behind the known one is acked but changes nothing, live or stored.
      bob.send(receipt("r0", CONV, "read", seqs[0]));
      assertEquals("ack", bob.next().getString("op"));
      assertThrows(AssertionError.class, () -> phone.next(Duration.ofMillis(700)));

      JsonArray expected = new JsonArray().add(new JsonObject().put("user", "bob").put("delivered", seqs[2]).put("read", seqs[1]));
      await().atMost(Duration.ofSeconds(10)).until(() -> expected.equals(storedReceipts(fabric)));

      // Restarted, the persister still has them, and the router still routes new ones.
      int port = fabric.persister.httpPort();
      fabric.stopPersister();
      fabric.startPersister(port);
      fabric.stopRouter();
      fabric.startRouter();
      assertEquals(expected, storedReceipts(fabric));
      bob.send(receipt("r2", CONV, "read", seqs[2]));
      assertEquals("ack", bob.next().getString("op"));
      assertEquals(seqs[2], phone.await(f -> "receipt".equals(f.getString("op")), Duration.ofSeconds(15)).getLong("seq"));
      JsonArray after = new JsonArray().add(new JsonObject().put("user", "bob").put("delivered", seqs[2]).put("read", seqs[2]));
      await().atMost(Duration.ofSeconds(10)).until(() -> after.equals(storedReceipts(fabric)));
    }
  }

  @Test
  void badReceiptsGetDocumentedCodes(WeftInfra infra) {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of());
        WsClient mallory = WsClient.connect(fabric.port(1), fabric.token("mallory"), null)) {
      mallory.send(receipt("x1", CONV, "read", 1));
      assertEquals("not_member", mallory.next().getString("code"));
      String own = ConversationIds.direct("mallory", "zed");
      mallory.send(receipt("x2", own, "seen", 1));
      assertEquals("bad_request", mallory.next().getString("code"));
      mallory.send(receipt("x3", own, "read", -1));
      assertEquals("bad_request", mallory.next().getString("code"));
      mallory.send(new JsonObject().put("op", "receipt").put("ref", "x4").put("conv", own).put("kind", "read").put("seq", "7"));
      assertEquals("bad_request", mallory.next().getString("code"));
    }
  }
}
