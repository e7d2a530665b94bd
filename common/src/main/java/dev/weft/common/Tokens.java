package dev.weft.common;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Issues and verifies HS256 client tokens; the user id is the token's {@code sub}, a JSON string.
 *
 * <p>A token must carry {@code exp}, no further ahead than {@link JwtSettings#maxLifetime()}: a token that never
 * expires, once leaked, is a password that cannot be changed. {@code iss} and {@code aud} are checked when configured.
 */
public final class Tokens {

  private final Algorithm algorithm;
  private final JWTVerifier verifier;
  private final String issuer;
  private final String audience;
  private final Duration maxLifetime;
  private final Clock clock;

  /** Clock skew allowed between the issuer and the gateway, in seconds, on exp, nbf and iat. */
  private static final long LEEWAY_SECONDS = 5;

  public Tokens(JwtSettings settings, Clock clock) {
    this.algorithm = Algorithm.HMAC256(settings.secret());
    this.issuer = settings.issuer();
    this.audience = settings.audience();
    this.maxLifetime = settings.maxLifetime();
    this.clock = clock;
    var v = JWT.require(algorithm).withClaimPresence("sub").withClaimPresence("exp").acceptLeeway(LEEWAY_SECONDS);
    if (issuer != null) {
      v = v.withIssuer(issuer);
    }
    if (audience != null) {
      v = v.withAudience(audience);
    }
    this.verifier = ((JWTVerifier.BaseVerification) v).build(clock);
  }

  public String issue(String user, Duration validity) {
    if (validity.compareTo(maxLifetime) > 0) {
      throw new IllegalArgumentException("a token may be valid for at most " + maxLifetime.toSeconds()
          + " s (WEFT_JWT_MAX_LIFETIME_SECONDS), not " + validity.toSeconds());
    }
    Instant now = clock.instant();
    JWTCreator.Builder b = JWT.create().withSubject(user).withIssuedAt(now).withExpiresAt(now.plus(validity));
    if (issuer != null) {
      b.withIssuer(issuer);
    }
    if (audience != null) {
      b.withAudience(audience);
    }
    return b.sign(algorithm);
  }

  /** The verified user id, or why the token is refused. */
  public Verified verify(String token) {
    if (token == null || token.isBlank()) {
      return Verified.refused("missing_token", "no token: send Authorization: Bearer <jwt> or ?access_token=<jwt>");
    }
    DecodedJWT jwt;
    try {
      jwt = verifier.verify(token);
    } catch (TokenExpiredException e) {
      return Verified.refused("token_expired", "the token has expired");
    } catch (JWTVerificationException e) {
      return Verified.refused("invalid_token", "the token is not valid: " + e.getMessage());
    }
    Instant expiresAt = jwt.getExpiresAtAsInstant();
    if (expiresAt.isAfter(clock.instant().plus(maxLifetime).plusSeconds(LEEWAY_SECONDS))) {
      return Verified.refused("invalid_token", "the token lives too long: exp may be at most " + maxLifetime.toSeconds()
          + " s ahead");
    }
    // getSubject() would turn a JSON number into text; a user id is a string.
    String sub = jwt.getClaim("sub").asString();
    if (sub == null || !UserIds.valid(sub)) {
      return Verified.refused("invalid_token", "the token's sub is not a valid user id: " + UserIds.RULE);
    }
    return new Verified(sub, null, null, expiresAt);
  }

  /** Either a user and when the token expires, or an error code and message. */
  public record Verified(String user, String code, String message, Instant expiresAt) {
    static Verified refused(String code, String message) {
      return new Verified(null, code, message, null);
    }

    public boolean ok() {
      return user != null;
    }
  }
}
