package dev.weft.common;

/**
 * How a service reaches Kafka and shapes its topics.
 *
 * @param bootstrap WEFT_KAFKA_BOOTSTRAP: bootstrap servers (default localhost:9092)
 * @param topics WEFT_TOPIC_PREFIX: prefix of every topic name (default "weft.")
 * @param inboundPartitions WEFT_INBOUND_PARTITIONS: partitions of the inbound topic when created (default 6).
 *     Fixed for the life of a cluster: conversations map to partitions by key, and sequence numbers are offsets.
 * @param sessionsPartitions WEFT_SESSIONS_PARTITIONS: partitions of the sessions topic when created (default 3)
 * @param deliveryPartitions WEFT_DELIVERY_PARTITIONS: partitions of each gateway's delivery topic (default 1)
 * @param replicationFactor WEFT_REPLICATION_FACTOR: replication factor of created topics (default 3; 1 under WEFT_DEV)
 * @param sendTimeoutMs WEFT_KAFKA_SEND_TIMEOUT_MS: how long a produce may take before the client gets a retryable
 *     error (default 10000)
 * @param lingerMs WEFT_KAFKA_LINGER_MS: producer batching delay (default 2)
 * @param sessionTimeoutMs WEFT_KAFKA_SESSION_TIMEOUT_MS: how long a consumer group waits for a silent member before
 *     handing its partitions to the others (default 6000, the smallest a broker accepts by default; Kafka's own default
 *     of 45 s left half the conversations undelivered for 45 s after a router was killed, docs/reliability.md)
 * @param compression WEFT_KAFKA_COMPRESSION: the producers' compression.type, any codec Kafka's producer accepts
 *     (default none: see docs/performance.md, "Producers do not compress")
 */
public record KafkaSettings(
    String bootstrap,
    Topics topics,
    int inboundPartitions,
    int sessionsPartitions,
    int deliveryPartitions,
    short replicationFactor,
    int sendTimeoutMs,
    int lingerMs,
    int sessionTimeoutMs,
    String compression) {

  public static KafkaSettings from(Env env) {
    return new KafkaSettings(
        env.string("WEFT_KAFKA_BOOTSTRAP", DevDefaults.KAFKA_BOOTSTRAP),
        Topics.withPrefix(env.string("WEFT_TOPIC_PREFIX", "weft.")),
        env.integer("WEFT_INBOUND_PARTITIONS", 6, 1, 10_000),
        env.integer("WEFT_SESSIONS_PARTITIONS", 3, 1, 10_000),
        env.integer("WEFT_DELIVERY_PARTITIONS", 1, 1, 1_000),
        (short) env.integer("WEFT_REPLICATION_FACTOR", env.dev() ? 1 : 3, 1, 32),
        env.integer("WEFT_KAFKA_SEND_TIMEOUT_MS", 10_000, 1_000, 600_000),
        env.integer("WEFT_KAFKA_LINGER_MS", 2, 0, 1_000),
        env.integer("WEFT_KAFKA_SESSION_TIMEOUT_MS", 6_000, 1_000, 1_800_000),
        compression(env));
  }

  private static String compression(Env env) {
    String c = env.string("WEFT_KAFKA_COMPRESSION", "none").trim().toLowerCase(java.util.Locale.ROOT);
    // The producer's own check, so the codecs accepted are always the client's: its message lists them.
    try {
      org.apache.kafka.clients.producer.ProducerConfig.configDef().configKeys()
          .get(org.apache.kafka.clients.producer.ProducerConfig.COMPRESSION_TYPE_CONFIG).validator
          .ensureValid(org.apache.kafka.clients.producer.ProducerConfig.COMPRESSION_TYPE_CONFIG, c);
    } catch (org.apache.kafka.common.config.ConfigException e) {
      throw new ConfigException("WEFT_KAFKA_COMPRESSION=" + c + ": " + e.getMessage());
    }
    return c;
  }
}
