package dev.weft.gateway.ws;

import dev.weft.gateway.abuse.TokenBucket;
import java.util.function.LongSupplier;

/** A socket's frame budget: {@code rate} frames per second sustained, {@code burst} at once. One event loop only. */
final class SendRateLimiter {

  private final TokenBucket bucket;
  private final LongSupplier nanoClock;

  SendRateLimiter(int ratePerSecond, int burst, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.bucket = new TokenBucket(ratePerSecond, burst, nanoClock.getAsLong());
  }

  boolean tryAcquire() {
    return bucket.tryTake(nanoClock.getAsLong());
  }
}
