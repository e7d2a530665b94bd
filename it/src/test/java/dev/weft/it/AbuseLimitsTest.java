package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Per-address and per-user limits on a real gateway. The test's loopback peer is a trusted proxy, so each test speaks
 * for its own client addresses through X-Forwarded-For and no test spends another's budget.
 */
@WeftIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AbuseLimitsTest {

  private Fabric fabric;

  @BeforeAll
  void start(WeftInfra infra) {
    fabric = Fabric.start(infra, 1, Map.ofEntries(
        Map.entry("WEFT_TRUSTED_PROXIES", "127.0.0.1/32,::1/128"),
        Map.entry("WEFT_MAX_CONNECTIONS_PER_ADDRESS", "3"),
        Map.entry("WEFT_CONNECT_RATE_PER_ADDRESS", "1"),
        Map.entry("WEFT_CONNECT_BURST_PER_ADDRESS", "5"),
        Map.entry("WEFT_SEND_RATE", "1000"),
        Map.entry("WEFT_SEND_BURST", "1000"),
        Map.entry("WEFT_SEND_RATE_PER_USER", "1"),
        Map.entry("WEFT_SEND_BURST_PER_USER", "10"),
        Map.entry("WEFT_HTTP_RATE_PER_ADDRESS", "1"),
        Map.entry("WEFT_HTTP_BURST_PER_ADDRESS", "3"),
        Map.entry("WEFT_HTTP_REQUEST_TIMEOUT_MS", "1000")));
  }

  @AfterAll
  void stop() {
    fabric.close();
  }

  private static String from(String address) {
    return "X-Forwarded-For: " + address + "\r\n";
  }

  @Test
  void anAddressGetsAtMostItsConnectionsAndOthersAreUnaffected() throws Exception {
    List<RawWebSocket> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        open.add(RawWebSocket.open(fabric.port(1), fabric.token("cap-user-" + i), from("198.51.100.1")));
      }
      RawUpgrade.Answer fourth = RawUpgrade.upgrade(fabric.port(1), null, fabric.token("cap-user-3"), from("198.51.100.1"));
      assertEquals(429, fourth.status(), fourth.head());
      assertEquals("too_many_address_connections", fourth.code());
      // The client's own X-Forwarded-For entry is not believed: only the hop the (trusted) proxy appended counts.
      RawUpgrade.Answer forged = RawUpgrade.upgrade(fabric.port(1), null, fabric.token("cap-user-3"),
          from("203.0.113.99, 198.51.100.1"));
      assertEquals("too_many_address_connections", forged.code());
      open.add(RawWebSocket.open(fabric.port(1), fabric.token("cap-user-3"), from("198.51.100.2")));
      open.remove(0).close();
      Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertEquals(101, RawUpgrade.upgrade(fabric.port(1), null, fabric.token("cap-user-4"), from("198.51.100.3")).status()));
    } finally {
      open.forEach(RawWebSocket::close);
    }
  }

  @Test
  void connectionAttemptsPerAddressAreRateLimitedBeforeTheTokenIsChecked() throws Exception {
    List<RawUpgrade.Answer> answers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      answers.add(RawUpgrade.upgrade(fabric.port(1), null, "not-a-token", from("198.51.100.10")));
    }
    assertEquals(401, answers.get(0).status());
    RawUpgrade.Answer last = answers.get(answers.size() - 1);
    assertEquals(429, last.status(), last.head());
    assertEquals("connect_rate_limited", last.code());
    assertTrue(last.head().contains("Retry-After"), last.head());
    assertEquals(401, RawUpgrade.upgrade(fabric.port(1), null, "not-a-token", from("198.51.100.11")).status(),
        "another address has its own budget");
  }

  @Test
  void aUsersFramesOverAllItsSocketsShareOneBudget() throws Exception {
    try (RawWebSocket a = RawWebSocket.open(fabric.port(1), fabric.token("many-sockets"), from("198.51.100.20"));
        RawWebSocket b = RawWebSocket.open(fabric.port(1), fabric.token("many-sockets"), from("198.51.100.21"))) {
      assertEquals("welcome", a.next(Duration.ofSeconds(10)).getString("op"));
      assertEquals("welcome", b.next(Duration.ofSeconds(10)).getString("op"));
      int limited = 0;
      for (int i = 0; i < 8; i++) {
        a.send(new JsonObject().put("op", "nothing").put("ref", "a" + i));
        b.send(new JsonObject().put("op", "nothing").put("ref", "b" + i));
      }
      for (int i = 0; i < 16; i++) {
        JsonObject e = (i % 2 == 0 ? a : b).next(Duration.ofSeconds(10));
        assertEquals("error", e.getString("op"), e.encode());
        if ("rate_limited".equals(e.getString("code"))) {
          limited++;
          assertTrue(e.getBoolean("retry"), e.encode());
        } else {
          assertEquals("unknown_op", e.getString("code"), e.encode());
        }
      }
      // Each socket sent 8, far under its own 1000; together 16 against the user's burst of 10 (and 1/s).
      assertTrue(limited >= 5 && limited <= 6, "rate_limited answers: " + limited);
    }
  }

  @Test
  void httpRoutesAreRateLimitedPerAddress() throws Exception {
    List<RawUpgrade.Answer> answers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      answers.add(RawUpgrade.get(fabric.port(1), "/v1/conversations", from("198.51.100.30")));
    }
    assertEquals(401, answers.get(0).status(), "admitted, then refused for want of a token");
    RawUpgrade.Answer last = answers.get(answers.size() - 1);
    assertEquals(429, last.status(), last.head());
    assertEquals("rate_limited", last.code());
    RawUpgrade.Answer history = RawUpgrade.get(fabric.port(1), "/v1/conversations/x/messages", from("198.51.100.30"));
    assertEquals(429, history.status(), "history shares the address's budget");
    assertEquals(401, RawUpgrade.get(fabric.port(1), "/v1/conversations", from("198.51.100.31")).status());
  }

  @Test
  void aClientThatNeverFinishesItsRequestLineIsDisconnectedWithinTheTimeout() throws Exception {
    try (Socket slow = new Socket("127.0.0.1", fabric.port(1))) {
      slow.setSoTimeout(5_000);
      slow.getOutputStream().write("GET /v1/ws HT".getBytes(StandardCharsets.US_ASCII));
      slow.getOutputStream().flush();
      long started = System.nanoTime();
      InputStream in = slow.getInputStream();
      int read;
      try {
        read = in.read();
        while (read >= 0) {
          read = in.read(); // whatever the server says (nothing, or a 408) before it hangs up
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("still connected after 5 s; WEFT_HTTP_REQUEST_TIMEOUT_MS is 1000");
      } catch (java.net.SocketException e) {
        // a reset is a disconnection too
      }
      long ms = (System.nanoTime() - started) / 1_000_000;
      assertTrue(ms >= 500, "closed after " + ms + " ms: too soon for a 1000 ms deadline");
    }
  }

  @Test
  void anUpgradedSocketOutlivesTheRequestDeadline() throws Exception {
    try (RawWebSocket ws = RawWebSocket.open(fabric.port(1), fabric.token("quiet"), from("198.51.100.40"))) {
      assertEquals("welcome", ws.next(Duration.ofSeconds(10)).getString("op"));
      Thread.sleep(2_500); // the thing under test is a deadline: it has to pass, quietly
      ws.send(new JsonObject().put("op", "nothing").put("ref", "still-here"));
      JsonObject e = ws.next(Duration.ofSeconds(10));
      assertEquals("unknown_op", e.getString("code"), String.valueOf(e));
    }
  }
}
