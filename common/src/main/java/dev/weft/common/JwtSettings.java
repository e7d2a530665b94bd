package dev.weft.common;

/**
 * How tokens are signed and checked.
 *
 * @param secret WEFT_JWT_SECRET: HS256 secret, at least 32 bytes; required unless WEFT_DEV=1
 * @param issuer WEFT_JWT_ISSUER: when set, tokens must carry this {@code iss}; {@code ./weft token} sets it
 * @param audience WEFT_JWT_AUDIENCE: when set, tokens must name it in {@code aud}; {@code ./weft token} sets it
 * @param maxLifetime WEFT_JWT_MAX_LIFETIME_SECONDS: the furthest ahead a token's {@code exp} may be (default 86400,
 *     a day): a token with no {@code exp}, or one that would live longer, is refused
 */
public record JwtSettings(String secret, String issuer, String audience, java.time.Duration maxLifetime) {

  /** The default {@link #maxLifetime}: a day. */
  public static final java.time.Duration DEFAULT_MAX_LIFETIME = java.time.Duration.ofDays(1);

  /** HS256 with a secret, no issuer or audience required, the default lifetime: for tests and tools. */
  public JwtSettings(String secret, String issuer) {
    this(secret, issuer, null, DEFAULT_MAX_LIFETIME);
  }

  public static JwtSettings from(Env env) {
    String secret = env.required("WEFT_JWT_SECRET", DevDefaults.JWT_SECRET, "the HS256 secret that signs client tokens");
    if (secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
      throw new ConfigException("WEFT_JWT_SECRET is too short: HS256 needs at least 32 bytes");
    }
    if (!env.dev() && secret.equals(DevDefaults.JWT_SECRET)) {
      throw new ConfigException("WEFT_JWT_SECRET is the development secret; set a real one (or WEFT_DEV=1)");
    }
    return new JwtSettings(secret, env.raw("WEFT_JWT_ISSUER").orElse(null), env.raw("WEFT_JWT_AUDIENCE").orElse(null),
        java.time.Duration.ofSeconds(env.longValue("WEFT_JWT_MAX_LIFETIME_SECONDS", DEFAULT_MAX_LIFETIME.toSeconds(), 60,
            java.time.Duration.ofDays(30).toSeconds())));
  }

  @Override
  public String toString() {
    return "JwtSettings[secret=***, issuer=" + issuer + ", audience=" + audience + ", maxLifetime=" + maxLifetime + "]";
  }
}
