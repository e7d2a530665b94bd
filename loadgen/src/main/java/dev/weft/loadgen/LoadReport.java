package dev.weft.loadgen;

import java.util.Arrays;

/** The outcome of a run: counts, and latency percentiles in milliseconds. */
public record LoadReport(long sent, long acked, long delivered, long errors, double seconds, long[] ackMicros, long[] deliveryMicros,
    CatchUp catchUp) {

  /**
   * The catch-up phase: {@code expected} messages were sent while the receivers were away; {@code caughtUp} came back
   * to them before their {@code synced}; {@code syncMicros} is, per receiver, reconnect to {@code synced}.
   */
  public record CatchUp(long expected, long caughtUp, double seconds, long[] syncMicros) {

    public double messagesPerSecond() {
      return caughtUp / seconds;
    }

    public double syncMs(double p) {
      return percentileMs(syncMicros, p);
    }

    @Override
    public String toString() {
      return String.format("; catch-up: %d of %d missed messages to %d receivers in %.2f s (%.0f msg/s); "
          + "reconnect to synced p50 %.0f ms p99 %.0f ms", caughtUp, expected, syncMicros.length, seconds,
          messagesPerSecond(), syncMs(50), syncMs(99));
    }
  }

  LoadReport withCatchUp(CatchUp c) {
    return new LoadReport(sent, acked, delivered, errors, seconds, ackMicros, deliveryMicros, c);
  }

  public double deliveredPerSecond() {
    return delivered / seconds;
  }

  static double percentileMs(long[] sortedMicros, double p) {
    if (sortedMicros.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.min(sortedMicros.length - 1, Math.ceil(p / 100.0 * sortedMicros.length) - 1);
    return sortedMicros[Math.max(0, i)] / 1000.0;
  }

  public double ackMs(double p) {
    return percentileMs(ackMicros, p);
  }

  public double deliveryMs(double p) {
    return percentileMs(deliveryMicros, p);
  }

  static LoadReport of(long sent, long acked, long delivered, long errors, double seconds, long[] ack, long[] delivery) {
    Arrays.sort(ack);
    Arrays.sort(delivery);
    return new LoadReport(sent, acked, delivered, errors, seconds, ack, delivery, null);
  }

  @Override
  public String toString() {
    return String.format("weft-load: sent %d, acked %d, delivered %d, errors %d in %.1f s: %.0f msg/s delivered; "
            + "ack p50 %.1f ms p99 %.1f ms; delivery p50 %.1f ms p99 %.1f ms max %.1f ms",
        sent, acked, delivered, errors, seconds, deliveredPerSecond(), ackMs(50), ackMs(99), deliveryMs(50), deliveryMs(99),
        deliveryMs(100))
        + (catchUp == null ? "" : catchUp.toString());
  }
}
