package dev.weft.chaos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one fault did to the messages sent while it was in place and until the next fault: the messages are those
 * whose first send falls in the window.
 *
 * @param fault the fault's id, or "baseline" for the traffic before the first
 * @param detail which part was hit
 * @param recoveryMs from the fault until the p99 of every later second's messages (up to the heal) was under the
 *     limit; -1 when the heal came before that
 * @param neverDelivered acked and stored, yet never delivered to its recipient's device, live or in a catch-up, though
 *     the recipient stayed connected or resumed with its cursor: the cursor went past it. Must be 0 like the losses
 * @param healRecoveryMs the same from the heal (the part started again) to the end of the window
 * @param errors error codes and close codes the clients saw in the window
 * @param p99BySecondMs each second's p99 from the fault on; -1 where a message of that second was never delivered
 */
record FaultResult(String fault, String detail, double windowSeconds, int sent, int acked, int refused, int ackedLost,
    int ackedNotStored, int shownTwice, int orderViolations, int neverDelivered, double p50Ms, double p99Ms,
    double maxMs, long recoveryMs, long healRecoveryMs, Map<String, Long> errors, List<Double> p99BySecondMs) {

  private static final int EDGE_SECONDS = 2;

  boolean lossFree() {
    return ackedLost == 0 && ackedNotStored == 0 && shownTwice == 0 && orderViolations == 0 && neverDelivered == 0;
  }

  /** Reads the window [{@code from}, {@code to}) of the ledger; {@code stored} is every id in history. */
  static FaultResult of(String fault, String detail, long from, long heal, long to, Ledger ledger, Set<String> stored,
      int p99LimitMs) {
    int sent = 0;
    int acked = 0;
    int refused = 0;
    int lost = 0;
    int notStored = 0;
    int twice = 0;
    int order = 0;
    int notLive = 0;
    int seconds = (int) Math.max(1, (to - from + 999_999_999L) / 1_000_000_000L);
    long[][] bySecond = new long[seconds][];
    int[] counts = new int[seconds];
    long[] all = new long[ledger.capacity];
    int allCount = 0;
    for (int n = 0; n < ledger.capacity; n++) {
      long s = ledger.sentNanos.get(n);
      if (s == 0 || s < from || s >= to) {
        continue;
      }
      sent++;
      String id = ledger.ackId.get(n);
      boolean delivered = ledger.deliveredId.get(n) != null;
      if (ledger.refused.get(n) == 1) {
        refused++;
      }
      if (id != null) {
        acked++;
        boolean inHistory = stored.contains(id);
        if (!inHistory) {
          notStored++;
          if (!delivered) {
            lost++;
          }
        }
        if (!delivered) {
          notLive++;
        }
      }
      twice += ledger.shownTwice.get(n);
      order += ledger.outOfOrder.get(n);
      // A message never delivered counts as infinitely late: a lost message must not make a second look recovered.
      long micros = delivered ? (ledger.deliveredNanos.get(n) - s) / 1000 : Long.MAX_VALUE;
      if (ledger.refused.get(n) == 0) {
        int b = (int) ((s - from) / 1_000_000_000L);
        if (bySecond[b] == null) {
          bySecond[b] = new long[16];
        }
        if (counts[b] == bySecond[b].length) {
          bySecond[b] = Arrays.copyOf(bySecond[b], counts[b] * 2);
        }
        bySecond[b][counts[b]++] = micros;
        all[allCount++] = micros;
      }
    }
    long[] sorted = Arrays.copyOf(all, allCount);
    Arrays.sort(sorted);
    int healBucket = (int) Math.min(seconds, Math.max(0, (heal - from) / 1_000_000_000L));
    // The last seconds before a boundary are left out: a message sent just before a heal or the next fault is slowed
    // by that, not by this fault.
    long recovery = recovery(bySecond, counts, 0, Math.max(1, healBucket - EDGE_SECONDS), p99LimitMs);
    long healRecovery = recovery(bySecond, counts, healBucket, Math.max(healBucket + 1, seconds - EDGE_SECONDS), p99LimitMs);
    return new FaultResult(fault, detail, (to - from) / 1e9, sent, acked, refused, lost, notStored, twice, order,
        notLive, ms(percentile(sorted, 50)), ms(percentile(sorted, 99)),
        sorted.length == 0 ? Double.NaN : ms(sorted[sorted.length - 1]), recovery, healRecovery,
        ledger.events(from, to), p99BySecond(bySecond, counts));
  }

  /** Each second's p99 from the start of the window (null for a second without messages): the run's shape. */
  private static List<Double> p99BySecond(long[][] bySecond, int[] counts) {
    List<Double> out = new ArrayList<>();
    for (int b = 0; b < counts.length; b++) {
      if (counts[b] == 0) {
        out.add(null);
        continue;
      }
      long[] sec = Arrays.copyOf(bySecond[b], counts[b]);
      Arrays.sort(sec);
      double v = ms(percentile(sec, 99));
      out.add(Double.isFinite(v) ? v : -1.0);
    }
    return out;
  }

  /**
   * Milliseconds from the start of bucket {@code first} to the end of the last bucket before {@code end} whose p99 is
   * over the limit (0 when none is); -1 when the last bucket with messages is over it: not recovered in the range.
   */
  private static long recovery(long[][] bySecond, int[] counts, int first, int end, int p99LimitMs) {
    long recovery = 0;
    int lastWithMessages = -1;
    boolean lastBad = false;
    for (int b = first; b < end; b++) {
      if (counts[b] == 0) {
        continue;
      }
      long[] sec = Arrays.copyOf(bySecond[b], counts[b]);
      Arrays.sort(sec);
      lastWithMessages = b;
      lastBad = percentile(sec, 99) > p99LimitMs * 1000L;
      if (lastBad) {
        recovery = (b + 1 - first) * 1000L;
      }
    }
    return lastWithMessages >= 0 && lastBad ? -1 : recovery;
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static double ms(long micros) {
    return micros == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : micros / 1000.0;
  }
}
