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

  private final int ratePerSecond;
  private final int burst;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
  private final AtomicLong calls = new AtomicLong();

  public KeyedRateLimiter(int ratePerSecond, int burst, LongSupplier nanoClock) {
    this.ratePerSecond = ratePerSecond;
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
    // compute() holds the key's lock, so the bucket is changed by one thread at a time.
    buckets.compute(key, (k, b) -> {
      TokenBucket bucket = b == null ? new TokenBucket(ratePerSecond, burst, now) : b;
      taken[0] = bucket.tryTake(now);
      return bucket;
    });
    return taken[0];
  }

  /** Drops every bucket that has refilled completely since it was last used. */
  void sweep(long now) {
    for (String key : buckets.keySet()) {
      buckets.computeIfPresent(key, (k, b) -> b.fullAt(now) ? null : b);
    }
  }

  /** Keys with a bucket, for tests of the bound. */
  int size() {
    return buckets.size();
  }
}
