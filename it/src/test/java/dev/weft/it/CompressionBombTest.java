package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A deflate bomb: one WebSocket frame of about 40 KiB on the wire whose permessage-deflate payload
 * inflates to a 40 MiB {@code send}. Whatever the gateway does with it, it must not allocate the
 * 40 MiB, and the other sockets on the same event loop must not notice.
 */
@WeftIntegrationTest
class CompressionBombTest {

  private static final long MIB = 1024 * 1024;
  private static final int BOMBS = 3;
  private static final int BOMB_TEXT_BYTES = 40 * 1024 * 1024;
  /**
   * Far above what a bounded gateway may allocate for a bomb (twice WEFT_MAX_FRAME_BYTES, 128 KiB)
   * plus what the other services' event loops allocate meanwhile; far below one inflated bomb.
   */
  private static final long MEMORY_BOUND = 16 * MIB;
  private static final Duration PROMPTLY = Duration.ofSeconds(10);

  /**
   * One event loop, so the bombs and the bystanders share it and a stalled loop would starve them;
   * a short idle timeout, so a stall longer than 4 s closes the bystanders with 4000 as in the issue.
   */
  private static final Map<String, String> ENV = Map.of(
      "WEFT_EVENT_LOOPS", "1",
      "WEFT_PING_INTERVAL_MS", "1000",
      "WEFT_IDLE_TIMEOUT_MS", "4000");

  private static final byte[] BOMB = RawWebSocket.deflate(
      "{\"op\":\"send\",\"ref\":\"bomb\",\"to\":\"bob\",\"text\":\"", 'a', BOMB_TEXT_BYTES, "\"}");

  @Test
  @DisplayName("By default the gateway offers no compression: a compressed 40 MiB bomb is refused unread"
      + " (connection dropped, 1006), memory stays flat and a bystander's messages still flow")
  void byDefault_aCompressedFrameIsAProtocolErrorAndNothingIsInflated(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, ENV);
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("alice"), null);
        WsClient bob = WsClient.connect(fabric.port(1), fabric.token("bob"), null)) {
      fabric.awaitRoutable(2);

      Bombing run = bomb(fabric);

      assertAll(
          () -> run.assertMemoryBounded(),
          () -> assertTrue(run.extensions.stream().noneMatch(e -> e.contains("permessage-deflate")),
              "the 101 answers accepted no compression: " + run.extensions),
          () -> assertEquals(List.of(RawWebSocket.ABNORMAL, RawWebSocket.ABNORMAL, RawWebSocket.ABNORMAL), run.closeCodes,
              "each bomb's connection dropped within " + PROMPTLY),
          () -> assertBystandersCarryOn(alice, bob, "after-bombs"));
    }
  }

  @Test
  @DisplayName("With WEFT_WS_COMPRESSION=1 small compressed messages work, and a 40 MiB bomb is closed with 1009"
      + " after inflating at most twice WEFT_MAX_FRAME_BYTES; memory stays flat and a bystander carries on")
  void withCompressionOn_aBombIsClosedWith1009BeforeItIsInflated(WeftInfra infra) throws Exception {
    Map<String, String> env = new HashMap<>(ENV);
    env.put("WEFT_WS_COMPRESSION", "1");
    try (Fabric fabric = Fabric.start(infra, 1, env);
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("alice"), null);
        WsClient bob = WsClient.connect(fabric.port(1), fabric.token("bob"), null);
        RawWebSocket carol = RawWebSocket.open(fabric.port(1), fabric.token("carol"))) {
      assertTrue(carol.deflateNegotiated(), "permessage-deflate accepted: " + carol.extensions());
      assertEquals("welcome", carol.next(PROMPTLY).getString("op"), "the server's compressed welcome inflates");
      fabric.awaitRoutable(3);
      carol.sendCompressed(new JsonObject().put("op", "send").put("ref", "c-1").put("to", "bob").put("text", "squeezed"));
      assertEquals("ack", carol.next(PROMPTLY).getString("op"), "a small compressed send is acked");
      assertEquals("squeezed", bob.await(f -> "msg".equals(f.getString("op")), PROMPTLY).getString("text"));

      Bombing run = bomb(fabric);

      assertAll(
          () -> run.assertMemoryBounded(),
          () -> assertTrue(run.extensions.stream().allMatch(e -> e.contains("permessage-deflate")),
              "the 101 answers accepted compression: " + run.extensions),
          () -> assertEquals(List.of(1009, 1009, 1009), run.closeCodes, "each bomb closed with 1009 within " + PROMPTLY),
          () -> assertBystandersCarryOn(alice, bob, "after-bombs"),
          () -> {
            carol.sendCompressed(new JsonObject().put("op", "send").put("ref", "c-2").put("to", "bob").put("text", "still here"));
            assertEquals("ack", carol.next(PROMPTLY).getString("op"), "a compressed bystander carries on");
          });
    }
  }

  /** What three bomb connections saw, and the gateway's memory before and after them. */
  private record Bombing(List<String> extensions, List<Integer> closeCodes, GatewayMemory before, GatewayMemory after) {

    void assertMemoryBounded() {
      String figures = after.describeSince(before);
      System.out.println("weft-measure: " + BOMBS + " deflate bombs (" + BOMB.length + " bytes each on the wire): " + figures);
      assertAll(
          () -> assertTrue(after.eventLoopAllocatedSince(before) < MEMORY_BOUND, "event loops allocated little: " + figures),
          () -> assertTrue(after.heapUsedAfterGc() - before.heapUsedAfterGc() < MEMORY_BOUND, "heap kept little: " + figures),
          () -> assertTrue(after.directPool() - before.directPool() < MEMORY_BOUND, "direct pool kept little: " + figures),
          () -> assertTrue(after.nettyDirect() - before.nettyDirect() < MEMORY_BOUND, "Netty direct kept little: " + figures));
    }
  }

  /**
   * Opens {@value #BOMBS} raw connections, each sending one bomb, and waits for each to be closed. Nothing is
   * asserted here, so that a gateway that never closes them still has its memory read and reported.
   */
  private static Bombing bomb(Fabric fabric) throws IOException {
    List<RawWebSocket> sockets = new ArrayList<>();
    List<String> extensions = new ArrayList<>();
    List<Integer> closeCodes = new ArrayList<>();
    GatewayMemory before = GatewayMemory.read();
    try {
      for (int i = 1; i <= BOMBS; i++) {
        RawWebSocket ws;
        try {
          ws = RawWebSocket.open(fabric.port(1), fabric.token("mallory-" + i));
        } catch (IOException e) {
          // A gateway busy inflating the last bomb does not even answer the upgrade.
          extensions.add("no upgrade: " + e.getMessage());
          closeCodes.add(null);
          continue;
        }
        sockets.add(ws);
        extensions.add(ws.extensions());
        try {
          ws.next(PROMPTLY);
        } catch (AssertionError e) {
          // No welcome: the bomb goes anyway, and what the gateway does with it is what is measured.
        }
        try {
          ws.sendCompressed(BOMB);
        } catch (IOException e) {
          // Closed while the bomb was still being written: a fine answer too.
        }
        closeCodes.add(ws.closeCode(PROMPTLY));
      }
      return new Bombing(extensions, closeCodes, before, GatewayMemory.read());
    } finally {
      sockets.forEach(RawWebSocket::close);
    }
  }

  /** Alice's message reaches Bob, she gets her ack, and neither socket was closed. */
  private static void assertBystandersCarryOn(WsClient alice, WsClient bob, String ref) {
    alice.send(new JsonObject().put("op", "send").put("ref", ref).put("to", "bob").put("text", "unbothered"));
    assertEquals(ref, alice.await(f -> "ack".equals(f.getString("op")), PROMPTLY).getString("ref"));
    assertEquals("unbothered", bob.await(f -> "msg".equals(f.getString("op")), PROMPTLY).getString("text"));
    assertFalse(alice.isClosed() || bob.isClosed(), "the bystanders' sockets stayed open");
  }
}
