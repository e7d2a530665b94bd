package dev.weft.bench;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * One fixed-rate phase, measured.
 *
 * @param phaseNo the phase's number in its target's run, as its messages carry it
 * @param kind cold, warm or ramp
 * @param rate the target rate, messages per second
 * @param sendRate what the sender achieved: below the target means the load generator could not keep its schedule
 * @param maxSendLagMs how far the latest send fell behind its scheduled time
 * @param acked sends the server acknowledged
 * @param errors sends the server answered with an {@code error} frame (by code in {@code errorCodes})
 * @param delivered messages that reached their recipient, each counted once
 * @param duplicates deliveries of a message that had arrived already
 * @param misdelivered deliveries to a user the message was not sent to
 * @param lost acked but not delivered by the end of the drain period
 * @param undelivered sent but not delivered by then, whatever the reason (lost, refused, unanswered)
 * @param latencyMs p50, p99, p99.9 and max of send → recipient's {@code msg}, over every delivered message
 * @param serverCpuMicrosPerMessage CPU (user + system) of every server process over the phase and its drain, per
 *     delivered message
 * @param serverCpuCores the same CPU over the phase's wall time, in cores (1.0 = one core busy throughout)
 * @param serverCoresByProcess the same per server process, by "name(pid)": the JVM's share apart from mariadbd's
 * @param benchCpuCores the load generator's own CPU, in cores: near the machine's core count it is the bottleneck
 */
record PhaseResult(int phaseNo, String name, String kind, int rate, int seconds, long sent, double sendRate, double maxSendLagMs,
    long acked, long errors, Map<String, Long> errorCodes, long delivered, long duplicates, long misdelivered, long lost,
    long undelivered, double p50Ms, double p99Ms, double p999Ms, double maxMs, double serverCpuMicrosPerMessage,
    double serverCpuCores, Map<String, Double> serverCoresByProcess, double benchCpuCores, double wallSeconds) {

  /** Why this phase does not count as held at its rate with p99 ≤ the limit and nothing lost; null when it does. */
  String failure(int p99LimitMs) {
    if (undelivered > 0 || duplicates > 0 || misdelivered > 0) {
      return undelivered + " undelivered, " + duplicates + " duplicates, " + misdelivered + " misdelivered";
    }
    if (!(p99Ms <= p99LimitMs)) {
      return String.format(java.util.Locale.ROOT, "p99 %.1f ms > %d ms", p99Ms, p99LimitMs);
    }
    if (sendRate < 0.95 * rate) {
      return "the load generator sent only " + Math.round(sendRate) + " msgs/s";
    }
    return null;
  }

  /** @param arrivedLate of this phase's messages, how many arrived after its drain (see {@link LateArrivals}) */
  JsonObject toJson(long arrivedLate) {
    return new JsonObject().put("name", name).put("arrivedLate", arrivedLate).put("kind", kind).put("rate", rate).put("seconds", seconds)
        .put("sent", sent).put("sendRate", sendRate).put("maxSendLagMs", maxSendLagMs).put("acked", acked)
        .put("errors", errors).put("errorCodes", new JsonObject(Map.copyOf(errorCodes))).put("delivered", delivered)
        .put("duplicates", duplicates).put("misdelivered", misdelivered).put("lost", lost).put("undelivered", undelivered)
        .put("p50Ms", finite(p50Ms)).put("p99Ms", finite(p99Ms)).put("p999Ms", finite(p999Ms)).put("maxMs", finite(maxMs))
        .put("serverCpuMicrosPerMessage", finite(serverCpuMicrosPerMessage)).put("serverCpuCores", serverCpuCores)
        .put("serverCoresByProcess", new JsonObject(Map.copyOf(serverCoresByProcess)))
        .put("benchCpuCores", benchCpuCores).put("wallSeconds", wallSeconds);
  }

  /** JSON has no NaN: a figure that could not be measured is null. */
  static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
