package dev.weft.gateway.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KeyedRateLimiterTest {

  @Test
  void eachKeyHasItsOwnBurstAndRate() {
    AtomicLong now = new AtomicLong();
    KeyedRateLimiter limiter = new KeyedRateLimiter(10, 2, now::get);
    assertTrue(limiter.tryAcquire("a"));
    assertTrue(limiter.tryAcquire("a"));
    assertFalse(limiter.tryAcquire("a"), "a's burst spent");
    assertTrue(limiter.tryAcquire("b"), "b is not charged for a");
    now.addAndGet(100_000_000L);
    assertTrue(limiter.tryAcquire("a"));
    assertFalse(limiter.tryAcquire("a"));
  }

  @Test
  void refilledBucketsAreDroppedSoMemoryStaysBounded() {
    AtomicLong now = new AtomicLong();
    KeyedRateLimiter limiter = new KeyedRateLimiter(10, 2, now::get);
    for (int i = 0; i < 1000; i++) {
      limiter.tryAcquire("k" + i);
    }
    limiter.tryAcquire("busy");
    limiter.tryAcquire("busy");
    now.addAndGet(150_000_000L); // enough for the idle keys (1 token short of 2) but "busy" is still refilling
    limiter.sweep(now.get());
    assertEquals(1, limiter.size(), "only the bucket still refilling is kept");
    assertTrue(limiter.tryAcquire("busy"));
    assertFalse(limiter.tryAcquire("busy"), "its state survived the sweep");
  }
}
