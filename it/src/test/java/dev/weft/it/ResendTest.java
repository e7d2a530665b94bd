package dev.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.common.ConversationIds;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A send marked as a resend gets the original ack back, and no second message exists anywhere. */
@WeftIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResendTest {

  private static final String CONV = ConversationIds.direct("alice", "bob");
  private Fabric fabric;

  @BeforeAll
  void start(WeftInfra infra) {
    fabric = Fabric.start(infra, 2, Map.of());
  }

  @AfterAll
  void stop() {
    fabric.close();
  }

  private static JsonObject send(String ref, String text, boolean resend) {
    JsonObject f = new JsonObject().put("op", "send").put("ref", ref).put("to", "bob").put("text", text);
    return resend ? f.put("resend", true) : f;
  }

  private List<JsonObject> history() throws Exception {
    return OneToOneEndToEndTest.readHistory(fabric.port(2), fabric.token("bob"), CONV);
  }

  private long inHistory(String text) throws Exception {
    return history().stream().filter(m -> text.equals(m.getString("text"))).count();
  }

  @Test
  void resendAfterALostAckToAnotherGatewayYieldsTheOriginalAckAndOneMessage() throws Exception {
    try (WsClient bob = WsClient.connect(fabric.port(2), fabric.token("bob"), null)) {
      WsClient first = WsClient.connect(fabric.port(1), fabric.token("alice"), "phone");
      fabric.awaitRoutable(2);
      first.send(send("lost-1", "only once", false));
      first.close(); // the connection drops before the ack is read: the client cannot know it was stored

      try (WsClient again = WsClient.connect(fabric.port(2), fabric.token("alice"), "phone")) {
        again.send(send("lost-1", "only once", true));
        JsonObject ack = again.next();
        assertEquals("ack", ack.getString("op"), ack.encode());
        assertEquals("lost-1", ack.getString("ref"));

        JsonObject msg = bob.await(f -> "msg".equals(f.getString("op")), Duration.ofSeconds(10));
        assertEquals(msg.getString("id"), ack.getString("id"), "the ack is the original's");
        assertEquals(msg.getLong("seq"), ack.getLong("seq"));
        assertThrows(AssertionError.class, () -> bob.next(Duration.ofMillis(700)), "bob got it once");
        assertEquals(1, inHistory("only once"));
      }
    }
  }

  @Test
  void resendAfterAReceivedAckReturnsTheSameAck() throws Exception {
    try (WsClient alice = WsClient.connect(fabric.port(1), fabric.token("alice"), null)) {
      alice.send(send("dup-1", "said once", false));
      JsonObject original = alice.next();
      alice.send(send("dup-1", "said once", true));
      JsonObject again = alice.next();
      assertEquals(original, again);
      await().atMost(Duration.ofSeconds(10)).until(() -> inHistory("said once") == 1);
    }
  }

  @Test
  void resendOfAnUnknownRefIsSentAsNew() throws Exception {
    try (WsClient alice = WsClient.connect(fabric.port(1), fabric.token("alice"), null)) {
      alice.send(send("never-sent-1", "first time", true));
      JsonObject ack = alice.next();
      assertEquals("ack", ack.getString("op"), ack.encode());
      await().atMost(Duration.ofSeconds(10)).until(() -> inHistory("first time") == 1);
    }
  }

  @Test
  void aReusedRefWithoutResendIsANewMessage() throws Exception {
    try (WsClient alice = WsClient.connect(fabric.port(1), fabric.token("alice"), null)) {
      alice.send(send("reused", "one", false));
      JsonObject a = alice.next();
      alice.send(send("reused", "two", false));
      JsonObject b = alice.next();
      assertNotEquals(a.getString("id"), b.getString("id"));
      alice.send(new JsonObject().put("op", "send").put("ref", "r").put("to", "bob").put("text", "x").put("resend", "yes"));
      assertEquals("bad_request", alice.next().getString("code"));
    }
  }
}
