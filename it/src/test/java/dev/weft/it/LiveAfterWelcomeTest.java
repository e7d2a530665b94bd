package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@WeftIntegrationTest
class LiveAfterWelcomeTest {

  @Test
  @DisplayName("a message sent right after the recipient's welcome is delivered live, with no wait for the router")
  void aWelcomedClientGetsEveryLaterMessageLive(WeftInfra infra) {
    try (Fabric fabric = Fabric.start(infra, 2, Map.of());
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("alice"), null)) {
      for (int i = 0; i < 20; i++) {
        // A new device each round: its session is seconds old at most when the message arrives.
        try (WsClient bob = WsClient.connect(fabric.port(2), fabric.token("bob"), "device-" + i)) {
          alice.send(new JsonObject().put("op", "send").put("ref", "r" + i).put("to", "bob").put("text", "round " + i));
          assertEquals("ack", alice.next().getString("op"));
          assertEquals("round " + i, bob.await(f -> "msg".equals(f.getString("op")), Duration.ofSeconds(10)).getString("text"));
        }
      }
    }
  }
}
