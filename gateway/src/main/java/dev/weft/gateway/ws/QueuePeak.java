package dev.weft.gateway.ws;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The most ever queued for one socket on this gateway (written and not yet sent, plus live traffic held while it
 * catches up), in characters. It shows that one slow reader costs the gateway a bounded amount of memory.
 */
public final class QueuePeak {

  private final AtomicLong peak = new AtomicLong();

  void observe(long queued) {
    if (queued > peak.get()) {
      peak.accumulateAndGet(queued, Math::max);
    }
  }

  public long get() {
    return peak.get();
  }
}
