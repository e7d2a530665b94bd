package dev.weft.gateway.ws;

import java.util.function.LongSupplier;

/** Token bucket: {@code rate} frames per second sustained, {@code burst} at once. Used on one event loop only. */
final class SendRateLimiter {

  private final double tokensPerNano;
  private final double burst;
  private final LongSupplier nanoClock;
  private double tokens;
  private long last;

  SendRateLimiter(int ratePerSecond, int burst, LongSupplier nanoClock) {
    this.tokensPerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.nanoClock = nanoClock;
    this.tokens = burst;
    this.last = nanoClock.getAsLong();
  }

  boolean tryAcquire() {
    long now = nanoClock.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) * tokensPerNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
