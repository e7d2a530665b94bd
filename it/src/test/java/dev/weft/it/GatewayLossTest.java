package dev.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.common.ConversationIds;
import dev.weft.common.FreePorts;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@WeftIntegrationTest
class GatewayLossTest {

  static final Map<String, String> FAST = Map.of("WEFT_GATEWAY_HEARTBEAT_MS", "200", "WEFT_GATEWAY_EXPIRY_MS", "2000");

  /** A gateway in its own JVM, so it can die the hard way: no goodbye, no retraction, no flush. */
  static Process startGatewayProcess(WeftInfra infra, Fabric fabric, String id, int port) throws Exception {
    Map<String, String> overrides = new HashMap<>(FAST);
    overrides.put("WEFT_GATEWAY_ID", id);
    overrides.put("WEFT_HTTP_PORT", String.valueOf(port));
    overrides.put("WEFT_PERSISTER_URL", "http://127.0.0.1:" + fabric.persister.httpPort());
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath, "dev.weft.gateway.GatewayMain").redirectErrorStream(true);
    pb.environment().putAll(infra.env(overrides).values());
    Process p = pb.start();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.startsWith("Weft gateway " + id)) {
            ready.complete(null);
          }
        }
      } catch (Exception e) {
        // the process is gone
      }
      ready.completeExceptionally(new AssertionError("gateway process ended before it was ready"));
    }, "gateway-process-output");
    pump.setDaemon(true);
    pump.start();
    ready.get(60, TimeUnit.SECONDS);
    return p;
  }



  @Test
  @DisplayName("a gateway killed with SIGKILL: routers expire its sessions, and what was sent meanwhile is read back after reconnecting")
  void killedGatewaysSessionsExpireAndNothingIsLost(WeftInfra infra) throws Exception {
    String conv = ConversationIds.direct("alice", "bob");
    try (Fabric fabric = Fabric.start(infra, 1, FAST)) {
      int doomedPort = FreePorts.pick();
      Process doomed = startGatewayProcess(infra, fabric, "gw-doomed", doomedPort);
      try (WsClient alice = WsClient.connect(fabric.port(1), fabric.token("alice"), null)) {
        try (WsClient bob = WsClient.connect(doomedPort, fabric.token("bob"), null)) {
          fabric.awaitRoutable(2);
          alice.send(new JsonObject().put("op", "send").put("ref", "before").put("to", "bob").put("text", "before the crash"));
          assertEquals("ack", alice.next().getString("op"));
          assertEquals("before the crash", bob.await(f -> "msg".equals(f.getString("op")), Duration.ofSeconds(10)).getString("text"));
          doomed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } finally {
          doomed.destroyForcibly();
        }
        // Nobody retracted bob's session; the router notices the silence and expires it.
        await().atMost(Duration.ofSeconds(15)).until(() -> fabric.router.knownSessions() == 1);

        alice.send(new JsonObject().put("op", "send").put("ref", "after").put("to", "bob").put("text", "while bob was away"));
        assertEquals("ack", alice.next().getString("op"));
      }
      // Bob reconnects to the surviving gateway and reads what he missed.
      try (WsClient bob = WsClient.connect(fabric.port(1), fabric.token("bob"), null)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> OneToOneEndToEndTest.readHistory(fabric.port(1), fabric.token("bob"), conv).size() == 2);
        assertEquals(List.of("before the crash", "while bob was away"),
            OneToOneEndToEndTest.readHistory(fabric.port(1), fabric.token("bob"), conv).stream().map(m -> m.getString("text")).toList());
      }
    }
  }
}
