package dev.weft.router;

import java.time.Duration;

/** Capped exponential backoff: min, 2·min, 4·min, ... up to max; {@link #reset()} after a success. */
final class Backoff {

  private final long minMs;
  private final long maxMs;
  private int failures;

  Backoff(Duration min, Duration max) {
    this.minMs = min.toMillis();
    this.maxMs = max.toMillis();
  }

  /** Counts one more failure and returns how long to wait before the next try. */
  long nextDelayMs() {
    int shift = Math.min(failures++, 30);
    return Math.min(maxMs, minMs << shift); // min ≤ 60 s and shift ≤ 30: no overflow
  }

  /** Failures in a row so far. */
  int failures() {
    return failures;
  }

  void reset() {
    failures = 0;
  }
}
