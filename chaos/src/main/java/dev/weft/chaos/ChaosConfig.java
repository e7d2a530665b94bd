package dev.weft.chaos;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;

/**
 * What a fault run does.
 *
 * @param users WEFT_CHAOS_USERS: users, one WebSocket each, sending to each other at random (default 100)
 * @param rate WEFT_CHAOS_RATE: messages per second over all users, held through every fault (default 50: twelve JVMs
 *     share two cores here, and at 100 msgs/s with 200 users the cluster fell behind before any fault)
 * @param faults WEFT_CHAOS_FAULTS: comma-separated fault ids, run in order (default: all, see {@link Fault})
 * @param warmSeconds WEFT_CHAOS_WARM_SECONDS: traffic before the first fault (default 40): its first half
 *     is the warm-up, its second half the baseline
 * @param quietSeconds WEFT_CHAOS_QUIET_SECONDS: how long a fault is left in place before it is healed (a part
 *     restarted), and how long traffic runs after the heal before the next fault (default 15)
 * @param pauseSeconds WEFT_CHAOS_PAUSE_SECONDS: how long broker-pause keeps a broker stopped (default 30)
 * @param settleSeconds WEFT_CHAOS_SETTLE_SECONDS: after the last fault, how long acked messages may take to be
 *     delivered and stored before they count as lost (default 60)
 * @param p99LimitMs WEFT_CHAOS_P99_LIMIT_MS: recovered means p99 back under this, second by second (default 500: with
 *     twelve JVMs on two cores the steady p99 here is 250-350 ms, so 100 ms is never reached, fault or not)
 * @param outDir WEFT_CHAOS_OUT: where chaos.json, chaos.md and every process's log go (default .weft/chaos/&lt;time&gt;)
 * @param root WEFT_ROOT: the checkout, whose modules' target/classpath.txt start the processes (default .)
 * @param javaOptions WEFT_CHAOS_JAVA_OPTS: JVM options for every process started (default
 *     {@code -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}: twelve JVMs share two cores here, and C2's compiler threads and
 *     G1's collectors doubled the time a killed part took to start again, 86 s against 17 s for a gateway)
 */
record ChaosConfig(int users, int rate, List<Fault> faults, int warmSeconds, int quietSeconds, int pauseSeconds,
    int settleSeconds, int p99LimitMs, Path outDir, Path root, List<String> javaOptions) {

  static ChaosConfig from(Env env) {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    List<Fault> faults;
    try {
      faults = Arrays.stream(env.string("WEFT_CHAOS_FAULTS", all()).split(",")).map(String::trim)
          .filter(s -> !s.isEmpty()).map(Fault::of).toList();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("WEFT_CHAOS_FAULTS: " + e.getMessage());
    }
    return new ChaosConfig(
        env.integer("WEFT_CHAOS_USERS", 100, 2, 10_000),
        env.integer("WEFT_CHAOS_RATE", 50, 1, 20_000),
        faults,
        env.integer("WEFT_CHAOS_WARM_SECONDS", 40, 2, 3_600),
        env.integer("WEFT_CHAOS_QUIET_SECONDS", 15, 5, 3_600),
        env.integer("WEFT_CHAOS_PAUSE_SECONDS", 30, 1, 3_600),
        env.integer("WEFT_CHAOS_SETTLE_SECONDS", 60, 5, 3_600),
        env.integer("WEFT_CHAOS_P99_LIMIT_MS", 500, 1, 60_000),
        Path.of(env.string("WEFT_CHAOS_OUT", ".weft/chaos/" + stamp)).toAbsolutePath(),
        Path.of(env.string("WEFT_ROOT", ".")).toAbsolutePath().normalize(),
        Arrays.stream(env.string("WEFT_CHAOS_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC").split("\\s+")).filter(s -> !s.isEmpty()).toList());
  }

  private static String all() {
    return String.join(",", Arrays.stream(Fault.values()).map(f -> f.id).toList());
  }
}
