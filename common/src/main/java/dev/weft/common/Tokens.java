package dev.weft.common;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.ECDSAKeyProvider;
import com.auth0.jwt.interfaces.RSAKeyProvider;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * Verifies client tokens (HS256 with the secret; RS256 and ES256 with an identity provider's keys from
 * {@link JwksKeys}) and issues HS256 ones; the user id is the token's {@code sub}, a JSON string.
 *
 * <p>A token must carry {@code exp}, no further ahead than {@link JwtSettings#maxLifetime()}: a token that never
 * expires, once leaked, is a password that cannot be changed. {@code iss} and {@code aud} are checked when configured.
 *
 * <p>The token's {@code alg} header picks the verifier, and only algorithms in {@link JwtSettings#algorithms()} have
 * one: {@code none} never does, and each verifier holds only its own kind of key (the secret for HS256, RSA or EC
 * public keys by {@code kid} for the others), so a token HMAC-signed with a published public key is checked against
 * the secret, or refused outright when HS256 is not allowed. Keys named in the token itself ({@code jwk}, {@code jku},
 * {@code x5u}) are never used. {@link #verify} never blocks: it runs on event loops.
 */
public final class Tokens {

  private final Algorithm hs256;
  private final Map<JwtSettings.Alg, JWTVerifier> verifiers = new EnumMap<>(JwtSettings.Alg.class);
  private final JwksKeys jwks;
  private final String issuer;
  private final String audience;
  private final Duration maxLifetime;
  private final Clock clock;
  private final Revocations revocations;

  /** The server API's revocations: a user's tokens issued before a moment are refused. */
  public interface Revocations {
    Revocations NONE = user -> Long.MIN_VALUE;

    /** Milliseconds since the epoch: the user's tokens with an earlier iat are refused; Long.MIN_VALUE for none. */
    long revokedBefore(String user);
  }

  /** Clock skew allowed between the issuer and the gateway, in seconds, on exp, nbf and iat. */
  private static final long LEEWAY_SECONDS = 5;

  /** Issues and verifies HS256 tokens only: for tools and tests; RS256 and ES256 tokens are refused (no keys). */
  public Tokens(JwtSettings settings, Clock clock) {
    this(settings, clock, null);
  }

  /** Verifies every algorithm the settings allow, RS256 and ES256 with the keys {@code jwks} holds. */
  public Tokens(JwtSettings settings, Clock clock, JwksKeys jwks) {
    this(settings, clock, jwks, Revocations.NONE);
  }

  /** As above, refusing the tokens that {@code revocations} revoked. */
  public Tokens(JwtSettings settings, Clock clock, JwksKeys jwks, Revocations revocations) {
    this.revocations = revocations;
    this.hs256 = settings.secret() == null ? null : Algorithm.HMAC256(settings.secret());
    this.jwks = jwks;
    this.issuer = settings.issuer();
    this.audience = settings.audience();
    this.maxLifetime = settings.maxLifetime();
    this.clock = clock;
    for (JwtSettings.Alg alg : settings.algorithms()) {
      verifiers.put(alg, verifier(switch (alg) {
        case HS256 -> hs256;
        case RS256 -> Algorithm.RSA256(new JwksRsa());
        case ES256 -> Algorithm.ECDSA256(new JwksEc());
      }));
    }
  }

  private JWTVerifier verifier(Algorithm algorithm) {
    var v = JWT.require(algorithm).withClaimPresence("sub").withClaimPresence("exp").acceptLeeway(LEEWAY_SECONDS);
    if (issuer != null) {
      v = v.withIssuer(issuer);
    }
    if (audience != null) {
      v = v.withAudience(audience);
    }
    return ((JWTVerifier.BaseVerification) v).build(clock);
  }

  /** An HS256 token signed with WEFT_JWT_SECRET, for development and tools. */
  public String issue(String user, Duration validity) {
    if (hs256 == null) {
      throw new IllegalStateException("WEFT_JWT_SECRET is not set: this deployment's tokens come from its identity"
          + " provider (WEFT_JWT_JWKS_URL)");
    }
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
    return b.sign(hs256);
  }

  /** The verified user id, or why the token is refused. */
  public Verified verify(String token) {
    if (token == null || token.isBlank()) {
      return Verified.refused("missing_token", "no token: send Authorization: Bearer <jwt> or ?access_token=<jwt>");
    }
    DecodedJWT unverified;
    try {
      unverified = JWT.decode(token);
    } catch (JWTDecodeException e) {
      return Verified.refused("invalid_token", "the token is not a JWT: " + e.getMessage());
    }
    JwtSettings.Alg alg = known(unverified.getAlgorithm());
    JWTVerifier verifier = alg == null ? null : verifiers.get(alg);
    if (verifier == null) {
      // The header's own values are not echoed: they are the sender's, and may be anything.
      return Verified.refused("invalid_token", "the token's alg is not accepted here; accepted: " + verifiers.keySet());
    }
    if (alg != JwtSettings.Alg.HS256) {
      String kid = unverified.getKeyId();
      if (kid == null) {
        return Verified.refused("invalid_token", "the token has no kid: a " + alg + " token names its signing key");
      }
      boolean held = jwks != null && (alg == JwtSettings.Alg.RS256 ? jwks.rsa(kid) != null : jwks.ec(kid) != null);
      if (!held) {
        // The lookup has asked for an early re-read of the JWKS: a key the provider just published is held soon.
        return Verified.refused("invalid_token", "the token's kid names no " + alg
            + " key this gateway holds; if the key is new, try again in a few seconds");
      }
    }
    DecodedJWT jwt;
    try {
      jwt = verifier.verify(unverified); // decoded once, above
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
    Instant issuedAt = jwt.getIssuedAtAsInstant();
    // A revocation is forgotten once every token it could refuse has expired (RevokedTokens): that holds only if no
    // token lives longer than the maximum from its iat.
    if (issuedAt != null && expiresAt.isAfter(issuedAt.plus(maxLifetime).plusSeconds(LEEWAY_SECONDS))) {
      return Verified.refused("invalid_token", "the token lives too long: exp may be at most "
          + maxLifetime.toSeconds() + " s after iat");
    }
    long revokedBefore = revocations.revokedBefore(sub);
    if (revoked(revokedBefore, issuedAt)) {
      return Verified.refused("token_revoked", "the token was revoked: this user's tokens issued before "
          + Instant.ofEpochMilli(revokedBefore) + (issuedAt == null ? " (and tokens with no iat)" : "")
          + " are refused; get a new one");
    }
    return new Verified(sub, null, null, expiresAt, issuedAt);
  }

  /** True when a token of this user issued at {@code issuedAt} (null: no iat) is revoked now. */
  public boolean revoked(String user, Instant issuedAt) {
    return revoked(revocations.revokedBefore(user), issuedAt);
  }

  private static boolean revoked(long before, Instant issuedAt) {
    return before != Long.MIN_VALUE && (issuedAt == null || issuedAt.toEpochMilli() < before);
  }

  private static JwtSettings.Alg known(String alg) {
    for (JwtSettings.Alg a : JwtSettings.Alg.values()) {
      if (a.name().equals(alg)) {
        return a;
      }
    }
    return null;
  }

  /** RS256 public keys by kid, from the JWKS; java-jwt asks for them while verifying. */
  private final class JwksRsa implements RSAKeyProvider {
    @Override
    public RSAPublicKey getPublicKeyById(String kid) {
      return jwks == null ? null : jwks.rsa(kid);
    }

    @Override
    public RSAPrivateKey getPrivateKey() {
      return null; // Weft never signs with a provider's key
    }

    @Override
    public String getPrivateKeyId() {
      return null;
    }
  }

  /** ES256 public keys by kid, from the JWKS. */
  private final class JwksEc implements ECDSAKeyProvider {
    @Override
    public ECPublicKey getPublicKeyById(String kid) {
      return jwks == null ? null : jwks.ec(kid);
    }

    @Override
    public ECPrivateKey getPrivateKey() {
      return null;
    }

    @Override
    public String getPrivateKeyId() {
      return null;
    }
  }

  /** Either a user, when the token expires and when it was issued (null: no iat), or an error code and message. */
  public record Verified(String user, String code, String message, Instant expiresAt, Instant issuedAt) {
    static Verified refused(String code, String message) {
      return new Verified(null, code, message, null, null);
    }

    public boolean ok() {
      return user != null;
    }
  }
}
