package dev.weft.common;

/**
 * How tokens are signed and checked.
 *
 * @param secret WEFT_JWT_SECRET: HS256 secret, at least 32 bytes; required unless WEFT_DEV=1
 * @param issuer WEFT_JWT_ISSUER: when set, tokens must carry this {@code iss}; {@code ./weft token} sets it
 */
public record JwtSettings(String secret, String issuer) {

  public static JwtSettings from(Env env) {
    String secret = env.required("WEFT_JWT_SECRET", DevDefaults.JWT_SECRET, "the HS256 secret that signs client tokens");
    if (secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
      throw new ConfigException("WEFT_JWT_SECRET is too short: HS256 needs at least 32 bytes");
    }
    if (!env.dev() && secret.equals(DevDefaults.JWT_SECRET)) {
      throw new ConfigException("WEFT_JWT_SECRET is the development secret; set a real one (or WEFT_DEV=1)");
    }
    return new JwtSettings(secret, env.raw("WEFT_JWT_ISSUER").orElse(null));
  }

  @Override
  public String toString() {
    return "JwtSettings[secret=***, issuer=" + issuer + "]";
  }
}
