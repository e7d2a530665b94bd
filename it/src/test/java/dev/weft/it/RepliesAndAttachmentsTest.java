package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, replies and attachments: a message may name the message it replies to and carry references to files.
 * Weft checks their shape, stores and forwards them, and never fetches anything; live, catch-up and history show
 * the same fields, and a message without them shows none.
 */
@WeftIntegrationTest
class RepliesAndAttachmentsTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static JsonObject photo() {
    return new JsonObject().put("url", "https://media.example.com/p/1.jpg").put("media_type", "image/jpeg")
        .put("size", 204_800).put("hash", "sha256:" + "ab".repeat(32)).put("name", "beach.jpg").put("width", 1280)
        .put("height", 960).put("thumbnail", Base64.getEncoder().encodeToString(new byte[600]));
  }

  @Test
  void aReplyWithAnAttachmentIsDeliveredCaughtUpAndStoredAsSentAndPlainMessagesCarryNeither(WeftInfra infra)
      throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of());
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("ra-alice"), "phone")) {
      try (WsClient bob = WsClient.resume(fabric.port(1), fabric.token("ra-bob"), "phone", "new")) {
        bob.await(f -> "synced".equals(f.getString("op")), WAIT);
        fabric.awaitRoutable(2);
        JsonObject first = ack(alice, new JsonObject().put("op", "send").put("ref", "1").put("to", "ra-bob")
            .put("text", "where did you go?"));
        bob.await(f -> first.getString("id").equals(f.getString("id")), WAIT);
        // A photo without a caption, in reply.
        JsonObject reply = ack(bob, new JsonObject().put("op", "send").put("ref", "2").put("to", "ra-alice")
            .put("reply_to", first.getString("id")).put("attachments", new JsonArray().add(photo())));
        JsonObject got = alice.await(f -> reply.getString("id").equals(f.getString("id")), WAIT);
        assertEquals("", got.getString("text"));
        assertEquals(first.getString("id"), got.getString("reply_to"));
        assertEquals(new JsonArray().add(photo()), got.getJsonArray("attachments"));
      }
      // What a device catches up on, and what history shows, are the live frame's fields.
      try (WsClient bobTablet = WsClient.resume(fabric.port(1), fabric.token("ra-bob"), "tablet", "new")) {
        List<JsonObject> caught = bobTablet.collect(f -> "msg".equals(f.getString("op")), 2, WAIT);
        assertFalse(caught.get(0).containsKey("reply_to"), "a plain message shows no reply: " + caught.get(0));
        assertFalse(caught.get(0).containsKey("attachments"));
        assertEquals(caught.get(0).getString("id"), caught.get(1).getString("reply_to"));
        assertEquals(new JsonArray().add(photo()), caught.get(1).getJsonArray("attachments"));
      }
      String conv = dev.weft.common.ConversationIds.direct("ra-alice", "ra-bob");
      List<JsonObject> history = org.awaitility.Awaitility.await().atMost(WAIT).until(
          () -> OneToOneEndToEndTest.readHistory(fabric.port(1), fabric.token("ra-alice"), conv), h -> h.size() >= 2);
      assertEquals(2, history.size());
      assertEquals(history.get(0).getString("id"), history.get(1).getString("reply_to"));
      assertEquals(new JsonArray().add(photo()), history.get(1).getJsonArray("attachments"));
      assertFalse(history.get(0).containsKey("attachments"));
    }
  }

  @Test
  void aMalformedReplyOrAttachmentIsRefusedNamingTheFieldAndNothingIsStored(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of());
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("rb-alice"), "phone")) {
      JsonObject ok = photo();
      Object[][] cases = {
          {"reply_to", "has spaces in it", "reply_to"},
          {"reply_to", 42, "reply_to"},
          {"reply_to", "x".repeat(65), "reply_to"},
          {"attachments", "not an array", "attachments"},
          {"attachments", new JsonArray().add("a string"), "attachments[0]"},
          {"attachments", many(11, ok), "at most 10"},
          {"attachments", new JsonArray().add(ok.copy().put("url", "ftp://example.com/x")), "attachments[0].url"},
          {"attachments", new JsonArray().add(ok.copy().put("url", "javascript:alert(1)")), "attachments[0].url"},
          {"attachments", new JsonArray().add(ok.copy().put("url", "https://" + "x".repeat(2050))), "attachments[0].url"},
          {"attachments", new JsonArray().add(ok.copy().put("media_type", "jpeg")), "attachments[0].media_type"},
          {"attachments", new JsonArray().add(ok.copy().put("size", -1)), "attachments[0].size"},
          {"attachments", new JsonArray().add(ok.copy().put("size", 1.5)), "attachments[0].size"},
          {"attachments", new JsonArray().add(withoutHash()), "attachments[0].hash"},
          {"attachments", new JsonArray().add(ok.copy().put("width", 0)), "attachments[0].width"},
          {"attachments", new JsonArray().add(ok.copy().put("name", "a\u0000b")), "attachments[0].name"},
          {"attachments", new JsonArray().add(ok.copy().put("thumbnail", "not base64!")), "attachments[0].thumbnail"},
          {"attachments", new JsonArray().add(ok.copy().put("thumbnail",
              Base64.getEncoder().encodeToString(new byte[9000]))), "attachments[0].thumbnail"},
      };
      int n = 0;
      for (Object[] c : cases) {
        JsonObject frame = new JsonObject().put("op", "send").put("ref", "bad-" + n++).put("to", "rb-bob")
            .put("text", "x").put((String) c[0], c[1]);
        alice.send(frame);
        JsonObject answer = alice.await(f -> frame.getString("ref").equals(f.getString("ref")), WAIT);
        assertEquals("error", answer.getString("op"), frame.encode() + " → " + answer.encode());
        assertEquals("bad_request", answer.getString("code"), answer.encode());
        assertTrue(answer.getString("message").contains((String) c[2]), c[2] + " named in " + answer.encode());
      }
      alice.send(new JsonObject().put("op", "send").put("ref", "empty").put("to", "rb-bob").put("text", ""));
      assertEquals("bad_request", alice.await(f -> "empty".equals(f.getString("ref")), WAIT).getString("code"),
          "no text and no attachment");
      // The connection is fine, and nothing above was stored.
      JsonObject fine = ack(alice, new JsonObject().put("op", "send").put("ref", "fine").put("to", "rb-bob").put("text", "ok"));
      List<JsonObject> history = org.awaitility.Awaitility.await().atMost(WAIT).until(() -> OneToOneEndToEndTest
          .readHistory(fabric.port(1), fabric.token("rb-alice"), fine.getString("conv")), h -> !h.isEmpty());
      assertEquals(List.of("ok"), history.stream().map(m -> m.getString("text")).toList());
    }
  }

  private static JsonObject withoutHash() {
    JsonObject p = photo();
    p.remove("hash");
    return p;
  }

  private static JsonArray many(int n, JsonObject one) {
    JsonArray a = new JsonArray();
    for (int i = 0; i < n; i++) {
      a.add(one);
    }
    return a;
  }

  private static JsonObject ack(WsClient c, JsonObject frame) {
    return c.acked(frame, WAIT);
  }
}
