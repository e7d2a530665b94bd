package dev.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

@WeftIntegrationTest
class LivenessTest {

  private static final Map<String, String> FAST = Map.of("WEFT_PING_INTERVAL_MS", "200", "WEFT_IDLE_TIMEOUT_MS", "1500");


  @Test
  void aSilentHalfOpenConnectionIsClosedAndItsSessionRetracted(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, FAST); Socket ghost = SilentPeer.upgrade(fabric.port(1), fabric.token("ghost"))) {
      await().atMost(Duration.ofSeconds(10)).until(() -> fabric.router.knownSessions() == 1);
      // Nobody answers the pings: within the idle timeout (plus a ping interval) the session is gone everywhere.
      await().atMost(Duration.ofSeconds(10)).until(() -> fabric.router.knownSessions() == 0);
      assertEquals(0, fabric.gateways.get(0).connections());
    }
  }

  @Test
  void aQuietClientThatAnswersPingsStaysConnected(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, FAST);
        WsClient quiet = WsClient.connect(fabric.port(1), fabric.token("quiet"), null)) {
      // The JDK client answers pings by itself; it sends no frame of its own for twice the idle timeout.
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> !quiet.isClosed());
      assertEquals(1, fabric.router.knownSessions());
      quiet.send(new JsonObject().put("op", "send").put("ref", "r1").put("to", "x").put("text", "still here"));
      assertEquals("ack", quiet.next().getString("op"));
    }
  }
}
