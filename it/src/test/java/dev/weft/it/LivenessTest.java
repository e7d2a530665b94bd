package dev.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

@WeftIntegrationTest
class LivenessTest {

  private static final Map<String, String> FAST = Map.of("WEFT_PING_INTERVAL_MS", "200", "WEFT_IDLE_TIMEOUT_MS", "1500");

  /** A WebSocket handshake over a plain socket, after which the "client" never reads or answers again. */
  private static Socket halfOpen(int port, String token) throws Exception {
    Socket s = new Socket("127.0.0.1", port);
    OutputStream out = s.getOutputStream();
    out.write(("GET /v1/ws?access_token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("closed during handshake: " + head);
      }
      head.append((char) b);
    }
    assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
    return s;
  }

  @Test
  void aSilentHalfOpenConnectionIsClosedAndItsSessionRetracted(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, FAST); Socket ghost = halfOpen(fabric.port(1), fabric.token("ghost"))) {
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
