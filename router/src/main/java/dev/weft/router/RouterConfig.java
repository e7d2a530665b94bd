package dev.weft.router;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import dev.weft.common.KafkaSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything a router is configured with, read from the environment in one place ({@link #from(Env)}).
 *
 * @param kafka see {@link KafkaSettings} (WEFT_KAFKA_BOOTSTRAP, WEFT_TOPIC_PREFIX, WEFT_KAFKA_SEND_TIMEOUT_MS, ...)
 * @param routerId WEFT_ROUTER_ID: names this instance in Kafka client ids and logs; need not be unique
 *     (default: the HOSTNAME, a pod name in Kubernetes, else {@code router})
 * @param group WEFT_ROUTER_GROUP: consumer group on the inbound topic, shared by every router of one fabric
 *     (default {@code weft-router})
 * @param maxPollRecords WEFT_ROUTER_MAX_POLL_RECORDS: inbound records routed per batch; each batch ends with one
 *     flush and one offset commit (default 500)
 * @param retryBackoffMin WEFT_ROUTER_RETRY_BACKOFF_MS: first wait after a batch could not be delivered or a loop
 *     failed; doubles on each further failure, each wait a random half to all of its step (default 100)
 * @param retryBackoffMax WEFT_ROUTER_RETRY_BACKOFF_MAX_MS: longest wait between retries (default 10000)
 * @param startTimeout WEFT_ROUTER_START_TIMEOUT_MS: how long start may take to load the session table before it
 *     gives up (default 60000)
 * @param shutdownTimeout WEFT_ROUTER_SHUTDOWN_TIMEOUT_MS: how long close waits for the current batch, the final
 *     commit and the clients to close (default 30000)
 * @param gatewayExpiry WEFT_GATEWAY_EXPIRY_MS: a gateway with no heartbeat for this long is taken for dead: its
 *     sessions are dropped and retracted (default 30000; keep it several gateway heartbeat intervals)
 * @param httpPort WEFT_ROUTER_HTTP_PORT: port of /metrics, /health/live and /health/ready (default 8091; 0 = any)
 * @param push the offline push hook: the router writes a notice for each recipient with no session ({@link dev.weft.common.PushSettings})
 */
public record RouterConfig(
    KafkaSettings kafka,
    String routerId,
    String group,
    int maxPollRecords,
    Duration retryBackoffMin,
    Duration retryBackoffMax,
    Duration startTimeout,
    Duration shutdownTimeout,
    Duration gatewayExpiry,
    int httpPort,
    dev.weft.common.PushSettings push) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  public RouterConfig {
    if (kafka == null) {
      throw new ConfigException("Kafka settings are missing");
    }
    requireId("WEFT_ROUTER_ID", routerId);
    requireId("WEFT_ROUTER_GROUP", group);
    if (maxPollRecords < 1) {
      throw new ConfigException("WEFT_ROUTER_MAX_POLL_RECORDS=" + maxPollRecords + " must be at least 1");
    }
    if (retryBackoffMin.isNegative() || retryBackoffMin.isZero() || retryBackoffMax.compareTo(retryBackoffMin) < 0) {
      throw new ConfigException("WEFT_ROUTER_RETRY_BACKOFF_MAX_MS=" + retryBackoffMax.toMillis()
          + " must be at least WEFT_ROUTER_RETRY_BACKOFF_MS=" + retryBackoffMin.toMillis() + " (> 0)");
    }
    if (startTimeout.toMillis() < 1 || shutdownTimeout.toMillis() < 1) {
      throw new ConfigException("WEFT_ROUTER_START_TIMEOUT_MS and WEFT_ROUTER_SHUTDOWN_TIMEOUT_MS must be positive");
    }
  }

  public static RouterConfig from(Env env) {
    return new RouterConfig(
        KafkaSettings.from(env),
        env.raw("WEFT_ROUTER_ID").or(() -> env.raw("HOSTNAME")).or(() -> Optional.of("router")).get(),
        env.string("WEFT_ROUTER_GROUP", "weft-router"),
        env.integer("WEFT_ROUTER_MAX_POLL_RECORDS", 500, 1, 100_000),
        Duration.ofMillis(env.integer("WEFT_ROUTER_RETRY_BACKOFF_MS", 100, 1, 60_000)),
        Duration.ofMillis(env.integer("WEFT_ROUTER_RETRY_BACKOFF_MAX_MS", 10_000, 1, 600_000)),
        Duration.ofMillis(env.integer("WEFT_ROUTER_START_TIMEOUT_MS", 60_000, 1_000, 3_600_000)),
        Duration.ofMillis(env.integer("WEFT_ROUTER_SHUTDOWN_TIMEOUT_MS", 30_000, 1_000, 600_000)),
        Duration.ofMillis(env.integer("WEFT_GATEWAY_EXPIRY_MS", 30_000, 500, 86_400_000)),
        env.integer("WEFT_ROUTER_HTTP_PORT", 8091, 0, 65535),
        dev.weft.common.PushSettings.from(env));
  }

  private static void requireId(String key, String value) {
    if (value == null || !ID.matcher(value).matches()) {
      throw new ConfigException(key + "=" + value + " may hold only letters, digits, '.', '_' and '-' (1 to 100)");
    }
  }
}
