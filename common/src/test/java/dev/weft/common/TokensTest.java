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

  @Test
  void productionRefusesToStartWithoutASecretOrWithTheDevelopmentOne() {
    ConfigException missing = assertThrows(ConfigException.class, () -> JwtSettings.from(new Env(Map.of())));
    assertEquals(true, missing.getMessage().startsWith("WEFT_JWT_SECRET"));
    assertThrows(ConfigException.class,
        () -> JwtSettings.from(new Env(Map.of("WEFT_JWT_SECRET", DevDefaults.JWT_SECRET))));
    assertEquals(DevDefaults.JWT_SECRET, JwtSettings.from(new Env(Map.of("WEFT_DEV", "1"))).secret());
  }
}
