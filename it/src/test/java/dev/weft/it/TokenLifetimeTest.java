package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.JwtSettings;
import dev.weft.common.Tokens;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** An open socket lives no longer than its token, unless the client refreshes it on the socket. */
@WeftIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenLifetimeTest {

  private Fabric fabric;
  private Tokens tokens;

  @BeforeAll
  void start(WeftInfra infra) {
    tokens = new Tokens(new JwtSettings(infra.jwtSecret(), null), Clock.systemUTC());
    fabric = Fabric.start(infra, 1, Map.of());
  }

  @AfterAll
  void stop() {
    fabric.close();
  }

  private static JsonObject send(String ref, String to) {
    return new JsonObject().put("op", "send").put("ref", ref).put("to", to).put("text", "hi");
  }

  @Test
  void aSocketIsClosedWith4001WhenItsTokenExpires() {
    WsClient c = WsClient.connect(fabric.port(1), tokens.issue("short-lived", Duration.ofSeconds(3)), null);
    assertEquals(4001, c.closeCode(Duration.ofSeconds(15)));
  }

  @Test
  void aRefreshedSocketOutlivesItsFirstToken() {
    try (WsClient c = WsClient.connect(fabric.port(1), tokens.issue("renewer", Duration.ofSeconds(3)), null)) {
      c.send(new JsonObject().put("op", "refresh").put("ref", "r-1").put("token", tokens.issue("renewer", Duration.ofHours(1))));
      JsonObject ack = c.next();
      assertEquals("ack", ack.getString("op"), ack.encode());
      assertEquals("r-1", ack.getString("ref"));
      assertTrue(ack.getLong("exp") > System.currentTimeMillis() + 3_000_000, ack.encode());
      sleep(Duration.ofSeconds(5)); // past the first token's exp: without the refresh the socket would be closed
      assertFalse(c.isClosed(), "closed although refreshed");
      c.send(send("m-1", "someone"));
      assertEquals("ack", c.next().getString("op"));
    }
  }

  @Test
  void aRefreshWithAnotherUsersOrABadTokenIsAnErrorAndTheOldDeadlineStands() {
    try (WsClient c = WsClient.connect(fabric.port(1), tokens.issue("keeper", Duration.ofSeconds(3)), null)) {
      c.send(new JsonObject().put("op", "refresh").put("ref", "r-1").put("token", tokens.issue("mallory", Duration.ofHours(1))));
      JsonObject other = c.next();
      assertEquals("invalid_token", other.getString("code"), other.encode());
      c.send(new JsonObject().put("op", "refresh").put("ref", "r-2").put("token", "not-a-jwt"));
      assertEquals("invalid_token", c.next().getString("code"));
      c.send(new JsonObject().put("op", "refresh").put("ref", "r-3"));
      assertEquals("bad_request", c.next().getString("code"));
      assertEquals(4001, c.closeCode(Duration.ofSeconds(15)));
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
