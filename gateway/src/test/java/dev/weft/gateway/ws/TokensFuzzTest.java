package dev.weft.gateway.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.JwtSettings;
import dev.weft.common.Tokens;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Token verification, as every upgrade, HTTP request and {@code refresh} frame runs it on what a client sent: it
 * never throws, its refusals are documented codes with messages fit for a client, and no edit of a real token makes it
 * name another user.
 */
class TokensFuzzTest {

  private static final Tokens TOKENS = new Tokens(new JwtSettings("fuzz-secret-0123456789abcdef0123456789", null),
      Clock.systemUTC());

  @Test
  void anyTokenIsAUserOrADocumentedRefusal() {
    Fuzz.forAll("token-any", r -> switch (r.nextInt(3)) {
      case 0 -> Fuzz.string(r);
      case 1 -> Fuzz.string(r) + "." + Fuzz.string(r) + "." + Fuzz.string(r);
      default -> Fuzz.mutate(r, TOKENS.issue("fuzzer", Duration.ofHours(1)));
    }, token -> {
      Tokens.Verified v;
      try {
        v = TOKENS.verify(token);
      } catch (RuntimeException e) {
        throw new AssertionError("verify threw " + e, e);
      }
      if (v.ok()) {
        assertEquals("fuzzer", v.user(), "an edited token never names someone else");
      } else {
        assertTrue(java.util.Set.of("missing_token", "invalid_token", "token_expired").contains(v.code()), v.code());
        Fuzz.assertNoLeak(v.message());
      }
    });
  }
}
