package dev.weft.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokensTest {

  private static final JwtSettings SETTINGS = new JwtSettings("0123456789abcdef0123456789abcdef", null);

  @Test
  void acceptsItsOwnTokenAndNamesTheUser() {
    Tokens tokens = new Tokens(SETTINGS, Clock.systemUTC());
    assertEquals("alice", tokens.verify(tokens.issue("alice", Duration.ofMinutes(5))).user());
  }

  @Test
  void refusesExpiredWronglySignedAndMalformedTokens() {
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
    Tokens now = new Tokens(SETTINGS, Clock.systemUTC());
    assertEquals("token_expired", now.verify(new Tokens(SETTINGS, past).issue("a", Duration.ofHours(1))).code());
    Tokens other = new Tokens(new JwtSettings("another-secret-another-secret-another", null), Clock.systemUTC());
    assertEquals("invalid_token", now.verify(other.issue("a", Duration.ofHours(1))).code());
    assertEquals("invalid_token", now.verify("not.a.jwt").code());
    assertEquals("missing_token", now.verify("").code());
    assertFalse(now.verify(null).ok());
  }

  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  private static String signed(com.auth0.jwt.JWTCreator.Builder b) {
    return b.sign(com.auth0.jwt.algorithms.Algorithm.HMAC256(SECRET));
  }

  @Test
  void refusesATokenThatNeverExpires() {
    Tokens tokens = new Tokens(SETTINGS, Clock.systemUTC());
    Tokens.Verified v = tokens.verify(signed(com.auth0.jwt.JWT.create().withSubject("alice")));
    assertEquals("invalid_token", v.code());
    assertEquals(true, v.message().contains("exp"), v.message());
  }

  @Test
  void refusesATokenThatLivesLongerThanTheMaximum() {
    Tokens tokens = new Tokens(new JwtSettings(SECRET, null, null, Duration.ofHours(1)), Clock.systemUTC());
    Tokens.Verified v = tokens.verify(signed(com.auth0.jwt.JWT.create().withSubject("alice")
        .withExpiresAt(Instant.now().plus(Duration.ofHours(2)))));
    assertEquals("invalid_token", v.code());
    assertEquals(true, v.message().contains("3600 s"), v.message());
    assertEquals("alice", tokens.verify(signed(com.auth0.jwt.JWT.create().withSubject("alice")
        .withExpiresAt(Instant.now().plus(Duration.ofMinutes(59))))).user());
    assertThrows(IllegalArgumentException.class, () -> tokens.issue("alice", Duration.ofHours(2)));
  }

  @Test
  void aRevocationRefusesTheUsersTokensIssuedBeforeItAndNoOnesElse() {
    long[] before = {Long.MIN_VALUE};
    Tokens tokens = new Tokens(SETTINGS, Clock.systemUTC(), null, user -> user.equals("alice") ? before[0] : Long.MIN_VALUE);
    Instant now = Instant.now();
    String old = signed(com.auth0.jwt.JWT.create().withSubject("alice").withIssuedAt(now.minusSeconds(60))
        .withExpiresAt(now.plusSeconds(600)));
    String fresh = signed(com.auth0.jwt.JWT.create().withSubject("alice").withIssuedAt(now.plusSeconds(1))
        .withExpiresAt(now.plusSeconds(600)));
    String noIat = signed(com.auth0.jwt.JWT.create().withSubject("alice").withExpiresAt(now.plusSeconds(600)));
    String bobs = signed(com.auth0.jwt.JWT.create().withSubject("bob").withIssuedAt(now.minusSeconds(60))
        .withExpiresAt(now.plusSeconds(600)));
    assertEquals("alice", tokens.verify(old).user(), "no revocation yet");
    assertEquals("alice", tokens.verify(noIat).user());
    before[0] = now.toEpochMilli();
    assertEquals("token_revoked", tokens.verify(old).code());
    assertEquals("token_revoked", tokens.verify(noIat).code(), "with no iat, it cannot be shown to be newer");
    assertEquals("alice", tokens.verify(fresh).user());
    assertEquals(now.plusSeconds(1).getEpochSecond(), tokens.verify(fresh).issuedAt().getEpochSecond());
    assertEquals("bob", tokens.verify(bobs).user());
  }

  @Test
  void refusesATokenWhoseExpiryIsFurtherFromItsIatThanTheMaximum() {
    // A revocation is forgotten after the maximum lifetime: a token living longer from its iat would outlive it.
    Tokens tokens = new Tokens(new JwtSettings(SECRET, null, null, Duration.ofHours(1)), Clock.systemUTC());
    Instant now = Instant.now();
    String stretched = signed(com.auth0.jwt.JWT.create().withSubject("alice")
        .withIssuedAt(now.minus(Duration.ofHours(5))).withExpiresAt(now.plus(Duration.ofMinutes(30))));
    assertEquals("invalid_token", tokens.verify(stretched).code());
    String fine = signed(com.auth0.jwt.JWT.create().withSubject("alice")
        .withIssuedAt(now.minus(Duration.ofMinutes(20))).withExpiresAt(now.plus(Duration.ofMinutes(30))));
    assertEquals("alice", tokens.verify(fine).user());
  }

  @Test
  void refusesASubjectThatIsAJsonNumber() {
    Tokens tokens = new Tokens(SETTINGS, Clock.systemUTC());
    String numeric = signed(com.auth0.jwt.JWT.create().withClaim("sub", 12345)
        .withExpiresAt(Instant.now().plus(Duration.ofMinutes(5))));
    assertEquals("invalid_token", tokens.verify(numeric).code());
  }

  @Test
  void checksTheAudienceWhenOneIsConfigured() {
    JwtSettings chat = new JwtSettings(SECRET, null, "chat", JwtSettings.DEFAULT_MAX_LIFETIME);
    Tokens tokens = new Tokens(chat, Clock.systemUTC());
    assertEquals("alice", tokens.verify(tokens.issue("alice", Duration.ofMinutes(5))).user());
    Tokens other = new Tokens(new JwtSettings(SECRET, null, "billing", JwtSettings.DEFAULT_MAX_LIFETIME), Clock.systemUTC());
    assertEquals("invalid_token", tokens.verify(other.issue("alice", Duration.ofMinutes(5))).code());
    Tokens none = new Tokens(SETTINGS, Clock.systemUTC());
    assertEquals("invalid_token", tokens.verify(none.issue("alice", Duration.ofMinutes(5))).code());
  }

  @Test
  void productionRefusesToStartWithoutASecretOrWithTheDevelopmentOne() {
    ConfigException missing = assertThrows(ConfigException.class, () -> JwtSettings.from(new Env(Map.of())));
    assertEquals(true, missing.getMessage().startsWith("WEFT_JWT_SECRET"));
    assertThrows(ConfigException.class,
        () -> JwtSettings.from(new Env(Map.of("WEFT_JWT_SECRET", DevDefaults.JWT_SECRET))));
    assertEquals(DevDefaults.JWT_SECRET, JwtSettings.from(new Env(Map.of("WEFT_DEV", "1"))).secret());
  }
}
