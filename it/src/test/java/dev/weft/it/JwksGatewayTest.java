package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.weft.common.JwksServer;
import dev.weft.common.JwksServer.Key;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A gateway configured with an identity provider's JWKS URL (served by the test) takes the provider's RS256 tokens,
 * follows its key rotation, and refuses everything else with 401 before the upgrade.
 */
@WeftIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JwksGatewayTest {

  private static final Key RSA_1 = Key.rsa("rsa-1");

  private JwksServer provider;
  private Fabric fabric;

  @BeforeAll
  void start(WeftInfra infra) {
    provider = new JwksServer();
    provider.publish(RSA_1);
    // The test kit's WEFT_JWT_SECRET stays set: beside a JWKS URL it must sign nothing the gateway accepts.
    fabric = Fabric.start(infra, 1, Map.of("WEFT_JWT_JWKS_URL", provider.url().toString(),
        "WEFT_JWT_JWKS_MIN_REFETCH_SECONDS", "1"));
  }

  @AfterAll
  void stop() {
    if (fabric != null) {
      fabric.close();
    }
    provider.close();
  }

  @Test
  void anRs256TokenFromTheProviderConnectsSendsAndRefreshes() {
    try (WsClient c = WsClient.connect(fabric.port(1), RSA_1.token("idp-alice", Duration.ofMinutes(10)), null)) {
      c.send(new JsonObject().put("op", "send").put("ref", "r-1").put("to", "idp-bob").put("text", "hi"));
      JsonObject ack = c.next();
      assertEquals("ack", ack.getString("op"), ack.encode());
      c.send(new JsonObject().put("op", "refresh").put("ref", "r-2").put("token", RSA_1.token("idp-alice", Duration.ofMinutes(20))));
      JsonObject refreshed = c.next();
      assertEquals("r-2", refreshed.getString("ref"), refreshed.encode());
      assertEquals(null, refreshed.getString("code"), refreshed.encode());
    }
  }

  @Test
  void tokensNotSignedByAProviderKeyAreRefusedWith401() {
    URI uri = WsClient.uri(fabric.port(1), null);
    Instant exp = Instant.now().plus(Duration.ofMinutes(10));
    assertEquals(401, WsClient.handshakeStatus(uri, Key.rsa("rsa-1").token("alice", Duration.ofMinutes(10))),
        "another key claiming the provider's kid");
    assertEquals(401, WsClient.handshakeStatus(uri, Key.ec("unknown").token("alice", Duration.ofMinutes(10))),
        "an unknown kid");
    assertEquals(401, WsClient.handshakeStatus(uri, fabric.token("alice")), "HS256 with the deployment's secret");
    assertEquals(401, WsClient.handshakeStatus(uri, JWT.create().withKeyId("rsa-1").withSubject("alice").withExpiresAt(exp)
        .sign(Algorithm.none())), "alg none");
    assertEquals(401, WsClient.handshakeStatus(uri, JWT.create().withKeyId("rsa-1").withSubject("alice").withExpiresAt(exp)
        .sign(Algorithm.HMAC256(RSA_1.jwk().toJSONString()))), "HS256 keyed with the published public key");
    assertEquals(401, WsClient.handshakeStatus(uri, JWT.create().withKeyId("rsa-1").withSubject("alice")
        .withExpiresAt(Instant.now().minusSeconds(60)).sign(RSA_1.signer())), "expired");
    assertEquals(-1, WsClient.handshakeStatus(uri, RSA_1.token("alice", Duration.ofMinutes(10))), "the real thing");
  }

  @Test
  void aKeyTheProviderRotatesInIsAcceptedWithoutARestart() {
    Key rsa2 = Key.rsa("rsa-2");
    provider.publish(RSA_1, rsa2);
    URI uri = WsClient.uri(fabric.port(1), null);
    String rotated = rsa2.token("rotated", Duration.ofMinutes(10));
    // The first try names an unknown kid and is refused; it makes the gateway re-read the JWKS (at most once a second
    // here), so a retry soon after gets in.
    Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300))
        .until(() -> WsClient.handshakeStatus(uri, rotated) == -1);
    provider.publish(RSA_1);
  }
}
