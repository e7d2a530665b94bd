package dev.weft.bench;

import io.vertx.core.json.JsonObject;

/**
 * Logins of many users at once, and what the connections cost the servers once they sit idle.
 *
 * @param perSecond logins that got their {@code welcome}, over the time from the first connect to the last
 * @param p50Ms login latency (connect → {@code welcome}), exact
 * @param serverCpuMicrosPerLogin CPU of every server process over the logins, per login
 * @param rssBeforeKb the server processes' RSS before the first login (for the idle phase: after a full GC)
 * @param rssAfterKb their RSS with every connection open and idle for a few seconds (idle phase: after a full GC)
 * @param rssPerConnectionKb (after − before) / logins; NaN when there are no server processes to read
 * @param heapBeforeKb heap used by the server JVMs after a full GC before the first login (idle phase only, else 0)
 * @param heapAfterKb the same with every connection open
 * @param heapPerConnectionKb (after − before) / logins: what a connection holds on the heap (idle phase only)
 * @param benchCpuCores the load generator's own CPU over the logins, in cores
 */
record LoginResult(String name, int users, int inFlight, int logins, int failures, String firstFailure, double seconds,
    double perSecond, double p50Ms, double p99Ms, double maxMs, double serverCpuMicrosPerLogin, long rssBeforeKb,
    long rssAfterKb, double rssPerConnectionKb, long heapBeforeKb, long heapAfterKb, double heapPerConnectionKb,
    double benchCpuCores) {

  JsonObject toJson() {
    return new JsonObject().put("name", name).put("users", users).put("inFlight", inFlight).put("logins", logins)
        .put("failures", failures).put("firstFailure", firstFailure).put("seconds", seconds)
        .put("perSecond", PhaseResult.finite(perSecond)).put("p50Ms", PhaseResult.finite(p50Ms))
        .put("p99Ms", PhaseResult.finite(p99Ms)).put("maxMs", PhaseResult.finite(maxMs))
        .put("serverCpuMicrosPerLogin", PhaseResult.finite(serverCpuMicrosPerLogin)).put("rssBeforeKb", rssBeforeKb)
        .put("rssAfterKb", rssAfterKb).put("rssPerConnectionKb", PhaseResult.finite(rssPerConnectionKb))
        .put("heapBeforeKb", heapBeforeKb).put("heapAfterKb", heapAfterKb)
        .put("heapPerConnectionKb", PhaseResult.finite(heapPerConnectionKb))
        .put("benchCpuCores", benchCpuCores);
  }
}
