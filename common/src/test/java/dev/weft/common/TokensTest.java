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
