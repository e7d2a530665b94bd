package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Reconnecting with a cursor: what was missed, in order, then live, with nothing twice and nothing skipped. */
@WeftIntegrationTest
class ResumeTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Map<String, String> FAST_SENDERS = Map.of("WEFT_SEND_RATE", "100000", "WEFT_SEND_BURST", "100000");

  /** What a socket got between its welcome and {@code synced}. */
  record CatchUpFrames(List<JsonObject> messages, List<JsonObject> receipts, JsonObject synced) {
    String cursor() {
      return synced.getString("cursor");
    }
  }

  static CatchUpFrames untilSynced(WsClient c) {
    List<JsonObject> messages = new ArrayList<>();
    List<JsonObject> receipts = new ArrayList<>();
    while (true) {
      JsonObject f = c.next(WAIT);
      switch (f.getString("op")) {
        case "msg", "event" -> messages.add(f);
        case "receipt" -> receipts.add(f);
        case "synced" -> {
          return new CatchUpFrames(messages, receipts, f);
        }
        default -> throw new AssertionError("unexpected frame while catching up: " + f);
      }
    }
  }

  /** Sends one message per text and returns the acks, in order. */
  static List<JsonObject> sendAll(WsClient from, String to, String refPrefix, int count) {
    for (int i = 0; i < count; i++) {
      from.send(new JsonObject().put("op", "send").put("ref", refPrefix + i).put("to", to).put("text", refPrefix + " " + i));
    }
    return from.collect(f -> "ack".equals(f.getString("op")), count, WAIT);
  }

  static List<String> ids(List<JsonObject> frames) {
    return frames.stream().map(f -> f.getString("id")).toList();
  }

  @Test
  @DisplayName("a device resuming on another gateway gets exactly what it missed, new conversations too, in order, then live")
  void resumeGivesExactlyWhatWasMissedThenLive(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 2, Map.of());
        WsClient alice = WsClient.connect(fabric.port(2), fabric.token("r1-alice"), null);
        WsClient carol = WsClient.connect(fabric.port(2), fabric.token("r1-carol"), null)) {
      String cursor;
      try (WsClient bob = WsClient.resume(fabric.port(1), fabric.token("r1-bob"), "phone", "new")) {
        CatchUpFrames first = untilSynced(bob);
        assertTrue(first.messages().isEmpty(), "a new user has no history");
        fabric.awaitRoutable(3);
        List<JsonObject> acks = sendAll(alice, "r1-bob", "seen", 3);
        List<JsonObject> live = bob.collect(f -> "msg".equals(f.getString("op")), 3, WAIT);
        assertEquals(ids(acks), ids(live));
        live.forEach(m -> assertNotNull(m.getString("cursor"), "every live message carries the cursor after it"));
        cursor = live.get(2).getString("cursor");
      }

      List<JsonObject> missed = new ArrayList<>(sendAll(alice, "r1-bob", "missed", 4));
      missed.addAll(sendAll(carol, "r1-bob", "newconv", 2)); // a conversation Bob's device has never seen

      try (WsClient bob = WsClient.resume(fabric.port(2), fabric.token("r1-bob"), "phone", cursor)) {
        CatchUpFrames caught = untilSynced(bob);
        assertEquals(Set.copyOf(ids(missed)), Set.copyOf(ids(caught.messages())), "exactly the missed messages");
        assertEquals(missed.size(), caught.messages().size(), "each once");
        Map<String, Long> lastSeq = new HashMap<>();
        for (JsonObject m : caught.messages()) {
          Long before = lastSeq.put(m.getString("conv"), m.getLong("seq"));
          assertTrue(before == null || before < m.getLong("seq"), "in order within each conversation");
        }

        List<JsonObject> after = sendAll(alice, "r1-bob", "after", 1);
        JsonObject next = bob.await(f -> "msg".equals(f.getString("op")), WAIT);
        assertEquals(after.get(0).getString("id"), next.getString("id"), "then live, nothing in between");
      }
    }
  }

  @Test
  @DisplayName("a brand-new device gets the configured number of recent messages per conversation, then live")
  void newDeviceGetsConfiguredRecentHistory(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of("WEFT_NEW_DEVICE_MESSAGES", "3"));
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("r2-alice"), null);
        WsClient carol = WsClient.connect(fabric.port(1), fabric.token("r2-carol"), null)) {
      List<JsonObject> fromAlice = sendAll(alice, "r2-bob", "a", 5);
      List<JsonObject> fromCarol = sendAll(carol, "r2-bob", "c", 2);

      try (WsClient bob = WsClient.resume(fabric.port(1), fabric.token("r2-bob"), "tablet", "new")) {
        CatchUpFrames caught = untilSynced(bob);
        List<String> expected = new ArrayList<>(ids(fromAlice.subList(2, 5)));
        expected.addAll(ids(fromCarol));
        assertEquals(Set.copyOf(expected), Set.copyOf(ids(caught.messages())));
        assertEquals(5, caught.messages().size());
        List<String> aliceOrder = caught.messages().stream().filter(m -> "r2-alice".equals(m.getString("from")))
            .map(m -> m.getString("id")).toList();
        assertEquals(ids(fromAlice.subList(2, 5)), aliceOrder, "the latest three, oldest first");
        assertNotNull(caught.cursor());

        List<JsonObject> after = sendAll(carol, "r2-bob", "live", 1);
        assertEquals(after.get(0).getString("id"), bob.await(f -> "msg".equals(f.getString("op")), WAIT).getString("id"));
      }
    }
  }

  @Test
  @DisplayName("messages sent while a long catch-up runs arrive once each, after it, in order")
  void liveTrafficDuringCatchUpIsNeitherLostNorDoubled(WeftInfra infra) throws Exception {
    Map<String, String> env = new HashMap<>(FAST_SENDERS);
    env.put("WEFT_CATCHUP_PAGE", "7"); // many pages, so live traffic lands while history is still being read
    try (Fabric fabric = Fabric.start(infra, 2, env);
        WsClient alice = WsClient.connect(fabric.port(2), fabric.token("r3-alice"), null)) {
      String cursor;
      try (WsClient bob = WsClient.resume(fabric.port(1), fabric.token("r3-bob"), "phone", "new")) {
        cursor = untilSynced(bob).cursor();
      }
      List<JsonObject> acks = new ArrayList<>(sendAll(alice, "r3-bob", "before", 150));
      CompletableFuture<List<JsonObject>> during = CompletableFuture.supplyAsync(() -> sendAll(alice, "r3-bob", "during", 100));

      try (WsClient bob = WsClient.resume(fabric.port(1), fabric.token("r3-bob"), "phone", cursor)) {
        List<JsonObject> got = new ArrayList<>(untilSynced(bob).messages());
        acks.addAll(during.get());
        Set<String> all = new HashSet<>(ids(acks));
        while (!new HashSet<>(ids(got)).containsAll(all)) {
          got.add(bob.await(f -> "msg".equals(f.getString("op")), WAIT));
        }
        assertEquals(acks.size(), got.size(), "nothing twice");
        assertEquals(ids(acks), ids(got), "everything, in the order it was sent");
        for (int i = 1; i < got.size(); i++) {
          assertTrue(got.get(i).getLong("seq") > got.get(i - 1).getLong("seq"));
        }
      }
    }
  }

  @Test
  @DisplayName("receipts stored while a device was away reach it when it resumes")
  void receiptsReportedWhileAwayArriveOnResume(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of());
        WsClient bob = WsClient.connect(fabric.port(1), fabric.token("r4-bob"), null)) {
      String cursor;
      JsonObject ack;
      try (WsClient alice = WsClient.resume(fabric.port(1), fabric.token("r4-alice"), "phone", "new")) {
        cursor = untilSynced(alice).cursor();
        fabric.awaitRoutable(2);
        ack = sendAll(alice, "r4-bob", "hello", 1).get(0);
      }
      bob.await(f -> "msg".equals(f.getString("op")), WAIT);
      bob.send(new JsonObject().put("op", "receipt").put("ref", "rr").put("conv", ack.getString("conv"))
          .put("kind", "read").put("seq", ack.getLong("seq")));
      bob.await(f -> "ack".equals(f.getString("op")), WAIT);

      try (WsClient alice = WsClient.resume(fabric.port(1), fabric.token("r4-alice"), "phone", cursor)) {
        CatchUpFrames caught = untilSynced(alice);
        assertTrue(caught.receipts().stream().anyMatch(r -> "r4-bob".equals(r.getString("user"))
            && "read".equals(r.getString("kind")) && r.getLong("seq") == ack.getLong("seq")), "Bob's read position: " + caught);
        assertEquals(List.of(ack.getString("id")), ids(caught.messages()), "her own message comes back, with the id she has");
      }
    }
  }

  @Test
  @DisplayName("a cursor from another incarnation of the topics starts the device over and says so; a forged one is refused")
  void staleCursorStartsOverAndMalformedOneIsRefused(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of())) {
      String token = fabric.token("r5-bob");
      String real;
      try (WsClient bob = WsClient.resume(fabric.port(1), token, null, "new")) {
        real = untilSynced(bob).cursor();
      }
      try (WsClient bob = WsClient.resume(fabric.port(1), token, null, "c1.someOtherTopicId.0.0")) {
        assertEquals(Boolean.TRUE, untilSynced(bob).synced().getBoolean("reset"));
      }
      String oneShort = real.substring(0, real.lastIndexOf('.'));
      for (String bad : List.of("garbage", "c1.x.y.z", oneShort)) {
        assertEquals(400, WsClient.handshakeStatus(WsClient.uri(fabric.port(1),
            "cursor=" + java.net.URLEncoder.encode(bad, java.nio.charset.StandardCharsets.UTF_8)), token), bad);
      }
    }
  }
}
