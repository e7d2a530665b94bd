package dev.weft.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The shared secret that authenticates gateways to persisters: every gateway sends it in {@link #HEADER} on every call
 * to a persister's {@code /internal} routes, and a persister answers a call without it, or with another value, 401.
 *
 * <p>WEFT_INTERNAL_SECRET, read by the gateway and the persister: at least {@value #MIN_BYTES} bytes; required unless
 * WEFT_DEV=1, which uses {@link DevDefaults#INTERNAL_SECRET} (refused outside development, like the JWT dev secret).
 */
public final class InternalSecret {

  /** The request header a gateway puts the secret in. */
  public static final String HEADER = "Weft-Internal-Secret";
  public static final int MIN_BYTES = 32;

  private final String value;
  private final byte[] digest;

  public InternalSecret(String value) {
    if (value == null || value.getBytes(StandardCharsets.UTF_8).length < MIN_BYTES) {
      throw new ConfigException("WEFT_INTERNAL_SECRET is too short: it needs at least " + MIN_BYTES + " bytes");
    }
    this.value = value;
    this.digest = sha256(value);
  }

  public static InternalSecret from(Env env) {
    String value = env.required("WEFT_INTERNAL_SECRET", DevDefaults.INTERNAL_SECRET,
        "the secret gateways present to persisters (the same value on both)");
    if (!env.dev() && value.equals(DevDefaults.INTERNAL_SECRET)) {
      throw new ConfigException("WEFT_INTERNAL_SECRET is the development secret; set a real one (or WEFT_DEV=1)");
    }
    return new InternalSecret(value);
  }

  /** What a gateway sends. */
  public String value() {
    return value;
  }

  /**
   * True when {@code presented} is the secret. Both sides are hashed first, so {@link MessageDigest#isEqual} (constant
   * time in its content) compares equal lengths and the time taken tells nothing about the secret's length or prefix.
   */
  public boolean matches(String presented) {
    return presented != null && MessageDigest.isEqual(digest, sha256(presented));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "InternalSecret[***]";
  }
}
