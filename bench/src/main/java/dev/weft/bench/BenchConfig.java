package dev.weft.bench;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import dev.weft.common.JwtSettings;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a benchmark run does. Under WEFT_BENCH_QUICK=1 every unset setting takes a small value instead (the smoke
 * test's seconds-long run); a setting that is set wins either way.
 *
 * @param users WEFT_BENCH_USERS: users connected for the message phases, one WebSocket each (default 1000; quick 20)
 * @param textBytes WEFT_BENCH_TEXT_BYTES: size of each message text, key included (default 100)
 * @param coldRate WEFT_BENCH_COLD_RATE: messages per second of the first phase after start (default 1000; quick 100)
 * @param coldSeconds WEFT_BENCH_COLD_SECONDS: length of the cold phase (default 20; quick 2)
 * @param warmRates WEFT_BENCH_WARM_RATES: comma-separated rates of the warm phases, run in order after the cold one
 *     (default 100,1000,5000; quick 100,200)
 * @param warmSeconds WEFT_BENCH_WARM_SECONDS: length of each warm phase (default 15; quick 2)
 * @param rampRates WEFT_BENCH_RAMP_RATES: the ramp's steps, run in order until one misses the p99 limit or loses a
 *     message (default 2000,4000,8000,12000,16000,24000,32000,48000; quick 200,400)
 * @param rampSeconds WEFT_BENCH_RAMP_SECONDS: how long each ramp step is held (default 10; quick 2)
 * @param p99LimitMs WEFT_BENCH_P99_LIMIT_MS: a ramp step passes with p99 at or under this (default 100)
 * @param drainSeconds WEFT_BENCH_DRAIN_SECONDS: how long after a phase's last send a message may still arrive before it
 *     counts as lost (default 5)
 * @param idleConnections WEFT_BENCH_IDLE_CONNECTIONS: users logged in (WEFT_BENCH_LOGINS_IN_FLIGHT at a time) for the
 *     login rate, then held idle for the RSS per connection (default 10000; quick 200). At most 15000: a process may
 *     open 20,000 files on this machine, and the bench holds them all
 * @param loginsInFlight WEFT_BENCH_LOGINS_IN_FLIGHT: logins under way at once (default 200; quick 20)
 * @param baseline WEFT_BENCH_BASELINE: 1 measures the in-memory relay after Weft, 0 skips it (default 1)
 * @param outDir WEFT_BENCH_OUT: where bench.json, bench.md and the servers' logs go (default
 *     .weft/bench/&lt;timestamp&gt;)
 * @param gateway WEFT_BENCH_GATEWAY: host:port of an already running Weft gateway to measure instead of starting one
 *     (default: none, the bench starts its own {@code ./weft dev} on free ports and a fresh data directory)
 * @param pids WEFT_BENCH_PIDS: with WEFT_BENCH_GATEWAY, comma-separated pids of that Weft's server processes (their
 *     descendants count too); without them no server CPU or RSS is reported
 * @param jwt the secret tokens are signed with (WEFT_JWT_SECRET, or the dev secret under WEFT_DEV=1, which the bench
 *     sets for the Weft it starts)
 */
public record BenchConfig(int users, int textBytes, int coldRate, int coldSeconds, List<Integer> warmRates, int warmSeconds,
    List<Integer> rampRates, int rampSeconds, int p99LimitMs, int drainSeconds, int idleConnections, int loginsInFlight,
    boolean baseline, Path outDir, Optional<String> gateway, List<Long> pids, JwtSettings jwt) {

  public static BenchConfig from(Env env) {
    boolean quick = env.integer("WEFT_BENCH_QUICK", 0, 0, 1) == 1;
    Optional<String> gateway = env.raw("WEFT_BENCH_GATEWAY");
    if (gateway.isPresent() && !gateway.get().matches("[^:]+:\\d{1,5}")) {
      throw new ConfigException("WEFT_BENCH_GATEWAY: '" + gateway.get() + "' is not host:port");
    }
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    return new BenchConfig(
        env.integer("WEFT_BENCH_USERS", quick ? 20 : 1000, 2, 15_000),
        env.integer("WEFT_BENCH_TEXT_BYTES", 100, 32, 1_000_000),
        env.integer("WEFT_BENCH_COLD_RATE", quick ? 100 : 1000, 1, 1_000_000),
        env.integer("WEFT_BENCH_COLD_SECONDS", quick ? 2 : 20, 1, 3600),
        rates(env, "WEFT_BENCH_WARM_RATES", quick ? "100,200" : "100,1000,5000"),
        env.integer("WEFT_BENCH_WARM_SECONDS", quick ? 2 : 15, 1, 3600),
        rates(env, "WEFT_BENCH_RAMP_RATES", quick ? "200,400" : "2000,4000,8000,12000,16000,24000,32000,48000"),
        env.integer("WEFT_BENCH_RAMP_SECONDS", quick ? 2 : 10, 1, 3600),
        env.integer("WEFT_BENCH_P99_LIMIT_MS", 100, 1, 60_000),
        env.integer("WEFT_BENCH_DRAIN_SECONDS", 5, 1, 600),
        env.integer("WEFT_BENCH_IDLE_CONNECTIONS", quick ? 200 : 10_000, 1, 15_000),
        env.integer("WEFT_BENCH_LOGINS_IN_FLIGHT", quick ? 20 : 200, 1, 10_000),
        env.integer("WEFT_BENCH_BASELINE", 1, 0, 1) == 1,
        Path.of(env.string("WEFT_BENCH_OUT", ".weft/bench/" + stamp)).toAbsolutePath(),
        gateway,
        pids(env),
        JwtSettings.from(env));
  }

  private static List<Integer> rates(Env env, String key, String defaultValue) {
    try {
      List<Integer> rates = Arrays.stream(env.string(key, defaultValue).split(",")).map(String::trim)
          .filter(s -> !s.isEmpty()).map(Integer::parseInt).toList();
      if (rates.stream().anyMatch(r -> r < 1 || r > 1_000_000)) {
        throw new NumberFormatException();
      }
      return rates;
    } catch (NumberFormatException e) {
      throw new ConfigException(key + "=" + env.string(key, "") + " is not a comma-separated list of rates (1 to 1000000)");
    }
  }

  private static List<Long> pids(Env env) {
    try {
      return Arrays.stream(env.string("WEFT_BENCH_PIDS", "").split(",")).map(String::trim).filter(s -> !s.isEmpty())
          .map(Long::parseLong).toList();
    } catch (NumberFormatException e) {
      throw new ConfigException("WEFT_BENCH_PIDS=" + env.string("WEFT_BENCH_PIDS", "") + " is not a comma-separated list of pids");
    }
  }
}
