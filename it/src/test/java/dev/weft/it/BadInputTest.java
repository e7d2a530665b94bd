package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConversationIds;
import dev.weft.common.JwtSettings;
import dev.weft.common.Tokens;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every kind of bad input gets its documented code, and the gateway and other connections carry on. */
@WeftIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

  private Fabric fabric;
  private String secret;

  @BeforeAll
  void start(WeftInfra infra) {
    secret = infra.jwtSecret();
    fabric = Fabric.start(infra, 1, Map.of(
        "WEFT_MAX_FRAME_BYTES", "4096",
        "WEFT_MAX_TEXT_BYTES", "1000",
        "WEFT_SEND_RATE", "20",
        "WEFT_SEND_BURST", "40",
        "WEFT_MAX_CONNECTIONS_PER_USER", "3"));
  }

  @AfterAll
  void stop() {
    fabric.close();
  }

  private WsClient connect(String user) {
    return WsClient.connect(fabric.port(1), fabric.token(user), null);
  }

  private static JsonObject send(String ref, String to, String text) {
    return new JsonObject().put("op", "send").put("ref", ref).put("to", to).put("text", text);
  }

  /** The connection still works: a valid send is acked. */
  private static void assertStillWorks(WsClient c, String ref) {
    c.send(send(ref, "someone-else", "still here"));
    JsonObject ack = c.next();
    assertEquals("ack", ack.getString("op"), ack.encode());
    assertEquals(ref, ack.getString("ref"));
  }

  private static void assertError(WsClient c, String code, String ref) {
    JsonObject e = c.next();
    assertEquals("error", e.getString("op"), e.encode());
    assertEquals(code, e.getString("code"), e.encode());
    assertEquals(ref, e.getString("ref"));
    assertTrue(e.getString("message").length() > 0);
  }

  @Test
  void malformedJsonGetsBadJson() {
    try (WsClient c = connect("mal")) {
      c.send("{not json");
      assertError(c, "bad_json", null);
      c.send("[1,2,3]");
      assertError(c, "bad_json", null);
      assertStillWorks(c, "after-bad-json");
    }
  }

  @Test
  void unknownOpGetsUnknownOp() {
    try (WsClient c = connect("unk")) {
      c.send(new JsonObject().put("op", "teleport").put("ref", "r1"));
      assertError(c, "unknown_op", "r1");
      c.send(new JsonObject().put("ref", "r2"));
      assertError(c, "bad_request", "r2");
      assertStillWorks(c, "after-unknown");
    }
  }

  @Test
  void missingOrWrongTypedFieldsGetBadRequest() {
    try (WsClient c = connect("typ")) {
      c.send(new JsonObject().put("op", "send").put("to", "bob").put("text", "no ref"));
      assertError(c, "bad_request", null);
      c.send(new JsonObject().put("op", "send").put("ref", "r1").put("to", "bob").put("text", 42));
      assertError(c, "bad_request", "r1");
      c.send(new JsonObject().put("op", "send").put("ref", "r2").put("to", "bob"));
      assertError(c, "bad_request", "r2");
      c.send(new JsonObject().put("op", "send").put("ref", "r3").put("text", "neither to nor conv"));
      assertError(c, "bad_request", "r3");
      c.send(new JsonObject().put("op", "send").put("ref", "r4").put("to", "bob").put("conv", "x").put("text", "both"));
      assertError(c, "bad_request", "r4");
      c.send(new JsonObject().put("op", "send").put("ref", 7).put("to", "bob").put("text", "numeric ref"));
      assertError(c, "bad_request", null);
      c.send(new JsonObject().put("op", "send").put("ref", "r5").put("to", List.of("bob")).put("text", "array to"));
      assertError(c, "bad_recipient", "r5");
      assertStillWorks(c, "after-types");
    }
  }

  @Test
  void textOverTheLimitGetsTextTooLong() {
    try (WsClient c = connect("long")) {
      c.send(send("r1", "bob", "x".repeat(1001)));
      assertError(c, "text_too_long", "r1");
      // 334 three-byte characters: under 1000 characters, over 1000 bytes.
      c.send(send("r2", "bob", "\u20ac".repeat(334)));
      assertError(c, "text_too_long", "r2");
      assertStillWorks(c, "after-long");
    }
  }

  @Test
  void frameOverTheMaximumClosesOnlyThatSocketWith1009() {
    try (WsClient other = connect("bystander"); WsClient c = connect("big")) {
      c.send(send("r1", "bob", "x".repeat(5000)));
      assertEquals(1009, c.closeCode(Duration.ofSeconds(10)));
      assertStillWorks(other, "bystander-ok");
    }
  }

  @Test
  void messageOverTwiceTheMaximumInContinuationFramesClosesThatSocketWith1009() {
    try (WsClient other = connect("bystander2"); WsClient c = connect("fragments")) {
      // Each frame is small; together they pass the hard limit, where Vert.x stops gathering the message.
      c.sendFragmented(java.util.Collections.nCopies(6, "x".repeat(2000)));
      assertEquals(1009, c.closeCode(Duration.ofSeconds(10)));
      assertStillWorks(other, "bystander2-ok");
    }
  }

  @Test
  void binaryFrameGetsBinaryNotSupported() {
    try (WsClient c = connect("bin")) {
      c.sendBinary(new byte[] {1, 2, 3});
      assertError(c, "binary_not_supported", null);
      assertStillWorks(c, "after-binary");
    }
  }

  @Test
  void sendingToYourselfGetsBadRecipient() {
    try (WsClient c = connect("narcissus")) {
      c.send(send("r1", "narcissus", "hi me"));
      assertError(c, "bad_recipient", "r1");
      c.send(send("r2", "has space", "hi"));
      assertError(c, "bad_recipient", "r2");
    }
  }

  @Test
  void writingToSomeoneElsesConversationGetsNotMember() {
    try (WsClient c = connect("mallory")) {
      c.send(new JsonObject().put("op", "send").put("ref", "r1").put("conv", ConversationIds.direct("alice", "bob")).put("text", "hi"));
      assertError(c, "not_member", "r1");
      c.send(new JsonObject().put("op", "send").put("ref", "r2").put("conv", "no-such-conversation").put("text", "hi"));
      assertError(c, "not_member", "r2");
      assertStillWorks(c, "after-not-member");
    }
  }

  @Test
  void aFloodIsRateLimitedAndTheConnectionRecovers() throws Exception {
    try (WsClient c = connect("flooder"); WsClient other = connect("calm")) {
      for (int i = 0; i < 100; i++) {
        c.send(send("f-" + i, "victim", "flood " + i));
      }
      List<JsonObject> replies = c.collect(f -> true, 100, Duration.ofSeconds(20));
      long limited = replies.stream().filter(f -> "rate_limited".equals(f.getString("code"))).count();
      // The connection's first one-to-one sends wait for its block state, loaded as it connected: past the pending
      // bound a flood that starts at once is also told to slow down.
      long waiting = replies.stream().filter(f -> "too_many_pending".equals(f.getString("code"))).count();
      long acked = replies.stream().filter(f -> "ack".equals(f.getString("op"))).count();
      assertTrue(limited > 0, "some frames were rate limited");
      assertEquals(100, limited + waiting + acked, String.valueOf(replies));
      assertTrue(replies.stream().filter(f -> f.containsKey("code")).allMatch(f -> f.getBoolean("retry")));
      assertStillWorks(other, "calm-ok");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
        c.send(send("late", "victim", "later"));
        assertEquals("ack", c.next().getString("op"));
      });
    }
  }

  @Test
  void aUserOverTheConnectionCapIsRefusedWith429AndAClosedSocketFreesItsPlace() {
    List<WsClient> open = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        open.add(WsClient.connect(fabric.port(1), fabric.token("many-sockets"), "d" + i));
      }
      URI uri = WsClient.uri(fabric.port(1), "device=d3");
      assertEquals(429, WsClient.handshakeStatus(uri, fabric.token("many-sockets")), "a fourth socket");
      try (WsClient other = connect("someone-with-one")) {
        assertStillWorks(other, "cap-other"); // another user is not affected
      }
      open.remove(0).close();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
          .until(() -> WsClient.handshakeStatus(uri, fabric.token("many-sockets")) == -1);
    } finally {
      open.forEach(WsClient::close);
    }
  }

  @Test
  void badTokensAreRefusedBeforeTheUpgradeWith401() {
    URI uri = WsClient.uri(fabric.port(1), null);
    assertEquals(401, WsClient.handshakeStatus(uri, null), "missing");
    assertEquals(401, WsClient.handshakeStatus(uri, "not-a-jwt"), "malformed");
    Tokens forger = new Tokens(new JwtSettings("a-completely-different-secret-of-32b", null), Clock.systemUTC());
    assertEquals(401, WsClient.handshakeStatus(uri, forger.issue("alice", Duration.ofHours(1))), "wrongly signed");
    JwtSettings real = new JwtSettings(secret, null);
    Tokens past = new Tokens(real, Clock.fixed(Instant.now().minus(Duration.ofHours(3)), ZoneOffset.UTC));
    assertEquals(401, WsClient.handshakeStatus(uri, past.issue("alice", Duration.ofHours(1))), "expired");
    com.auth0.jwt.algorithms.Algorithm hs256 = com.auth0.jwt.algorithms.Algorithm.HMAC256(secret);
    assertEquals(401, WsClient.handshakeStatus(uri, com.auth0.jwt.JWT.create().withSubject("alice").sign(hs256)),
        "no exp: a token that never expires");
    assertEquals(401, WsClient.handshakeStatus(uri, com.auth0.jwt.JWT.create().withSubject("alice")
        .withExpiresAt(Instant.now().plus(Duration.ofDays(3))).sign(hs256)), "exp beyond the maximum lifetime");
    assertEquals(401, WsClient.handshakeStatus(uri, com.auth0.jwt.JWT.create().withClaim("sub", 42)
        .withExpiresAt(Instant.now().plus(Duration.ofHours(1))).sign(hs256)), "sub a JSON number");
    // The token may also come in the query, for browsers.
    assertEquals(-1, WsClient.handshakeStatus(WsClient.uri(fabric.port(1), "access_token=" + fabric.token("q")), null));
  }

  @Test
  void historyOfSomeoneElsesConversationIs403AndBadTokenIs401() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String url = "http://127.0.0.1:" + fabric.port(1) + "/v1/conversations/" + ConversationIds.direct("alice", "bob") + "/messages";
    HttpResponse<String> forbidden = http.send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + fabric.token("mallory")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, forbidden.statusCode());
    assertEquals("not_member", new JsonObject(forbidden.body()).getString("code"));
    HttpResponse<String> unauthorized = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, unauthorized.statusCode());
    assertEquals("missing_token", new JsonObject(unauthorized.body()).getString("code"));
    HttpResponse<String> badLimit = http.send(HttpRequest.newBuilder(URI.create(url + "?limit=lots"))
        .header("Authorization", "Bearer " + fabric.token("alice")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, badLimit.statusCode());
    HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + fabric.token("alice")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ok.statusCode(), ok.body());
  }
}
