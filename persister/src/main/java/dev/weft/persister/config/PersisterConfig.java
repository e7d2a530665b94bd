package dev.weft.persister.config;

import dev.weft.common.ConfigException;
import dev.weft.common.DevDefaults;
import dev.weft.common.Env;
import dev.weft.common.InternalSecret;
import dev.weft.common.KafkaSettings;

/**
 * Everything a persister is configured with, read from the environment in one place.
 *
 * @param kafka see {@link KafkaSettings}
 * @param dbUrl WEFT_DB_URL: JDBC URL of a MySQL or MariaDB database (required; the embedded MariaDB under WEFT_DEV)
 * @param dbUser WEFT_DB_USER: database user (required; root under WEFT_DEV)
 * @param dbPassword WEFT_DB_PASSWORD: database password (default empty)
 * @param dbPoolSize WEFT_DB_POOL_SIZE: database connections, shared by the writer and history reads (default 4)
 * @param httpPort WEFT_PERSISTER_HTTP_PORT: internal HTTP port of the gateways' reads, {@code /internal/...} only
 *     (default 8090; 0 = any)
 * @param group WEFT_PERSISTER_GROUP: consumer group on the inbound topic (default weft-persister)
 * @param batchMax WEFT_PERSISTER_BATCH_MAX: most rows written per database transaction (default 500)
 * @param historyMaxLimit WEFT_HISTORY_MAX_LIMIT: largest page a history read returns (default 500)
 * @param barriers see {@link BarrierSettings}
 * @param opsPort WEFT_PERSISTER_OPS_PORT: port of {@code /metrics}, {@code /health/live} and {@code /health/ready}
 *     (default 9190; 0 = any)
 * @param internalSecret see {@link InternalSecret}: what every call to the internal port must carry
 */
public record PersisterConfig(
    KafkaSettings kafka,
    String dbUrl,
    String dbUser,
    String dbPassword,
    int dbPoolSize,
    int httpPort,
    String group,
    int batchMax,
    int historyMaxLimit,
    BarrierSettings barriers,
    int opsPort,
    InternalSecret internalSecret) {

  public static PersisterConfig from(Env env) {
    String url = env.required("WEFT_DB_URL", DevDefaults.DB_URL, "the JDBC URL of the MySQL/MariaDB database");
    if (!url.startsWith("jdbc:mysql:") && !url.startsWith("jdbc:mariadb:")) {
      throw new ConfigException("WEFT_DB_URL=" + url + " is not a jdbc:mysql: or jdbc:mariadb: URL");
    }
    return new PersisterConfig(
        KafkaSettings.from(env),
        url.startsWith("jdbc:mariadb:") ? "jdbc:mysql:" + url.substring("jdbc:mariadb:".length()) : url,
        env.required("WEFT_DB_USER", DevDefaults.DB_USER, "the database user"),
        env.string("WEFT_DB_PASSWORD", ""),
        env.integer("WEFT_DB_POOL_SIZE", 4, 2, 200),
        env.integer("WEFT_PERSISTER_HTTP_PORT", DevDefaults.PERSISTER_PORT, 0, 65535),
        env.string("WEFT_PERSISTER_GROUP", "weft-persister"),
        env.integer("WEFT_PERSISTER_BATCH_MAX", 500, 1, 100_000),
        env.integer("WEFT_HISTORY_MAX_LIMIT", 500, 1, 10_000),
        BarrierSettings.from(env),
        env.integer("WEFT_PERSISTER_OPS_PORT", DevDefaults.PERSISTER_OPS_PORT, 0, 65535),
        InternalSecret.from(env));
  }

  public PersisterConfig withHttpPort(int port) {
    return new PersisterConfig(kafka, dbUrl, dbUser, dbPassword, dbPoolSize, port, group, batchMax, historyMaxLimit,
        barriers, opsPort, internalSecret);
  }

  @Override
  public String toString() {
    return "PersisterConfig[kafka=" + kafka + ", dbUrl=" + dbUrl + ", dbUser=" + dbUser + ", dbPassword=***, dbPoolSize="
        + dbPoolSize + ", httpPort=" + httpPort + ", group=" + group + ", batchMax=" + batchMax
        + ", historyMaxLimit=" + historyMaxLimit + ", barriers=" + barriers + ", opsPort=" + opsPort
        + ", internalSecret=***]";
  }
}
