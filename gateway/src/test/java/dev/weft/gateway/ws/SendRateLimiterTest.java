package dev.weft.gateway.ws;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SendRateLimiterTest {

  @Test
  void allowsTheBurstThenRefillsAtTheRate() {
    AtomicLong now = new AtomicLong();
    SendRateLimiter limiter = new SendRateLimiter(10, 3, now::get);
    assertTrue(limiter.tryAcquire());
    assertTrue(limiter.tryAcquire());
    assertTrue(limiter.tryAcquire());
    assertFalse(limiter.tryAcquire(), "burst spent");
    now.addAndGet(100_000_000L); // 100 ms = one token at 10/s
    assertTrue(limiter.tryAcquire());
    assertFalse(limiter.tryAcquire());
    now.addAndGet(10_000_000_000L); // a long pause refills only up to the burst
    for (int i = 0; i < 3; i++) {
      assertTrue(limiter.tryAcquire());
    }
    assertFalse(limiter.tryAcquire());
  }
}
