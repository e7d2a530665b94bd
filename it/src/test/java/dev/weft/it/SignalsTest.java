package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConversationIds;
import dev.weft.common.FreePorts;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Typing indicators and presence: live, ephemeral, bounded. */
@WeftIntegrationTest
class SignalsTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static JsonObject typing(String conv, String state) {
    return new JsonObject().put("op", "typing").put("conv", conv).put("state", state);
  }

  @Test
  @DisplayName("typing reaches the other members live, is never stored nor replayed, and is rate-limited")
  void typingReachesOthersIsNotStoredAndIsRateLimited(WeftInfra infra) throws Exception {
    String conv = ConversationIds.direct("s1-alice", "s1-bob");
    try (Fabric fabric = Fabric.start(infra, 2, Map.of());
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("s1-alice"), null);
        WsClient bob = WsClient.connect(fabric.port(2), fabric.token("s1-bob"), null)) {
      fabric.awaitRoutable(2);
      alice.send(typing(conv, "started"));
      JsonObject seen = bob.await(f -> "typing".equals(f.getString("op")), WAIT);
      assertEquals("s1-alice", seen.getString("user"));
      assertEquals(conv, seen.getString("conv"));
      assertEquals("started", seen.getString("state"));
      assertEquals(6000, seen.getInteger("expires_in_ms"));

      alice.send(typing(ConversationIds.direct("s1-bob", "s1-carol"), "started").put("ref", "x"));
      assertEquals("not_member", alice.await(f -> "x".equals(f.getString("ref")), WAIT).getString("code"));
      alice.send(typing(conv, "maybe").put("ref", "y"));
      assertEquals("bad_request", alice.await(f -> "y".equals(f.getString("ref")), WAIT).getString("code"));

      for (int i = 0; i < 12; i++) {
        alice.send(typing(conv, i % 2 == 0 ? "started" : "stopped").put("ref", "t" + i));
      }
      Thread.sleep(500);
      List<JsonObject> answers = alice.drain();
      assertTrue(answers.stream().anyMatch(f -> "rate_limited".equals(f.getString("code"))), "over the burst: " + answers);
      assertTrue(answers.stream().noneMatch(f -> "typing".equals(f.getString("op"))), "the typist is not sent its own");

      assertTrue(OneToOneEndToEndTest.readHistory(fabric.port(1), fabric.token("s1-bob"), conv).isEmpty(), "not in history");
      try (WsClient bobAgain = WsClient.resume(fabric.port(1), fabric.token("s1-bob"), "other", "new")) {
        assertTrue(ResumeTest.untilSynced(bobAgain).messages().isEmpty(), "not replayed to a catching-up device");
      }
    }
  }

  @Test
  @DisplayName("presence: online with the first device, offline with last-seen when the last leaves or its gateway dies;"
      + " last-seen can be hidden; subscriptions are bounded")
  void presenceFollowsSessionsAcrossGateways(WeftInfra infra) throws Exception {
    Map<String, String> env = new HashMap<>(GatewayLossTest.FAST);
    env.put("WEFT_PRESENCE_MAX_SUBSCRIPTIONS", "3");
    // Alice follows users she shares no conversation with: this test is about presence itself (PresencePolicyTest
    // covers who may follow whom under the default policy).
    env.put("WEFT_PRESENCE_POLICY", "everyone");
    try (Fabric fabric = Fabric.start(infra, 2, env);
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("s2-alice"), null)) {
      alice.send(new JsonObject().put("op", "presence_subscribe").put("ref", "sub")
          .put("users", new JsonArray().add("s2-bob").add("s2-carol").add("s2-dan")));
      assertEquals("ack", alice.await(f -> "sub".equals(f.getString("ref")), WAIT).getString("op"));
      JsonObject bobAtFirst = presenceOf(alice, "s2-bob");
      assertFalse(bobAtFirst.getBoolean("online"));
      assertNull(bobAtFirst.getValue("last_seen"), "never seen");
      alice.send(new JsonObject().put("op", "presence_subscribe").put("ref", "more").put("users", new JsonArray().add("s2-eve")));
      assertEquals("too_many_subscriptions", alice.await(f -> "more".equals(f.getString("ref")), WAIT).getString("code"));

      WsClient phone = WsClient.connect(fabric.port(2), fabric.token("s2-bob"), "phone");
      assertTrue(presenceOf(alice, "s2-bob").getBoolean("online"));
      WsClient tablet = WsClient.connect(fabric.port(1), fabric.token("s2-bob"), "tablet");
      phone.close();
      Thread.sleep(500);
      assertTrue(alice.drain().stream().noneMatch(f -> "presence".equals(f.getString("op"))), "still online on the tablet");
      long before = System.currentTimeMillis();
      tablet.close();
      JsonObject gone = presenceOf(alice, "s2-bob");
      assertFalse(gone.getBoolean("online"));
      assertTrue(gone.getLong("last_seen") >= before - 1000, "last seen when the last device left: " + gone);

      try (WsClient carol = WsClient.open(WsClient.uri(fabric.port(2), "last_seen=hidden"), fabric.token("s2-carol"))) {
        assertTrue(presenceOf(alice, "s2-carol").getBoolean("online"));
      }
      JsonObject carolGone = presenceOf(alice, "s2-carol");
      assertFalse(carolGone.getBoolean("online"));
      assertNull(carolGone.getValue("last_seen"), "carol hides her last-seen");

      int port = FreePorts.pick();
      Process doomed = GatewayLossTest.startGatewayProcess(infra, fabric, "gw-presence-doomed", port);
      try {
        WsClient.connect(port, fabric.token("s2-dan"), null);
        assertTrue(presenceOf(alice, "s2-dan").getBoolean("online"));
        doomed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        JsonObject danGone = presenceOf(alice, "s2-dan");
        assertFalse(danGone.getBoolean("online"), "a dead gateway's users go offline once routers expire it");
      } finally {
        doomed.destroyForcibly();
      }
    }
  }

  private static JsonObject presenceOf(WsClient c, String user) {
    return c.await(f -> "presence".equals(f.getString("op")) && user.equals(f.getString("user")), WAIT);
  }
}
