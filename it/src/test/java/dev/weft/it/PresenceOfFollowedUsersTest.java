package dev.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConversationIds;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: a gateway holds the presence of the users its clients follow, and of no one else. A followed user's
 * presence is loaded from the persister, which stores the sessions topic, so a gateway that never held a user still
 * tells when they were last seen.
 */
@WeftIntegrationTest
class PresenceOfFollowedUsersTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void aGatewayHoldsOnlyFollowedUsersPresenceAndOneThatNeverHeldAUserGetsTheirLastSeenFromThePersister(WeftInfra infra)
      throws Exception {
    try (Fabric fabric = Fabric.start(infra, 2, Map.of());
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("pf-alice"), null);
        WsClient carol = WsClient.connect(fabric.port(2), fabric.token("pf-carol"), null)) {
      WsClient bob = WsClient.connect(fabric.port(1), fabric.token("pf-bob"), null);
      fabric.awaitRoutable(3);
      // Bob shares a one-to-one conversation with each of them: the shared policy lets them follow him.
      for (String to : List.of("pf-alice", "pf-carol")) {
        assertEquals("ack", request(bob, new JsonObject().put("op", "send").put("ref", to).put("to", to).put("text", "hi"))
            .getString("op"));
        String dm = ConversationIds.direct("pf-bob", to);
        await().atMost(WAIT).until(() -> !OneToOneEndToEndTest.readHistory(fabric.port(1), fabric.token("pf-bob"), dm).isEmpty());
      }
      assertEquals(0.0, GatewayMembershipsTest.gauge(fabric, 1, "weft_gateway_presence_users"),
          "three sessions on the cluster, none followed: gateway 1 holds nobody's presence");

      assertEquals("ack", subscribe(alice, "a1", List.of("pf-bob")).getString("op"));
      assertTrue(presenceOf(alice).getBoolean("online"), "loaded: bob is online");
      assertEquals(1.0, GatewayMembershipsTest.gauge(fabric, 1, "weft_gateway_presence_users"));
      assertEquals(0.0, GatewayMembershipsTest.gauge(fabric, 2, "weft_gateway_presence_users"));

      bob.close();
      JsonObject left = presenceOf(alice);
      assertFalse(left.getBoolean("online"), left.encode());
      long lastSeen = left.getLong("last_seen");

      // Gateway 2 read bob's tombstone go by but held nothing of him; the persister stored when he left.
      JsonObject followed = subscribe(carol, "c1", List.of("pf-bob"));
      assertEquals("ack", followed.getString("op"), followed.encode());
      JsonObject fromStore = presenceOf(carol);
      assertFalse(fromStore.getBoolean("online"));
      assertEquals(lastSeen, fromStore.getLong("last_seen"), "the same last seen, from the persister");
      assertEquals(1.0, GatewayMembershipsTest.gauge(fabric, 2, "weft_gateway_presence_users"));

      // Live again: both followers hear of it, each from their own gateway's directory.
      try (WsClient back = WsClient.connect(fabric.port(2), fabric.token("pf-bob"), null)) {
        assertTrue(presenceOf(alice).getBoolean("online"));
        assertTrue(presenceOf(carol).getBoolean("online"));
        assertEquals("ack", request(alice, new JsonObject().put("op", "presence_unsubscribe").put("ref", "a2")
            .put("users", new JsonArray().add("pf-bob"))).getString("op"));
        await().atMost(WAIT).until(() -> GatewayMembershipsTest.gauge(fabric, 1, "weft_gateway_presence_users") == 0.0);
      }
      carol.close();
      await().atMost(WAIT).until(() -> GatewayMembershipsTest.gauge(fabric, 2, "weft_gateway_presence_users") == 0.0);
    }
  }

  private static JsonObject subscribe(WsClient c, String ref, List<String> users) {
    return request(c, new JsonObject().put("op", "presence_subscribe").put("ref", ref).put("users", new JsonArray(users)));
  }

  private static JsonObject request(WsClient c, JsonObject frame) {
    c.send(frame);
    String ref = frame.getString("ref");
    return c.await(f -> ref.equals(f.getString("ref")), WAIT);
  }

  private static JsonObject presenceOf(WsClient c) {
    return c.await(f -> "presence".equals(f.getString("op")) && "pf-bob".equals(f.getString("user")), WAIT);
  }
}
