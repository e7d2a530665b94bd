package dev.weft.gateway.abuse;

/**
 * One token bucket: {@code rate} per second sustained, {@code burst} at once, starting full. Not thread-safe: its owner
 * keeps it on one thread, or changes it under a lock.
 */
public final class TokenBucket {

  private final double tokensPerNano;
  private final double burst;
  private double tokens;
  private long last;

  public TokenBucket(int ratePerSecond, int burst, long now) {
    this.tokensPerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token at time {@code now} (nanoseconds); false when the bucket is empty. */
  public boolean tryTake(long now) {
    tokens = Math.min(burst, tokens + (now - last) * tokensPerNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /** True when the bucket would be full again at {@code now}: then it is the same as a new one. */
  boolean fullAt(long now) {
    return tokens + (now - last) * tokensPerNano >= burst;
  }
}
