package dev.weft.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.weft.common.JwksServer.Key;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RS256 and ES256 tokens verified with keys an identity provider publishes as a JWKS, served here over real HTTP. */
class JwksTokensTest {

  private static final String SECRET = "0123456789abcdef0123456789abcdef";
  private static final Key RSA_1 = Key.rsa("rsa-1");
  private static final Key EC_1 = Key.ec("ec-1");

  private JwksServer provider;
  private JwksKeys keys;

  @BeforeEach
  void start() {
    provider = new JwksServer();
    provider.publish(RSA_1, EC_1);
  }

  @AfterEach
  void stop() {
    if (keys != null) {
      keys.close();
    }
    provider.close();
  }

  private Tokens tokens(Duration refresh, Duration minRefetch) {
    return tokens(refresh, minRefetch, null, EnumSet.of(JwtSettings.Alg.RS256, JwtSettings.Alg.ES256));
  }

  private Tokens tokens(Duration refresh, Duration minRefetch, String secret, EnumSet<JwtSettings.Alg> algs) {
    JwtSettings.JwksSettings jwks = provider.settings(refresh, minRefetch);
    keys = JwksKeys.start(jwks);
    return new Tokens(new JwtSettings(secret, null, null, JwtSettings.DEFAULT_MAX_LIFETIME, algs, jwks), Clock.systemUTC(), keys);
  }

  @Test
  void rs256AndEs256TokensSignedByTheProvidersKeysAreAccepted() {
    Tokens tokens = tokens(Duration.ofHours(1), Duration.ofHours(1));
    assertEquals("alice", tokens.verify(RSA_1.token("alice", Duration.ofMinutes(5))).user());
    assertEquals("bob", tokens.verify(EC_1.token("bob", Duration.ofMinutes(5))).user());
  }

  @Test
  void aTokenNamingAnUnknownKidOrNoKidOrSignedByAnotherKeyIsRefused() {
    Tokens tokens = tokens(Duration.ofHours(1), Duration.ofHours(1));
    assertRefused(tokens, Key.rsa("ghost").token("alice", Duration.ofMinutes(5)), "unknown kid");
    Key impostor = Key.rsa("rsa-1"); // claims the provider's kid, signed with its own key
    assertRefused(tokens, impostor.token("alice", Duration.ofMinutes(5)), "another key under a known kid");
    assertRefused(tokens, JWT.create().withSubject("alice").withExpiresAt(Instant.now().plusSeconds(300))
        .sign(RSA_1.signer()), "no kid");
    // An ES256 header with the RSA key's kid: each algorithm looks only among keys of its own type.
    assertRefused(tokens, JWT.create().withKeyId("rsa-1").withSubject("alice")
        .withExpiresAt(Instant.now().plusSeconds(300)).sign(Key.ec("x").signer()), "ES256 naming an RSA kid");
  }

  @Test
  void anExpiredProviderTokenIsRefusedAsExpired() {
    Tokens tokens = tokens(Duration.ofHours(1), Duration.ofHours(1));
    String expired = JWT.create().withKeyId("rsa-1").withSubject("alice")
        .withExpiresAt(Instant.now().minus(Duration.ofMinutes(5))).sign(RSA_1.signer());
    assertEquals("token_expired", tokens.verify(expired).code());
    String forever = JWT.create().withKeyId("ec-1").withSubject("alice").sign(EC_1.signer());
    assertEquals("invalid_token", tokens.verify(forever).code(), "no exp");
  }

  @Test
  void algNoneAndHs256SignedWithThePublishedPublicKeyAreRefused() {
    Tokens jwksOnly = tokens(Duration.ofHours(1), Duration.ofHours(1));
    String none = JWT.create().withKeyId("rsa-1").withSubject("alice").withExpiresAt(Instant.now().plusSeconds(300))
        .sign(Algorithm.none());
    assertRefused(jwksOnly, none, "alg none");
    for (byte[] publicKey : publicKeyEncodings(RSA_1)) {
      assertRefused(jwksOnly, confused(publicKey), "HS256 with the public key, JWKS only");
    }
    keys.close();
    // Beside a secret, with HS256 allowed for a migration window: HS256 is checked against the secret only.
    Tokens both = tokens(Duration.ofHours(1), Duration.ofHours(1), SECRET,
        EnumSet.of(JwtSettings.Alg.HS256, JwtSettings.Alg.RS256, JwtSettings.Alg.ES256));
    assertRefused(both, none, "alg none beside a secret");
    for (byte[] publicKey : publicKeyEncodings(RSA_1)) {
      assertRefused(both, confused(publicKey), "HS256 with the public key, beside a secret");
    }
    assertEquals("alice", both.verify(both.issue("alice", Duration.ofMinutes(5))).user(), "HS256 with the secret");
    assertEquals("alice", both.verify(RSA_1.token("alice", Duration.ofMinutes(5))).user());
  }

  @Test
  void aRotatedKeyIsAcceptedOnceTheUnknownKidHasBeenRefetchedAndTheRemovedOneIsRefused() {
    Tokens tokens = tokens(Duration.ofHours(1), Duration.ofMillis(200));
    String old = RSA_1.token("alice", Duration.ofMinutes(5));
    assertEquals("alice", tokens.verify(old).user());
    Key rsa2 = Key.rsa("rsa-2");
    provider.publish(rsa2, EC_1); // the provider rotates: rsa-2 in, rsa-1 out
    String rotated = rsa2.token("alice", Duration.ofMinutes(5));
    // Refused until the early re-read the unknown kid asked for is in; never blocks on the fetch itself.
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
        .until(() -> tokens.verify(rotated).ok());
    assertRefused(tokens, old, "a key the provider removed");
  }

  @Test
  void unknownKidsAskForAtMostOneReadPerMinimumInterval() {
    Tokens tokens = tokens(Duration.ofHours(1), Duration.ofHours(1));
    int before = provider.reads();
    for (String kid : new String[] {"made-up-1", "made-up-2", "made-up-3"}) {
      assertRefused(tokens, Key.ec(kid).token("x", Duration.ofMinutes(1)), "made-up kid");
    }
    String flood = Key.ec("flood").token("x", Duration.ofMinutes(1));
    for (int i = 0; i < 1_000; i++) {
      tokens.verify(flood);
    }
    assertEquals(before, provider.reads(), "the last read was less than WEFT_JWT_JWKS_MIN_REFETCH_SECONDS ago");
  }

  @Test
  void thePeriodicReReadDropsARemovedKeyWithoutAnyUnknownKid() {
    Tokens tokens = tokens(Duration.ofMillis(200), Duration.ofHours(1));
    String ec = EC_1.token("bob", Duration.ofMinutes(5));
    assertEquals("bob", tokens.verify(ec).user());
    provider.publish(RSA_1);
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
        .until(() -> !tokens.verify(ec).ok());
    assertEquals("alice", tokens.verify(RSA_1.token("alice", Duration.ofMinutes(5))).user());
  }

  @Test
  void aFailedReReadKeepsTheLastGoodKeys() {
    Tokens tokens = tokens(Duration.ofMillis(200), Duration.ofHours(1));
    int before = provider.reads();
    provider.publishRaw("<html>bad gateway</html>");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> provider.reads() >= before + 2);
    assertEquals("alice", tokens.verify(RSA_1.token("alice", Duration.ofMinutes(5))).user());
  }

  @Test
  void startingFailsNamingTheUrlWhenTheDocumentCannotBeReadOrHoldsNoUsableKey() {
    JwtSettings.JwksSettings settings = provider.settings(Duration.ofHours(1), Duration.ofHours(1));
    provider.publishRaw("{\"keys\":[" + Key.rsa("small", 1024).jwk().toJSONString() + "]}");
    IllegalStateException weak = assertThrows(IllegalStateException.class, () -> JwksKeys.start(settings));
    assertTrue(weak.getMessage().contains("no usable signing key"), weak.getMessage());
    provider.close();
    IllegalStateException down = assertThrows(IllegalStateException.class, () -> JwksKeys.start(settings));
    assertTrue(down.getMessage().contains(settings.url().toString()), down.getMessage());
    provider = new JwksServer(); // for stop()
  }

  @Test
  void settingsDefaultToTheJwksAlgorithmsAndRefuseUnsafeOnes() {
    String url = provider.url().toString();
    JwtSettings jwksOnly = JwtSettings.from(new Env(Map.of("WEFT_JWT_JWKS_URL", url)));
    assertEquals(EnumSet.of(JwtSettings.Alg.RS256, JwtSettings.Alg.ES256), jwksOnly.algorithms());
    assertNull(jwksOnly.secret());
    assertEquals(Duration.ofSeconds(300), jwksOnly.jwks().refreshInterval());
    assertThrows(IllegalStateException.class, () -> new Tokens(jwksOnly, Clock.systemUTC()).issue("a", Duration.ofHours(1)));
    JwtSettings both = JwtSettings.from(new Env(Map.of("WEFT_JWT_JWKS_URL", url, "WEFT_JWT_SECRET", SECRET)));
    assertEquals(EnumSet.of(JwtSettings.Alg.RS256, JwtSettings.Alg.ES256), both.algorithms(), "the JWKS wins");
    assertEquals(EnumSet.of(JwtSettings.Alg.HS256), JwtSettings.from(new Env(Map.of("WEFT_JWT_SECRET", SECRET))).algorithms());
    assertNull(JwtSettings.from(new Env(Map.of("WEFT_DEV", "1", "WEFT_JWT_JWKS_URL", url))).secret(),
        "no development secret beside a JWKS");

    assertConfigRefused(Map.of("WEFT_JWT_JWKS_URL", url, "WEFT_JWT_ALGORITHMS", "RS256,none"), "none");
    assertConfigRefused(Map.of("WEFT_JWT_JWKS_URL", url, "WEFT_JWT_ALGORITHMS", "HS512"), "HS512");
    assertConfigRefused(Map.of("WEFT_JWT_JWKS_URL", url, "WEFT_JWT_ALGORITHMS", "HS256"), "WEFT_JWT_SECRET");
    assertConfigRefused(Map.of("WEFT_JWT_SECRET", SECRET, "WEFT_JWT_ALGORITHMS", "RS256"), "WEFT_JWT_JWKS_URL");
    assertConfigRefused(Map.of("WEFT_JWT_JWKS_URL", "http://idp.example/jwks.json"), "https");
    assertConfigRefused(Map.of("WEFT_JWT_JWKS_URL", "http://127.idp.example/jwks.json"), "https");
    assertConfigRefused(Map.of("WEFT_JWT_JWKS_URL", "ftp://idp.example/jwks.json"), "http(s)");
    assertConfigRefused(Map.of("WEFT_JWT_JWKS_URL", url, "WEFT_JWT_JWKS_REFRESH_SECONDS", "1"), "WEFT_JWT_JWKS_REFRESH_SECONDS");
    assertEquals("https://idp.example/jwks.json", JwtSettings.from(new Env(Map.of("WEFT_JWT_JWKS_URL",
        "https://idp.example/jwks.json"))).jwks().url().toString());
  }

  private static void assertConfigRefused(Map<String, String> env, String named) {
    ConfigException e = assertThrows(ConfigException.class, () -> JwtSettings.from(new Env(env)), env.toString());
    assertTrue(e.getMessage().contains(named), e.getMessage());
  }

  private static void assertRefused(Tokens tokens, String token, String what) {
    Tokens.Verified v = tokens.verify(token);
    assertEquals("invalid_token", v.code(), what + ": " + v);
  }

  /** An HS256 token whose "secret" is the provider's public key, the classic algorithm-confusion forgery. */
  private static String confused(byte[] publicKey) {
    return JWT.create().withKeyId("rsa-1").withSubject("alice").withExpiresAt(Instant.now().plusSeconds(300))
        .sign(Algorithm.HMAC256(publicKey));
  }

  /** The public key as an attacker would feed it to HMAC: DER, PEM, and the published JWK text. */
  private static byte[][] publicKeyEncodings(Key key) {
    byte[] der = key.pair().getPublic().getEncoded();
    String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END PUBLIC KEY-----\n";
    return new byte[][] {der, pem.getBytes(), key.jwk().toJSONString().getBytes()};
  }
}
