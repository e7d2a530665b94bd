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

  // Each test has its own pair of users: deliveries of one test never reach another's sockets.
  private Fabric fabric;

  @BeforeAll
  void start(WeftInfra infra) {
    fabric = Fabric.start(infra, 2, Map.of());
  }

  @AfterAll
  void stop() {
    fabric.close();
  }

  private static JsonObject send(String to, String ref, String text, boolean resend) {
    JsonObject f = new JsonObject().put("op", "send").put("ref", ref).put("to", to).put("text", text);
    return resend ? f.put("resend", true) : f;
  }

  private long inHistory(String from, String to, String text) throws Exception {
    List<JsonObject> history = OneToOneEndToEndTest.readHistory(fabric.port(2), fabric.token(to), ConversationIds.direct(from, to));
    return history.stream().filter(m -> text.equals(m.getString("text"))).count();
  }

  @Test
  void resendAfterALostAckToAnotherGatewayYieldsTheOriginalAckAndOneMessage() throws Exception {
    try (WsClient bob = WsClient.connect(fabric.port(2), fabric.token("bob1"), null)) {
      WsClient first = WsClient.connect(fabric.port(1), fabric.token("alice1"), "phone");
      fabric.awaitRoutable(2);
      first.send(send("bob1", "lost-1", "only once", false));
      first.close(); // the connection drops before the ack is read: the client cannot know it was stored

      try (WsClient again = WsClient.connect(fabric.port(2), fabric.token("alice1"), "phone")) {
        again.send(send("bob1", "lost-1", "only once", true));
        JsonObject ack = again.await(f -> "ack".equals(f.getString("op")) || "error".equals(f.getString("op")), Duration.ofSeconds(15));
        assertEquals("ack", ack.getString("op"), ack.encode());
        assertEquals("lost-1", ack.getString("ref"));

        JsonObject msg = bob.await(f -> "msg".equals(f.getString("op")), Duration.ofSeconds(10));
        assertEquals(msg.getString("id"), ack.getString("id"), "the ack is the original's");
        assertEquals(msg.getLong("seq"), ack.getLong("seq"));
        assertThrows(AssertionError.class, () -> bob.next(Duration.ofMillis(700)), "bob got it once");
        assertEquals(1, inHistory("alice1", "bob1", "only once"));
      }
    }
  }

  @Test
  void resendAfterAReceivedAckReturnsTheSameAck() throws Exception {
    try (WsClient alice = WsClient.connect(fabric.port(1), fabric.token("alice2"), null)) {
      alice.send(send("bob2", "dup-1", "said once", false));
      JsonObject original = alice.next();
      alice.send(send("bob2", "dup-1", "said once", true));
      JsonObject again = alice.next();
      assertEquals(original, again);
      await().atMost(Duration.ofSeconds(10)).until(() -> inHistory("alice2", "bob2", "said once") == 1);
    }
  }

  @Test
  void resendOfAnUnknownRefIsSentAsNew() throws Exception {
    try (WsClient alice = WsClient.connect(fabric.port(1), fabric.token("alice3"), null)) {
      alice.send(send("bob3", "never-sent-1", "first time", true));
      JsonObject ack = alice.next();
      assertEquals("ack", ack.getString("op"), ack.encode());
      await().atMost(Duration.ofSeconds(10)).until(() -> inHistory("alice3", "bob3", "first time") == 1);
    }
  }

  @Test
  void aReusedRefWithoutResendIsANewMessage() throws Exception {
    try (WsClient alice = WsClient.connect(fabric.port(1), fabric.token("alice4"), null)) {
      alice.send(send("bob4", "reused", "one", false));
      JsonObject a = alice.next();
      alice.send(send("bob4", "reused", "two", false));
      JsonObject b = alice.next();
      assertNotEquals(a.getString("id"), b.getString("id"));
      alice.send(new JsonObject().put("op", "send").put("ref", "r").put("to", "bob4").put("text", "x").put("resend", "yes"));
      assertEquals("bad_request", alice.next().getString("code"));
    }
  }
}
