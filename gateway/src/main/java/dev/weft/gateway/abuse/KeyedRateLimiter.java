package dev.weft.gateway.abuse;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket per key ({@code rate} per second sustained, {@code burst} at once), shared by every event loop: an
 * address's connections and a user's sockets land on different loops, and a budget split per loop would multiply it.
 *
 * <p>Bounded memory: a bucket that has been idle long enough to refill completely is the same as no bucket, so it is
 * dropped. That sweep runs every {@link #SWEEP_EVERY} calls, atomically per key, so a key in use keeps its state.
 */
public final class KeyedRateLimiter {

  static final int SWEEP_EVERY = 4096;

  private static final class Bucket {
    double tokens;
    long last;

    Bucket(double tokens, long last) {
      this.tokens = tokens;
      this.last = last;
    }
  }

  private final double tokensPerNano;
  private final double burst;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final AtomicLong calls = new AtomicLong();

  public KeyedRateLimiter(int ratePerSecond, int burst, LongSupplier nanoClock) {
    this.tokensPerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.nanoClock = nanoClock;
  }

  /** Takes one token from {@code key}'s bucket; false when it is empty. */
  public boolean tryAcquire(String key) {
    long now = nanoClock.getAsLong();
    if (calls.incrementAndGet() % SWEEP_EVERY == 0) {
      sweep(now);
    }
    boolean[] taken = {false};
    buckets.compute(key, (k, b) -> {
      Bucket bucket = b == null ? new Bucket(burst, now) : b;
      bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.last) * tokensPerNano);
      bucket.last = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        taken[0] = true;
      }
      return bucket;
    });
    return taken[0];
  }

  /** Drops every bucket that has refilled completely since it was last used. */
  void sweep(long now) {
    for (String key : buckets.keySet()) {
      buckets.computeIfPresent(key, (k, b) -> b.tokens + (now - b.last) * tokensPerNano >= burst ? null : b);
    }
  }

  /** Keys with a bucket, for tests of the bound. */
  int size() {
    return buckets.size();
  }
}
