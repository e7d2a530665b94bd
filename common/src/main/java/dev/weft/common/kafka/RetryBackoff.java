package dev.weft.common.kafka;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with jitter: the n-th failure in a row waits a random time between half and all of
 * min·2ⁿ⁻¹, capped at max. The jitter keeps the members of a group that all failed together (a broker went away) from
 * all coming back in the same instant. {@link #reset()} after a success. One thread only.
 */
public final class RetryBackoff {

  private final long minMs;
  private final long maxMs;
  private int failures;

  public RetryBackoff(Duration min, Duration max) {
    if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < min <= max, got " + min + " and " + max);
    }
    this.minMs = min.toMillis();
    this.maxMs = max.toMillis();
  }

  /** Counts one more failure and returns how long to wait before the next try, in milliseconds. */
  public long nextDelayMs() {
    int shift = Math.min(failures++, 30);
    long ceiling = Math.min(maxMs, minMs << shift); // min ≤ max ≤ a few minutes and shift ≤ 30: no overflow
    long floor = Math.max(1, ceiling / 2);
    return floor + ThreadLocalRandom.current().nextLong(ceiling - floor + 1);
  }

  /** Failures in a row so far. */
  public int failures() {
    return failures;
  }

  public void reset() {
    failures = 0;
  }
}
