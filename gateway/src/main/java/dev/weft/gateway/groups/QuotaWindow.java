package dev.weft.gateway.groups;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most {@code limit} units per user per window, counted in fixed windows: a user's first unit opens a window of
 * {@code windowNanos}, and when it ends the next unit opens a fresh one. Simpler to explain (and to report: the
 * refusal says when the window ends) than a sliding window, and one small entry per user; the price is that a user
 * may spend two windows' worth around a window's end, which for heap growth changes nothing that matters.
 *
 * <p>Memory: an entry per user who spent a unit in the last window or two. Ended windows are dropped in a sweep run at
 * most once per window length, by whichever caller comes first. Any thread: event loops share one instance.
 */
final class QuotaWindow {

  private record Window(long start, int used) {}

  private final int limit;
  private final long windowNanos;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
  private final AtomicLong lastSweep;

  QuotaWindow(int limit, long windowNanos, LongSupplier nanoTime) {
    this.limit = limit;
    this.windowNanos = windowNanos;
    this.nanoTime = nanoTime;
    this.lastSweep = new AtomicLong(nanoTime.getAsLong());
  }

  int limit() {
    return limit;
  }

  /**
   * Spends {@code units} of the user's window: 0 when spent, else the nanoseconds until the window ends (at least 1),
   * and nothing is spent. More units than the limit can never be spent: the answer is then the window's length.
   */
  long trySpend(String user, int units) {
    long now = nanoTime.getAsLong();
    sweep(now);
    if (units > limit) {
      return windowNanos;
    }
    long[] wait = {0};
    windows.compute(user, (u, w) -> {
      if (w == null || now - w.start() >= windowNanos) {
        return new Window(now, units);
      }
      if (w.used() + units > limit) {
        wait[0] = Math.max(1, w.start() + windowNanos - now);
        return w;
      }
      return new Window(w.start(), w.used() + units);
    });
    return wait[0];
  }

  /** Gives back units spent by a request that was then refused for another reason. */
  void giveBack(String user, int units) {
    windows.computeIfPresent(user, (u, w) -> new Window(w.start(), Math.max(0, w.used() - units)));
  }

  /** Users with an entry, for tests and metrics. */
  int users() {
    return windows.size();
  }

  private void sweep(long now) {
    long last = lastSweep.get();
    if (now - last < windowNanos || !lastSweep.compareAndSet(last, now)) {
      return;
    }
    windows.values().removeIf(w -> now - w.start() >= windowNanos);
  }
}
