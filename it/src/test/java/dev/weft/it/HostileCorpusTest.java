package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The hostile-input corpus ({@code src/test/resources/hostile/*.json}, one file per area) against one real Weft. Each
 * case is checked four ways: it gets the answer docs/protocol.md documents; the attacking connection still answers a
 * harmless frame afterwards, or was closed with the documented code; a bystander pair on the same gateway exchanges a
 * message with nothing lost; and nothing the case should not store is in MariaDB. {@link HostileCases} reads the
 * files and says what a case may hold.
 */
@WeftIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileCorpusTest {

  static final List<String> AREAS = List.of("upgrade", "http", "frames", "send", "receipt", "groups", "signals",
      "refresh", "sizes", "encodings", "floods");
  private static final Duration ANSWER = Duration.ofSeconds(8);
  /** What a client-visible message must never hold: a stack frame, a Java exception or a package-qualified name. */
  static final Pattern LEAK = Pattern.compile(
      "\\bat [a-z]\\w*(\\.\\w+)+\\(|Exception|Throwable|\\b(java|javax|io\\.vertx|io\\.netty|com\\.fasterxml|com\\.auth0|org\\.apache|dev\\.weft)\\.[a-z]");
  static final int MAX_FRAME_BYTES = 8192;
  static final int MAX_TEXT_BYTES = 2000;

  private Fabric fabric;
  private Connection db;
  private HostileCases cases;
  private WsClient attacker;
  private WsClient byA;
  private WsClient byB;
  private final List<WsClient> held = new ArrayList<>();
  private int rounds;
  private long lastBystanderSeq = -1;
  private final Set<String> refused = new LinkedHashSet<>();
  private final Set<String> stored = new LinkedHashSet<>();
  /** The sender a stored case's row must name, whatever the frame claimed. */
  private final Map<String, String> senders = new java.util.HashMap<>();

  @BeforeAll
  void start(WeftInfra infra) throws Exception {
    fabric = Fabric.start(infra, 1, Map.ofEntries(
        Map.entry("WEFT_MAX_FRAME_BYTES", Integer.toString(MAX_FRAME_BYTES)),
        Map.entry("WEFT_MAX_TEXT_BYTES", Integer.toString(MAX_TEXT_BYTES)),
        Map.entry("WEFT_SEND_RATE", "200"),
        Map.entry("WEFT_SEND_BURST", "200"),
        Map.entry("WEFT_TYPING_RATE", "50"),
        Map.entry("WEFT_TYPING_BURST", "50"),
        Map.entry("WEFT_GROUP_LOOKUP_WAIT_MS", "200"),
        Map.entry("WEFT_GROUP_MAX_MEMBERS", "5"),
        Map.entry("WEFT_PRESENCE_MAX_SUBSCRIPTIONS", "10"),
        Map.entry("WEFT_MAX_PENDING_LOOKUPS", "8"),
        Map.entry("WEFT_MAX_CONNECTIONS_PER_USER", "4")));
    db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword());
    cases = new HostileCases(fabric, infra.jwtSecret());
    int port = fabric.port(1);
    byA = WsClient.connect(port, fabric.token("by-a"), "a");
    byB = WsClient.connect(port, fabric.token("by-b"), "b");
    attacker = WsClient.connect(port, fabric.token(HostileCases.ME), "m1");
    for (int i = 0; i < 4; i++) { // the "capped" user is at its connection cap for the whole run
      held.add(WsClient.connect(port, fabric.token("capped"), "c" + i));
    }
    fixtures(port);
    fabric.awaitRoutable(7);
    bystanderRound(); // delivery works before the first case
  }

  /** Groups the cases name, and a real cursor to forge others from. */
  private void fixtures(int port) {
    try (WsClient owner = WsClient.connect(port, fabric.token("owner"), "o")) {
      cases.vars.put("group", createGroup(owner, "member group", HostileCases.ME));
      cases.vars.put("foreignGroup", createGroup(owner, "foreign group", HostileCases.PEER));
    }
    cases.vars.put("adminGroup", createGroup(attacker, "admin group", HostileCases.PEER));
    try (WsClient fresh = WsClient.resume(port, fabric.token("cursor-maker"), "d", "new")) {
      JsonObject synced = fresh.await(f -> "synced".equals(f.getString("op")), ANSWER);
      cases.cursor(synced.getString("cursor"));
    }
  }

  private static String createGroup(WsClient c, String title, String... members) {
    c.send(new JsonObject().put("op", "group_create").put("ref", "fixture-" + title).put("title", title)
        .put("members", new JsonArray(List.of((Object[]) members))));
    JsonObject ack = c.await(f -> ("fixture-" + title).equals(f.getString("ref")), ANSWER);
    assertEquals("ack", ack.getString("op"), ack.encode());
    return ack.getString("conv");
  }

  @AfterAll
  void stop() throws Exception {
    for (WsClient c : held) {
      c.close();
    }
    for (WsClient c : new WsClient[] {attacker, byA, byB}) {
      if (c != null) {
        c.close();
      }
    }
    if (db != null) {
      db.close();
    }
    if (fabric != null) {
      fabric.close();
    }
  }

  @TestFactory
  Stream<DynamicNode> corpus() {
    List<DynamicNode> areas = new ArrayList<>();
    for (String area : AREAS) {
      List<DynamicNode> tests = new ArrayList<>();
      for (HostileCases.Case c : cases.load(area)) {
        tests.add(DynamicTest.dynamicTest(c.name(), () -> run(c)));
      }
      areas.add(org.junit.jupiter.api.DynamicContainer.dynamicContainer(area, tests));
    }
    areas.add(DynamicTest.dynamicTest("after every case: nothing refused was stored, every bystander message was",
        this::finalSweep));
    return areas.stream();
  }

  @org.junit.jupiter.api.Test
  void theCorpusHoldsAtLeastTwoHundredCases() {
    int total = AREAS.stream().mapToInt(a -> cases.load(a).size()).sum();
    assertTrue(total >= 200, "the corpus holds " + total + " cases");
  }

  private void run(HostileCases.Case c) throws Exception {
    ensureAttacker();
    List<JsonObject> stray = answers(attacker.drain());
    assertTrue(stray.isEmpty(), "answers arrived after their case ended: " + stray);
    switch (c.kind()) {
      case "upgrade", "http" -> http(c);
      case "wire" -> wire(c);
      default -> frames(c);
    }
    // (2) the attacking connection still answers, unless the case closed it (then it reconnects for the next one)
    if (!attacker.isClosed()) {
      probe(attacker, "after-" + c.index());
    }
    bystanderRound(); // (3)
    // (4) what the case refused is not stored; rows appear asynchronously, so the sweep at the end checks again
    if (c.stores()) {
      stored.add(c.marker());
      if (c.storedSender() != null) {
        senders.put(c.marker(), c.storedSender());
      }
    } else {
      refused.add(c.marker());
      assertEquals(0, rowsWith(c.marker()), "a refused case left a row in MariaDB");
    }
  }

  /** Frames on the attacker's socket: JSON, raw text, binary; once or as a flood. */
  private void frames(HostileCases.Case c) throws Exception {
    JsonObject expect = c.expect();
    for (int i = 0; i < c.repeat(); i++) {
      switch (c.kind()) {
        case "binary" -> attacker.sendBinary(c.binary());
        case "fragments" -> attacker.sendFragmented(c.fragments());
        default -> attacker.send(c.text(i));
      }
    }
    if (expect.containsKey("close")) {
      assertEquals(expect.getInteger("close"), attacker.closeCode(ANSWER), "close code");
      return;
    }
    int expected = expect.getBoolean("silent", false) ? 0
        : expect.containsKey("flood") && "none".equals(expect.getString("others")) ? -1 : c.repeat();
    String probeRef = "probe-" + c.index();
    sendProbe(attacker, probeRef);
    List<JsonObject> got = new ArrayList<>();
    boolean probed = false;
    long deadline = System.nanoTime() + ANSWER.toNanos();
    while (!probed || (expected >= 0 && got.size() < expected)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        fail("waited " + ANSWER + " for " + (expected < 0 ? "the probe" : expected + " answers") + "; got " + got
            + (probed ? "" : " and no probe answer"));
      }
      JsonObject f = attacker.next(Duration.ofNanos(left));
      if (probeRef.equals(f.getString("ref"))) {
        if ("rate_limited".equals(f.getString("code"))) {
          Thread.sleep(20); // a flood emptied the bucket: it refills at WEFT_SEND_RATE, nothing to poll but time
          sendProbe(attacker, probeRef);
          continue;
        }
        probed = true;
        assertEquals("ack", f.getString("op"), "the probe after the case: " + f.encode());
      } else if (isAnswer(f)) {
        got.add(f);
      }
    }
    got.forEach(HostileCorpusTest::assertNoLeak);
    if (expect.containsKey("flood")) {
      assertFlood(c, got);
    } else if (expected == 0) {
      assertTrue(got.isEmpty(), "expected no answer, got " + got);
    } else {
      for (JsonObject answer : got) {
        assertAnswer(c, answer);
      }
    }
  }

  private void assertFlood(HostileCases.Case c, List<JsonObject> got) {
    String code = c.expect().getString("flood");
    long limited = got.stream().filter(f -> code.equals(f.getString("code"))).count();
    assertTrue(limited > 0, "a flood of " + c.repeat() + " got no " + code + ": " + got.size() + " answers");
    for (JsonObject f : got) {
      if (code.equals(f.getString("code"))) {
        assertEquals(Boolean.TRUE, f.getBoolean("retry"), "a " + code + " error says retry: " + f.encode());
      } else {
        String others = c.expect().getString("others");
        assertTrue(others.equals(f.getString("op")) || others.equals(f.getString("code")), "the rest of the flood: " + f.encode());
      }
    }
  }

  private void assertAnswer(HostileCases.Case c, JsonObject answer) {
    JsonObject expect = c.expect();
    if (expect.containsKey("error")) {
      assertEquals("error", answer.getString("op"), "expected error " + expect.getString("error") + ", got " + answer.encode());
      assertEquals(expect.getString("error"), answer.getString("code"), answer.encode());
      String message = answer.getString("message");
      assertTrue(message != null && !message.isBlank(), "an error carries a message: " + answer.encode());
      if (expect.containsKey("retry")) {
        assertEquals(expect.getBoolean("retry"), answer.getBoolean("retry", false), answer.encode());
      }
    } else {
      assertEquals("ack", answer.getString("op"), "expected an ack, got " + answer.encode());
    }
    if (expect.containsKey("ref")) {
      assertEquals(c.resolve(expect.getString("ref")), answer.getString("ref"), "ref of " + answer.encode());
    }
  }

  /** A raw-socket case: bytes no WebSocket library sends. A fresh socket of its own, closed after. */
  private void wire(HostileCases.Case c) throws Exception {
    try (RawWebSocket raw = RawWebSocket.open(fabric.port(1), fabric.token("wire-user"))) {
      assertEquals("welcome", raw.next(ANSWER).getString("op"));
      for (HostileCases.WireFrame f : c.wireFrames()) {
        raw.sendRaw(f.firstByte(), f.payload(), f.masked());
      }
      JsonObject expect = c.expect();
      if (expect.containsKey("close")) {
        assertEquals(expect.getInteger("close"), raw.closeCode(ANSWER), "close code");
      } else {
        JsonObject answer = raw.next(ANSWER);
        assertNoLeak(answer);
        assertAnswer(c, answer);
        assertFalse(raw.isClosed(), "the socket stays open after " + answer.encode());
      }
    }
  }

  /** An upgrade or an HTTP request, written by hand so any method, header or token can be sent. */
  private void http(HostileCases.Case c) throws Exception {
    HostileCases.Request r = c.request();
    RawHttp.Answer a = RawHttp.exchange(fabric.port(1), r.method(), r.target(), r.headers());
    JsonObject expect = c.expect();
    assertEquals(expect.getInteger("status"), a.status(), "status; body: " + a.body());
    if (expect.containsKey("code")) {
      assertEquals(expect.getString("code"), a.code(), "code; body: " + a.body());
    }
    if (a.status() != 101) {
      assertFalse(LEAK.matcher(a.body()).find(), "the body leaks implementation details: " + a.body());
    }
  }

  private static boolean isAnswer(JsonObject f) {
    String op = f.getString("op");
    return "ack".equals(op) || "error".equals(op);
  }

  private static List<JsonObject> answers(List<JsonObject> frames) {
    return frames.stream().filter(HostileCorpusTest::isAnswer).toList();
  }

  static void assertNoLeak(JsonObject frame) {
    String message = frame.getString("message");
    if (message != null) {
      assertFalse(LEAK.matcher(message).find(), "a client-visible message leaks implementation details: " + message);
    }
  }

  private static void sendProbe(WsClient c, String ref) {
    c.send(new JsonObject().put("op", "presence_unsubscribe").put("ref", ref).put("users", new JsonArray().add("nobody")));
  }

  /** A harmless frame with an answer: the connection is still usable. Waits out a rate limit left by a flood. */
  private static void probe(WsClient c, String ref) throws InterruptedException {
    long deadline = System.nanoTime() + ANSWER.toNanos();
    while (true) {
      sendProbe(c, ref);
      JsonObject f = c.await(x -> ref.equals(x.getString("ref")), ANSWER);
      if ("ack".equals(f.getString("op"))) {
        return;
      }
      assertEquals("rate_limited", f.getString("code"), "the probe: " + f.encode());
      assertTrue(System.nanoTime() < deadline, "still rate limited after " + ANSWER);
      Thread.sleep(20); // the bucket refills at WEFT_SEND_RATE; nothing to poll but time
    }
  }

  private void ensureAttacker() {
    if (attacker.isClosed()) {
      attacker.close();
      attacker = WsClient.connect(fabric.port(1), fabric.token(HostileCases.ME), "m1");
    }
  }

  /** One message from one bystander to the other, acked, delivered once and in order. */
  private void bystanderRound() {
    rounds++;
    boolean forth = rounds % 2 == 1;
    WsClient from = forth ? byA : byB;
    WsClient to = forth ? byB : byA;
    String ref = "by-" + rounds;
    String text = "bystander-" + rounds;
    from.send(new JsonObject().put("op", "send").put("ref", ref).put("to", forth ? "by-b" : "by-a").put("text", text));
    JsonObject ack = from.await(f -> ref.equals(f.getString("ref")), ANSWER);
    assertEquals("ack", ack.getString("op"), "the bystander's send: " + ack.encode());
    JsonObject msg = to.await(f -> "msg".equals(f.getString("op")), ANSWER);
    assertEquals(text, msg.getString("text"), "the bystander got another message than the one sent: " + msg.encode());
    assertTrue(msg.getLong("seq") > lastBystanderSeq, "bystander messages in order");
    lastBystanderSeq = msg.getLong("seq");
    assertTrue(from.drain().stream().noneMatch(f -> "msg".equals(f.getString("op"))), "nothing twice");
  }

  private long rowsWith(String marker) throws Exception {
    try (PreparedStatement s = db.prepareStatement(
        "SELECT (SELECT COUNT(*) FROM messages WHERE text LIKE ?) + (SELECT COUNT(*) FROM groups_state WHERE title LIKE ?)")) {
      String like = "%" + marker + "%";
      s.setString(1, like);
      s.setString(2, like);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private void finalSweep() throws Exception {
    // Once every acked case and every bystander message is stored, the persister is past every refused case too.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      for (String m : stored) {
        if (rowsWith(m) == 0) {
          return false;
        }
      }
      return Sql.count(db, "SELECT COUNT(*) FROM messages WHERE text LIKE 'bystander-%'") == rounds;
    });
    Set<String> found = new HashSet<>();
    try (ResultSet rs = db.createStatement().executeQuery(
        "SELECT text FROM messages WHERE text LIKE '%hostile-%' UNION ALL SELECT title FROM groups_state WHERE title LIKE '%hostile-%'")) {
      while (rs.next()) {
        found.add(rs.getString(1));
      }
    }
    List<String> leaked = refused.stream().filter(m -> found.stream().anyMatch(t -> t.contains(m))).toList();
    assertTrue(leaked.isEmpty(), "refused cases left rows: " + leaked);
    for (Map.Entry<String, String> e : senders.entrySet()) {
      try (PreparedStatement s = db.prepareStatement("SELECT DISTINCT sender FROM messages WHERE text LIKE ?")) {
        s.setString(1, "%" + e.getKey() + "%");
        try (ResultSet rs = s.executeQuery()) {
          assertTrue(rs.next(), "no row for " + e.getKey());
          assertEquals(e.getValue(), rs.getString(1), "the stored sender is who the token says");
          assertFalse(rs.next(), "one sender only");
        }
      }
    }
  }
}
