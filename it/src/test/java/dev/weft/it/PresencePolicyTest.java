package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import dev.weft.common.ConversationIds;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 6: presence (online, last seen) only of users who share a conversation with the follower, under the
 * default WEFT_PRESENCE_POLICY=shared. Before, anyone could follow anyone.
 */
@WeftIntegrationTest
class PresencePolicyTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static JsonObject subscribe(WsClient c, String ref, List<String> users) {
    c.send(new JsonObject().put("op", "presence_subscribe").put("ref", ref).put("users", new JsonArray(List.copyOf(users))));
    return c.await(f -> ref.equals(f.getString("ref")), WAIT);
  }

  private static JsonObject request(WsClient c, JsonObject frame) {
    c.send(frame);
    return c.await(f -> frame.getString("ref").equals(f.getString("ref")), WAIT);
  }

  private static JsonObject presenceOf(WsClient c, String user) {
    return c.await(f -> "presence".equals(f.getString("op")) && user.equals(f.getString("user")), WAIT);
  }

  @Test
  @DisplayName("a stranger's follow is refused with forbidden, answered alike whether the user exists or not, and brings no"
      + " presence; a one-to-one partner (either side) and a group co-member on another gateway may follow")
  void onlyUsersWhoShareAConversationMayFollowPresence(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 2, Map.of());
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("pp-alice"), null);
        WsClient bob = WsClient.connect(fabric.port(1), fabric.token("pp-bob"), null);
        WsClient eve = WsClient.connect(fabric.port(2), fabric.token("pp-eve"), null)) {
      fabric.awaitRoutable(3);

      JsonObject stranger = subscribe(eve, "s1", List.of("pp-alice"));
      JsonObject nobody = subscribe(eve, "s2", List.of("pp-nobody"));
      assertEquals("forbidden", stranger.getString("code"), stranger.encode());
      assertEquals(new JsonArray().add("pp-alice"), stranger.getJsonArray("users"));
      assertEquals("forbidden", nobody.getString("code"), nobody.encode());
      assertEquals(stranger.getString("message"), nobody.getString("message"), "no hint of who exists");
      assertEquals(stranger.fieldNames(), nobody.fieldNames());

      // A one-to-one conversation counts once its first message is stored.
      String dm = ConversationIds.direct("pp-alice", "pp-bob");
      assertEquals("ack", request(bob, new JsonObject().put("op", "send").put("ref", "hi").put("to", "pp-alice")
          .put("text", "hi")).getString("op"));
      await().atMost(WAIT).until(() -> !OneToOneEndToEndTest.readHistory(fabric.port(1), fabric.token("pp-bob"), dm).isEmpty());
      assertEquals("ack", subscribe(bob, "b1", List.of("pp-alice")).getString("op"), "the writer follows the recipient");
      assertTrue(presenceOf(bob, "pp-alice").getBoolean("online"));
      assertEquals("ack", subscribe(alice, "a1", List.of("pp-bob", "pp-alice")).getString("op"),
          "the recipient follows the writer, and anyone follows themself");
      assertTrue(presenceOf(alice, "pp-bob").getBoolean("online"));

      // All or nothing: one stranger in the list refuses the frame, and it follows no one.
      JsonObject mixed = subscribe(eve, "s3", List.of("pp-bob", "pp-alice"));
      assertEquals("forbidden", mixed.getString("code"));
      assertEquals(new JsonArray().add("pp-bob").add("pp-alice"), mixed.getJsonArray("users"));

      // A group co-member, followed from another gateway once that gateway knows the group.
      JsonObject created = request(alice, new JsonObject().put("op", "group_create").put("ref", "g").put("title", "t")
          .put("members", new JsonArray().add("pp-carol")));
      assertEquals("ack", created.getString("op"), created.encode());
      try (WsClient carol = WsClient.connect(fabric.port(2), fabric.token("pp-carol"), null)) {
        // Carol's send waits, if need be, until gateway 2 knows the group.
        assertEquals("ack", request(carol, new JsonObject().put("op", "send").put("ref", "m").put("conv", created.getString("conv"))
            .put("text", "hello")).getString("op"));
        assertEquals("ack", subscribe(carol, "c1", List.of("pp-alice")).getString("op"));
        assertTrue(presenceOf(carol, "pp-alice").getBoolean("online"));
        JsonObject notBob = subscribe(carol, "c2", List.of("pp-bob"));
        assertEquals("forbidden", notBob.getString("code"), "sharing a group with alice is not sharing one with bob");
      }

      alice.close();
      JsonObject gone = presenceOf(bob, "pp-alice");
      assertFalse(gone.getBoolean("online"));
      Thread.sleep(500);
      assertTrue(eve.drain().stream().noneMatch(f -> "presence".equals(f.getString("op"))),
          "a refused follower learns nothing of alice's coming and going");
    }
  }
}
