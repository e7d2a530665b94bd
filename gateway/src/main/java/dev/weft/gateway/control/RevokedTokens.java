package dev.weft.gateway.control;

import dev.weft.common.Tokens;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Each revoked user's moment: their tokens issued before it are refused ({@link Tokens} asks on every verify). A
 * revocation is forgotten once every token it could refuse has expired: no token lives longer than the maximum
 * lifetime from its iat (Tokens refuses one that would), so after {@code before + max lifetime} none is left.
 * So what a gateway holds is the revocations of one maximum token lifetime, not every one ever made.
 */
public final class RevokedTokens implements Tokens.Revocations {

  private final Map<String, Long> before = new ConcurrentHashMap<>();
  private final long keepMs;
  private final LongSupplier clock;

  /** @param keepMs how long a revocation can matter: the maximum token lifetime and the clock skew allowed */
  public RevokedTokens(long keepMs, LongSupplier clock) {
    this.keepMs = keepMs;
    this.clock = clock;
  }

  /** How often {@link #revoke} also forgets what no token falls under any more: a whole scan, not one a record. */
  private static final long SWEEP_EVERY_MS = 60_000;
  private long sweptAt = Long.MIN_VALUE;

  /**
   * Records that the user's tokens issued before {@code beforeMs} are refused; a later moment wins. Forgets expired
   * revocations at most once a minute, so loading a topic of many costs one pass each minute, not one a record.
   */
  public void revoke(String user, long beforeMs) {
    long now = clock.getAsLong();
    if (beforeMs + keepMs > now) {
      before.merge(user, beforeMs, Math::max);
    }
    if (sweptAt == Long.MIN_VALUE || now - sweptAt >= SWEEP_EVERY_MS) {
      sweptAt = now;
      forgetExpired();
    }
  }

  @Override
  public long revokedBefore(String user) {
    Long b = before.get(user);
    if (b == null) {
      return Long.MIN_VALUE;
    }
    if (b + keepMs <= clock.getAsLong()) {
      before.remove(user, b);
      return Long.MIN_VALUE;
    }
    return b;
  }

  /** Forgets the revocations no token can fall under any more. */
  public void forgetExpired() {
    long now = clock.getAsLong();
    before.values().removeIf(b -> b + keepMs <= now);
  }

  public int size() {
    return before.size();
  }
}
