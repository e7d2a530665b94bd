package dev.weft.common;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How tokens are signed and checked.
 *
 * <p>Two sources of keys, either or both: an HS256 {@code secret} shared with whoever mints tokens (development,
 * {@code ./weft token}, a small deployment), and the public keys of an identity provider published as a JWKS
 * document ({@link JwksSettings}), for RS256 and ES256 tokens that only the provider can sign. When both are set the
 * JWKS wins: the default {@code algorithms} are then RS256 and ES256 only, so a secret left in the environment (for
 * the load generator, say) signs nothing the gateway accepts; HS256 is accepted beside the JWKS only when
 * WEFT_JWT_ALGORITHMS lists it, for a migration window. Each algorithm is only ever verified with its own kind of
 * key, so a token "signed" HS256 with a public key is checked against the secret and fails.
 *
 * @param secret WEFT_JWT_SECRET: HS256 secret, at least 32 bytes; required unless WEFT_JWT_JWKS_URL is set or
 *     WEFT_DEV=1 (which, with no JWKS URL, uses the development secret); {@code null} when not set beside a JWKS URL
 * @param issuer WEFT_JWT_ISSUER: when set, tokens must carry this {@code iss}; {@code ./weft token} sets it
 * @param audience WEFT_JWT_AUDIENCE: when set, tokens must name it in {@code aud}; {@code ./weft token} sets it
 * @param maxLifetime WEFT_JWT_MAX_LIFETIME_SECONDS: the furthest ahead a token's {@code exp} may be (default 86400,
 *     a day): a token with no {@code exp}, or one that would live longer, is refused
 * @param algorithms WEFT_JWT_ALGORITHMS: the {@code alg} values accepted, comma-separated, from HS256, RS256 and
 *     ES256 (default: RS256,ES256 when WEFT_JWT_JWKS_URL is set, else HS256); {@code none} and every other value are
 *     refused, here and in tokens
 * @param jwks see {@link JwksSettings}; {@code null} when WEFT_JWT_JWKS_URL is not set
 */
public record JwtSettings(String secret, String issuer, String audience, Duration maxLifetime, Set<Alg> algorithms,
    JwksSettings jwks) {

  /** The default {@link #maxLifetime}: a day. */
  public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofDays(1);

  /** The signature algorithms Weft can verify; the names are the JWS {@code alg} header values. */
  public enum Alg { HS256, RS256, ES256 }

  public JwtSettings {
    algorithms = Set.copyOf(algorithms);
    if (algorithms.isEmpty()) {
      throw new ConfigException("WEFT_JWT_ALGORITHMS is empty: name at least one of " + Arrays.toString(Alg.values()));
    }
    if (algorithms.contains(Alg.HS256) && secret == null) {
      throw new ConfigException("WEFT_JWT_ALGORITHMS allows HS256 but WEFT_JWT_SECRET is not set");
    }
    if ((algorithms.contains(Alg.RS256) || algorithms.contains(Alg.ES256)) && jwks == null) {
      throw new ConfigException("WEFT_JWT_ALGORITHMS allows RS256/ES256 but WEFT_JWT_JWKS_URL is not set: "
          + "those tokens are verified with the identity provider's published keys");
    }
  }

  /** HS256 with a secret, no JWKS: for tests and tools. */
  public JwtSettings(String secret, String issuer, String audience, Duration maxLifetime) {
    this(secret, issuer, audience, maxLifetime, EnumSet.of(Alg.HS256), null);
  }

  /** HS256 with a secret, no issuer or audience required, the default lifetime: for tests and tools. */
  public JwtSettings(String secret, String issuer) {
    this(secret, issuer, null, DEFAULT_MAX_LIFETIME);
  }

  public static JwtSettings from(Env env) {
    JwksSettings jwks = JwksSettings.from(env);
    String secret = jwks == null
        ? env.required("WEFT_JWT_SECRET", DevDefaults.JWT_SECRET,
            "the HS256 secret that signs client tokens (or set WEFT_JWT_JWKS_URL to take an identity provider's keys)")
        : env.raw("WEFT_JWT_SECRET").orElse(null);
    if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
      throw new ConfigException("WEFT_JWT_SECRET is too short: HS256 needs at least 32 bytes");
    }
    if (secret != null && !env.dev() && secret.equals(DevDefaults.JWT_SECRET)) {
      throw new ConfigException("WEFT_JWT_SECRET is the development secret; set a real one (or WEFT_DEV=1)");
    }
    Set<Alg> algorithms = env.raw("WEFT_JWT_ALGORITHMS").map(JwtSettings::algorithms)
        .orElse(jwks != null ? EnumSet.of(Alg.RS256, Alg.ES256) : EnumSet.of(Alg.HS256));
    return new JwtSettings(secret, env.raw("WEFT_JWT_ISSUER").orElse(null), env.raw("WEFT_JWT_AUDIENCE").orElse(null),
        Duration.ofSeconds(env.longValue("WEFT_JWT_MAX_LIFETIME_SECONDS", DEFAULT_MAX_LIFETIME.toSeconds(), 60,
            Duration.ofDays(30).toSeconds())), algorithms, jwks);
  }

  private static Set<Alg> algorithms(String list) {
    EnumSet<Alg> algs = EnumSet.noneOf(Alg.class);
    for (String name : list.split(",")) {
      String n = name.trim();
      if (n.isEmpty()) {
        continue;
      }
      try {
        algs.add(Alg.valueOf(n.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("WEFT_JWT_ALGORITHMS names " + n + ": only " + Arrays.stream(Alg.values())
            .map(Enum::name).collect(Collectors.joining(", ")) + " are supported (never none)");
      }
    }
    return algs;
  }

  @Override
  public String toString() {
    return "JwtSettings[secret=" + (secret == null ? "none" : "***") + ", issuer=" + issuer + ", audience=" + audience
        + ", maxLifetime=" + maxLifetime + ", algorithms=" + algorithms + ", jwks=" + jwks + "]";
  }

  /**
   * Where an identity provider publishes its public keys, and how often Weft reads them again.
   *
   * @param url WEFT_JWT_JWKS_URL: the JWKS document (RFC 7517), e.g. {@code https://idp.example/.well-known/jwks.json};
   *     https, or http to a loopback address only (default: none, no JWKS)
   * @param refreshInterval WEFT_JWT_JWKS_REFRESH_SECONDS: how often the keys are read again in the background, so a
   *     removed key stops verifying and a published one starts (default 300; 10 to 86400)
   * @param minRefetchInterval WEFT_JWT_JWKS_MIN_REFETCH_SECONDS: a token naming an unknown {@code kid} asks for an
   *     early re-read, at most once per this many seconds, so a flood of made-up kids costs the provider one request
   *     per interval per gateway (default 30; 1 to 3600)
   * @param timeout WEFT_JWT_JWKS_TIMEOUT_MS: connect and read timeout of one fetch (default 5000; 100 to 60000)
   */
  public record JwksSettings(URI url, Duration refreshInterval, Duration minRefetchInterval, Duration timeout) {

    static JwksSettings from(Env env) {
      String raw = env.raw("WEFT_JWT_JWKS_URL").orElse(null);
      if (raw == null) {
        return null;
      }
      URI url;
      try {
        url = URI.create(raw);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("WEFT_JWT_JWKS_URL=" + raw + " is not a URL");
      }
      boolean https = "https".equalsIgnoreCase(url.getScheme());
      boolean http = "http".equalsIgnoreCase(url.getScheme());
      if (url.getHost() == null || !(https || http)) {
        throw new ConfigException("WEFT_JWT_JWKS_URL=" + raw + " is not an http(s) URL");
      }
      // Whoever can rewrite the key document can sign any token, so plain http only where no network is crossed.
      if (http && !loopback(url.getHost())) {
        throw new ConfigException("WEFT_JWT_JWKS_URL=" + raw + " must be https (plain http only to a loopback address)");
      }
      return new JwksSettings(url,
          Duration.ofSeconds(env.integer("WEFT_JWT_JWKS_REFRESH_SECONDS", 300, 10, 86_400)),
          Duration.ofSeconds(env.integer("WEFT_JWT_JWKS_MIN_REFETCH_SECONDS", 30, 1, 3_600)),
          Duration.ofMillis(env.integer("WEFT_JWT_JWKS_TIMEOUT_MS", 5_000, 100, 60_000)));
    }

    /** By name or literal only: a configured host is never looked up here. */
    private static boolean loopback(String host) {
      String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
      return h.equalsIgnoreCase("localhost") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}") || h.equals("::1");
    }
  }
}
