package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, blocking: a block refuses the pair's one-to-one messages both ways and the blocked user's group
 * invitations, on every gateway, while groups still carry everyone's messages; the blocked user is not told, the
 * blocker's other devices are.
 */
@WeftIntegrationTest
class BlockingTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void aBlockRefusesTheDirectConversationAndInvitationsButGroupsStillCarryEveryone(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 2, Map.of());
        WsClient bobPhone = WsClient.connect(fabric.port(1), fabric.token("bl-bob"), "phone");
        WsClient bobTablet = WsClient.connect(fabric.port(2), fabric.token("bl-bob"), "tablet");
        WsClient mallory = WsClient.connect(fabric.port(2), fabric.token("bl-mallory"), "phone");
        WsClient carol = WsClient.connect(fabric.port(1), fabric.token("bl-carol"), "phone")) {
      fabric.awaitRoutable(4);
      this.mallory = mallory;
      // Mallory has written to bob before: her connection holds the pair's state, kept current from now on.
      mallory.acked(send("1", "bl-bob", "hi bob"), WAIT);
      String group = carol.acked(new JsonObject().put("op", "group_create").put("ref", "g").put("title", "t")
          .put("members", new JsonArray().add("bl-bob").add("bl-mallory")), WAIT).getString("conv");

      JsonObject blocked = bobPhone.acked(new JsonObject().put("op", "block").put("ref", "b").put("user", "bl-mallory"), WAIT);
      JsonObject told = bobTablet.await(f -> "block".equals(f.getString("op")), WAIT);
      assertEquals("bl-mallory", told.getString("user"));
      assertEquals(true, told.getBoolean("blocked"));
      assertEquals(blocked.getLong("seq"), told.getLong("seq"));

      int[] n = {0};
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> "blocked".equals(answer(mallory,
          send("2-" + n[0]++, "bl-bob", "hello?")).getString("code")));
      assertEquals("blocked", answer(bobPhone, send("3", "bl-mallory", "go away")).getString("code"), "both ways");
      JsonObject invite = answer(mallory, new JsonObject().put("op", "group_create").put("ref", "g2").put("title", "x")
          .put("members", new JsonArray().add("bl-bob").add("bl-carol")));
      assertEquals("blocked", invite.getString("code"), invite.encode());
      assertEquals(List.of("bl-bob"), invite.getJsonArray("users").getList());
      // Groups still carry everyone's messages.
      assertEquals("ack", answer(mallory, new JsonObject().put("op", "send").put("ref", "4").put("conv", group)
          .put("text", "group hi")).getString("op"));
      bobPhone.await(f -> "group hi".equals(f.getString("text")), WAIT);
      // Mallory was not told: no block frame came to her, among the frames her answers skipped or after them.
      assertTrue(mallory.drain().stream().noneMatch(f -> "block".equals(f.getString("op"))));
      assertTrue(skippedByMallory.stream().noneMatch(f -> "block".equals(f.getString("op"))), skippedByMallory.toString());
      // A new connection of hers, on the other gateway, loads the block from history.
      try (WsClient again = WsClient.connect(fabric.port(1), fabric.token("bl-mallory"), "laptop")) {
        assertEquals("blocked", answer(again, send("5", "bl-bob", "from my laptop")).getString("code"));
      }

      bobTablet.acked(new JsonObject().put("op", "unblock").put("ref", "u").put("user", "bl-mallory"), WAIT);
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> "ack".equals(answer(mallory,
          send("6-" + n[0]++, "bl-bob", "friends again?")).getString("op")));
      bobPhone.await(f -> "friends again?".equals(f.getString("text")), WAIT);
      assertTrue(skippedByMallory.stream().noneMatch(f -> "block".equals(f.getString("op"))), "nor of the unblock");
      assertEquals("bad_request", answer(bobPhone, new JsonObject().put("op", "block").put("ref", "self")
          .put("user", "bl-bob")).getString("code"));
    }
  }

  private static JsonObject send(String ref, String to, String text) {
    return new JsonObject().put("op", "send").put("ref", ref).put("to", to).put("text", text);
  }

  /** Every frame an answer to mallory skipped on the way: none may be a block. */
  private final List<JsonObject> skippedByMallory = new java.util.ArrayList<>();
  private WsClient mallory;

  private JsonObject answer(WsClient c, JsonObject frame) {
    c.send(frame);
    return c.await(f -> {
      boolean mine = frame.getString("ref").equals(f.getString("ref"));
      if (!mine && c == mallory) {
        skippedByMallory.add(f);
      }
      return mine;
    }, WAIT);
  }
}
