package dev.weft.bench;

import java.util.Arrays;

/**
 * Every latency sample of a phase, in microseconds, kept in a primitive array so percentiles are exact (sorted, not
 * bucketed). Appended from several event loops at once, hence the lock; at tens of thousands a second it is not
 * contended enough to matter beside a JSON parse per message.
 */
final class Samples {

  private long[] values = new long[1024];
  private int size;

  synchronized void add(long micros) {
    if (size == values.length) {
      values = Arrays.copyOf(values, values.length * 2);
    }
    values[size++] = micros;
  }

  /** A sorted copy of what was added so far. */
  synchronized long[] sorted() {
    long[] copy = Arrays.copyOf(values, size);
    Arrays.sort(copy);
    return copy;
  }

  /** The p-th percentile (nearest rank) of sorted micros, in milliseconds; NaN for no samples. */
  static double percentileMs(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] / 1000.0;
  }
}
