package dev.weft.gateway.config;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;

/**
 * How a gateway leaves on SIGTERM.
 *
 * @param periodMs WEFT_DRAIN_PERIOD_MS: clients are asked to reconnect at random moments over this long, so they do
 * *     not all land on the other gateways at once (default 20000; 1000 under WEFT_DEV)
 * @param deadlineMs WEFT_DRAIN_DEADLINE_MS: the gateway has exited by then, drained or not (default 40000); keep
 *     Kubernetes' terminationGracePeriodSeconds above it plus any preStop delay
 */
public record DrainSettings(int periodMs, int deadlineMs) {

  static DrainSettings from(Env env) {
    int period = env.integer("WEFT_DRAIN_PERIOD_MS", env.dev() ? 1_000 : 20_000, 0, 3_600_000);
    int deadline = env.integer("WEFT_DRAIN_DEADLINE_MS", 40_000, 1_000, 7_200_000);
    if (deadline <= period) {
      throw new ConfigException("WEFT_DRAIN_DEADLINE_MS=" + deadline + " must exceed WEFT_DRAIN_PERIOD_MS=" + period
          + ": the gateway needs time to flush and retract after the last client left");
    }
    return new DrainSettings(period, deadline);
  }
}
