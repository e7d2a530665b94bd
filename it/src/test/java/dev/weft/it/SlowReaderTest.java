package dev.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConversationIds;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@WeftIntegrationTest
class SlowReaderTest {

  private static final int MESSAGES = 1000;
  private static final String TEXT = "x".repeat(12_000);


  @Test
  @DisplayName("a reader that cannot keep up is cut off at its queue bound, others are not, and it catches up with its cursor")
  void slowReaderIsDisconnectedAtTheBoundAndCatchesUp(WeftInfra infra) throws Exception {
    // The default 1 MiB bound: far under the ~8 MB that piles up in front of the silent peer (12 MB sent, ~4 MB of
    // kernel buffers), far over what a fast reader on a loaded CI machine lags by (a 64 KiB bound cut it off too).
    Map<String, String> env = Map.of("WEFT_SOCKET_WRITE_QUEUE_BYTES", "1048576", "WEFT_SEND_RATE", "100000", "WEFT_SEND_BURST", "100000");
    String conv = ConversationIds.direct("alice", "bob");
    try (Fabric fabric = Fabric.start(infra, 1, env)) {
      // The slow device's last cursor, from before it got stuck.
      String cursor;
      try (WsClient slowBefore = WsClient.resume(fabric.port(1), fabric.token("bob"), "slow", "new")) {
        cursor = ResumeTest.untilSynced(slowBefore).cursor();
      }
      stuckThenCaughtUp(fabric, cursor);
    }
  }

  private static void stuckThenCaughtUp(Fabric fabric, String cursor) throws Exception {
    try (
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("alice"), null);
        WsClient bobFast = WsClient.connect(fabric.port(1), fabric.token("bob"), "fast");
        Socket bobSlow = SilentPeer.upgrade(fabric.port(1), fabric.token("bob"))) {
      fabric.awaitRoutable(3);
      for (int i = 0; i < MESSAGES; i++) {
        alice.send(new JsonObject().put("op", "send").put("ref", "r" + i).put("to", "bob").put("text", TEXT));
      }
      // The fast device of the same user gets everything; the stuck one is closed when its queue is full.
      assertEquals(MESSAGES, bobFast.collect(f -> "msg".equals(f.getString("op")), MESSAGES, Duration.ofSeconds(60)).size());
      await().atMost(Duration.ofSeconds(20)).until(() -> fabric.gateways.get(0).connections() == 2);
      await().atMost(Duration.ofSeconds(20)).until(() -> fabric.router.knownSessions() == 2);
      // 12 MB went to a reader that took none of it; the gateway never held more than the bound for it.
      long peak = fabric.gateways.get(0).peakSocketQueue();
      assertTrue(peak <= 1_048_576, "at most the bound was ever queued for one socket, not " + peak);
      assertTrue(peak > 1_048_576 - 2 * TEXT.length(), "the bound was reached: " + peak);

      // Reconnected with its cursor, the slow device gets everything it missed: 12 MB through a 1 MiB bound,
      // because catch-up waits for the socket to drain instead of queueing.
      try (WsClient bobAgain = WsClient.resume(fabric.port(1), fabric.token("bob"), "slow", cursor)) {
        List<JsonObject> caught = ResumeTest.untilSynced(bobAgain).messages();
        assertEquals(MESSAGES, caught.size());
        assertTrue(caught.stream().allMatch(m -> TEXT.equals(m.getString("text"))));
        assertEquals(MESSAGES, caught.stream().map(m -> m.getString("id")).distinct().count());
      }
    }
  }
}
