package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConversationIds;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Lookups of group ids that do not exist: whatever one client sends, the work it causes is bounded and paid by that
 * client alone. Catch-up checks are coalesced (bounded by time, not by lookups), each connection has a bound on the
 * lookups it has waiting, and an id found unknown is answered from a negative cache for a while.
 */
@WeftIntegrationTest
class LookupStormTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int ATTACKERS = 4;
  /** Each attacker sends at least this many frames (half 8 KB sends, half receipts), and at most {@link #MOST_EACH}. */
  private static final int FRAMES_EACH = 4_000;
  private static final int MOST_EACH = 10_000;
  /** Above the default (32), so the storm makes many lookups at once and coalescing, not the bound, has to hold. */
  private static final int MAX_PENDING = 200;
  private static final String TEXT = "x".repeat(8 * 1024);
  /**
   * HTTP/1.1: the JDK client otherwise asks for an h2c upgrade, and against the gateway's /metrics that sometimes ends
   * in the client reading HTTP/1.1 bytes as HTTP/2 frames ("Frame type(101) ... exceeds MAX_FRAME_SIZE").
   */
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** Frames a client received while a test waited for another one: kept for the next wait, in order. */
  private final Map<WsClient, List<JsonObject>> passed = new IdentityHashMap<>();

  @Test
  @DisplayName("attackers sending thousands of 8 KB sends and receipts to random group ids get answers of their own"
      + " (not_member, too_many_pending), while a bystander on the same gateway is added to a group and talks in it and"
      + " a DM pair keeps talking; catch-up checks stay far fewer than lookups, and a repeated unknown id is answered"
      + " from the negative cache")
  void aStormOfUnknownGroupLookupsIsPaidByTheAttackersAlone(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of(
            "WEFT_SEND_RATE", "100000",
            "WEFT_SEND_BURST", "100000",
            "WEFT_MAX_PENDING_LOOKUPS", String.valueOf(MAX_PENDING)));
        WsClient carol = connect(fabric, "ls-carol");
        WsClient bob = connect(fabric, "ls-bob");
        WsClient dan = connect(fabric, "ls-dan");
        WsClient eve = connect(fabric, "ls-eve")) {
      fabric.awaitRoutable(4);
      List<Attacker> attackers = new ArrayList<>();
      for (int i = 0; i < ATTACKERS; i++) {
        attackers.add(new Attacker(connect(fabric, "ls-mallory-" + i)));
      }
      try {
        Figures before = Figures.scrape(fabric.opsPort(1));
        long startedAt = System.nanoTime();
        attackers.forEach(Attacker::start);
        attackers.forEach(a -> a.awaitSent(FRAMES_EACH / 8));

        // The bystanders' traffic during the storm; the figures below are printed whether it got through or not.
        AssertionError bystanders = null;
        try {
          bystandersCarryOn(carol, bob, dan, eve);
        } catch (AssertionError e) {
          bystanders = e;
        }
        attackers.forEach(Attacker::stopAfterMinimum);
        Figures after = Figures.scrape(fabric.opsPort(1));
        double seconds = (System.nanoTime() - startedAt) / 1e9;
        long lookups = after.lookups() - before.lookups();
        long checks = after.checks - before.checks;
        int frames = attackers.stream().mapToInt(a -> a.sent.get()).sum();
        System.out.printf("lookup storm: %d attacker frames in %.1f s; %d group lookups missed at first (%d waited, %d from"
                + " the negative cache); %d catch-up checks%n", frames, seconds, lookups, after.waited - before.waited,
            after.cached - before.cached, checks);
        AssertionError bystandersFailed = bystanders;
        assertAll("during the storm",
            () -> {
              if (bystandersFailed != null) {
                throw bystandersFailed;
              }
            },
            () -> assertTrue(checks * 50 < lookups,
                "catch-up checks (" + checks + ") are far fewer than lookups (" + lookups + ")"),
            () -> assertTrue(checks <= 30 * seconds + 30,
                checks + " catch-up checks in " + seconds + " s: bounded by time (the directory reads in 50 ms polls)"));

        Map<String, Integer> codes = new TreeMap<>();
        for (Attacker a : attackers) {
          Map<String, Integer> own = a.answers();
          assertTrue(own.getOrDefault("too_many_pending", 0) > 0, "an attacker over the bound is told so: " + own);
          own.forEach((code, n) -> codes.merge(code, n, Integer::sum));
        }
        System.out.println("lookup storm: answers to the attackers " + codes);
        assertTrue(Set.of("not_member", "too_many_pending", "rate_limited").containsAll(codes.keySet()), codes.toString());

        try (WsClient probe = connect(fabric, "ls-probe")) {
          String unknown = ConversationIds.newGroup();
          Figures f0 = Figures.scrape(fabric.opsPort(1));
          assertEquals("not_member", request(probe, send("p1", unknown)).getString("code"));
          Figures f1 = Figures.scrape(fabric.opsPort(1));
          assertEquals(1, f1.waited - f0.waited, "the first lookup of the id waited for the directory");
          assertEquals("not_member", request(probe, receipt("p2", unknown)).getString("code"));
          assertEquals("not_member", request(probe, send("p3", unknown)).getString("code"));
          Figures f2 = Figures.scrape(fabric.opsPort(1));
          assertEquals(2, f2.cached - f1.cached, "the repeated lookups were answered from the negative cache");
          assertEquals(f1.waited, f2.waited, "and did not wait");
        }
      } finally {
        attackers.forEach(Attacker::close);
      }
    }
  }

  @Test
  @DisplayName("a group whose id was cached as unknown (its router was down) is usable as soon as its snapshot arrives")
  void aGroupCachedAsUnknownIsUsableOnceItsSnapshotArrives(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of());
        WsClient carol = connect(fabric, "lc-carol");
        WsClient bob = connect(fabric, "lc-bob")) {
      fabric.awaitRoutable(2);
      fabric.stopRouter();
      JsonObject created = request(carol, create("c", "lc-bob"));
      assertEquals("ack", created.getString("op"), created.encode());
      String conv = created.getString("conv");
      // No router, no snapshot: the lookup waits its bounded while, then the id is cached as unknown.
      assertEquals("not_member", request(carol, send("s1", conv)).getString("code"));
      Figures f0 = Figures.scrape(fabric.opsPort(1));
      assertEquals("not_member", request(carol, send("s2", conv)).getString("code"));
      assertEquals(1, Figures.scrape(fabric.opsPort(1)).cached - f0.cached, "answered from the negative cache");

      fabric.startRouter();
      fabric.awaitRoutable(2);
      awaitFrame(bob, f -> "event".equals(f.getString("op")) && conv.equals(f.getString("conv")));
      JsonObject ack = request(carol, send("s3", conv));
      assertEquals("ack", ack.getString("op"), ack.encode());
      assertEquals(ack.getString("id"), awaitFrame(bob, f -> "msg".equals(f.getString("op"))).getString("id"));
    }
  }

  /** A group made during the storm, messages both ways in it and a receipt; a DM both ways. Three times. */
  private void bystandersCarryOn(WsClient carol, WsClient bob, WsClient dan, WsClient eve) {
    for (int round = 0; round < 3; round++) {
      JsonObject created = request(carol, create("c" + round, "ls-bob"));
      assertEquals("ack", created.getString("op"), created.encode());
      String conv = created.getString("conv");
      awaitFrame(bob, f -> "event".equals(f.getString("op")) && conv.equals(f.getString("conv")));
      // The creator writes at once, perhaps before this gateway has the snapshot: that must still work.
      JsonObject fromCarol = request(carol, send("c-m" + round, conv));
      assertEquals("ack", fromCarol.getString("op"), fromCarol.encode());
      JsonObject fromBob = request(bob, send("b-m" + round, conv));
      assertEquals("ack", fromBob.getString("op"), fromBob.encode());
      awaitFrame(bob, f -> fromCarol.getString("id").equals(f.getString("id")));
      awaitFrame(carol, f -> fromBob.getString("id").equals(f.getString("id")));
      JsonObject read = request(bob, receipt("b-r" + round, conv).put("seq", fromCarol.getLong("seq")));
      assertEquals("ack", read.getString("op"), read.encode());

      JsonObject toEve = request(dan, new JsonObject().put("op", "send").put("ref", "d" + round).put("to", "ls-eve")
          .put("text", "hi eve"));
      assertEquals("ack", toEve.getString("op"), toEve.encode());
      awaitFrame(eve, f -> toEve.getString("id").equals(f.getString("id")));
      JsonObject toDan = request(eve, new JsonObject().put("op", "send").put("ref", "e" + round).put("to", "ls-dan")
          .put("text", "hi dan"));
      assertEquals("ack", toDan.getString("op"), toDan.encode());
      awaitFrame(dan, f -> toDan.getString("id").equals(f.getString("id")));
    }
  }

  /** One connection sending sends and receipts to random group ids, as fast as it can, on its own thread. */
  private static final class Attacker implements AutoCloseable {
    final WsClient client;
    final AtomicInteger sent = new AtomicInteger();
    private final Thread thread;
    private volatile boolean stop;

    Attacker(WsClient client) {
      this.client = client;
      this.thread = new Thread(this::run, "attacker");
    }

    void start() {
      thread.start();
    }

    private void run() {
      for (int i = 0; i < MOST_EACH && !(stop && i >= FRAMES_EACH); i++) {
        String conv = ConversationIds.newGroup();
        client.send(i % 2 == 0 ? send("a" + i, conv) : receipt("a" + i, conv));
        sent.incrementAndGet();
      }
    }

    void awaitSent(int frames) {
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> sent.get() >= frames);
    }

    void stopAfterMinimum() {
      stop = true;
      try {
        thread.join(WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      assertTrue(!thread.isAlive(), "the attacker finished sending");
    }

    /** Waits for one answer per frame sent; counts them by code. */
    Map<String, Integer> answers() {
      Map<String, Integer> codes = new TreeMap<>();
      for (JsonObject f : client.collect(f -> f.getString("ref", "").startsWith("a"), sent.get(), Duration.ofSeconds(60))) {
        codes.merge("error".equals(f.getString("op")) ? f.getString("code") : f.getString("op"), 1, Integer::sum);
      }
      return codes;
    }

    @Override
    public void close() {
      stop = true;
      client.close();
    }
  }

  /** The gateway's own count of what lookups cost, read from its /metrics. */
  private record Figures(long waited, long cached, long checks) {
    long lookups() {
      return waited + cached;
    }

    static Figures scrape(int port) throws Exception {
      String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      return new Figures(sum(text, "weft_gateway_group_lookups_total", "answer=\"waited\""),
          sum(text, "weft_gateway_group_lookups_total", "answer=\"cached_unknown\""),
          sum(text, "weft_gateway_group_catchup_checks_total", ""));
    }

    private static long sum(String text, String name, String label) {
      double total = 0;
      for (String line : text.split("\n")) {
        if ((line.startsWith(name + "{") || line.startsWith(name + " ")) && line.contains(label)) {
          total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return (long) total;
    }
  }

  private static WsClient connect(Fabric fabric, String user) {
    return WsClient.connect(fabric.port(1), fabric.token(user), null);
  }

  private static JsonObject send(String ref, String conv) {
    return new JsonObject().put("op", "send").put("ref", ref).put("conv", conv).put("text", TEXT);
  }

  private static JsonObject receipt(String ref, String conv) {
    return new JsonObject().put("op", "receipt").put("ref", ref).put("conv", conv).put("kind", "read").put("seq", 1);
  }

  private static JsonObject create(String ref, String member) {
    return new JsonObject().put("op", "group_create").put("ref", ref).put("title", "storm " + ref)
        .put("members", new JsonArray().add(member));
  }

  /** Sends a frame and returns the answer with its ref, keeping what came before it for {@link #awaitFrame}. */
  private JsonObject request(WsClient c, JsonObject frame) {
    c.send(frame);
    String ref = frame.getString("ref");
    return awaitFrame(c, f -> ref.equals(f.getString("ref")));
  }

  /** The first frame, kept or new, that matches; those that do not are kept. */
  private JsonObject awaitFrame(WsClient c, Predicate<JsonObject> match) {
    List<JsonObject> kept = passed.computeIfAbsent(c, k -> new ArrayList<>());
    for (Iterator<JsonObject> it = kept.iterator(); it.hasNext(); ) {
      JsonObject f = it.next();
      if (match.test(f)) {
        it.remove();
        return f;
      }
    }
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching frame within " + WAIT);
      }
      JsonObject f = c.next(Duration.ofNanos(left));
      if (match.test(f)) {
        return f;
      }
      kept.add(f);
    }
  }
}
