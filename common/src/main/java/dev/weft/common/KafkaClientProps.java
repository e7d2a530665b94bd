package dev.weft.common;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Kafka client settings every Weft service uses, in one place. */
public final class KafkaClientProps {

  /** Largest produce request, hence record, Weft's producers send: Kafka's default, set here so it is known. */
  public static final int MAX_REQUEST_BYTES = 1024 * 1024;

  /**
   * Largest value a producer may be given: the request limit less room for the key, headers and the batch's framing.
   * A value over it can never be written, so a consumer that would make one treats its input as poison.
   */
  public static final int MAX_VALUE_BYTES = MAX_REQUEST_BYTES - 4096;

  /**
   * fetch.max.wait.ms of the consumers on the message path (router inbound, gateway deliveries). Kafka's default of
   * 500 ms showed as a ~510 ms worst latency in every phase (docs/performance.md); every other consumer keeps the
   * default, since each empty fetch of an idle consumer costs the broker a request.
   */
  static final int LATENCY_FETCH_MAX_WAIT_MS = 50;

  /**
   * fetch.min.bytes and fetch.max.wait.ms of the consumers that write to the database: a fetch returns once this much
   * is there or the wait is over, so a transaction (and its offset commit) carries many messages instead of one.
   * Measured at 100 msgs/s: one poll, transaction and commit per message without it (docs/performance.md). The wait
   * bounds what it adds to the time a message takes to reach the database, and to a catch-up's barrier.
   */
  static final int STORE_FETCH_MIN_BYTES = 64 * 1024;
  static final int STORE_FETCH_MAX_WAIT_MS = 100;

  private KafkaClientProps() {}

  /**
   * An idempotent producer with acks=all: a write the callback reports as done is on every in-sync replica,
   * and retries never duplicate or reorder records of one partition.
   */
  public static Properties producer(KafkaSettings kafka, String clientId) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    p.put(ProducerConfig.LINGER_MS_CONFIG, kafka.lingerMs());
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, kafka.compression());
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES);
    int requestTimeout = Math.min(5_000, kafka.sendTimeoutMs());
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
    // delivery.timeout.ms must cover linger.ms + request.timeout.ms or the producer refuses to start.
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(kafka.sendTimeoutMs(), requestTimeout + kafka.lingerMs()));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /**
   * Heartbeats per session timeout. A member that dies is noticed after the session timeout; the others learn of the
   * rebalance at their next heartbeat, so the heartbeat adds at most a sixth to the time a partition goes unserved.
   */
  static final int HEARTBEATS_PER_SESSION = 6;

  /**
   * How long a consumer waits for a broker's answer before it gives up on that connection and looks for the partition's
   * leader again. Kafka's 30 s meant a fetch sent to a broker that hung (not died: its socket stays open) kept a
   * partition's deliveries waiting for all of it, though the controller had moved the leadership after 9 s.
   */
  static final int CONSUMER_REQUEST_TIMEOUT_MS = 10_000;

  /** A consumer that commits by hand, after its work is done; reads committed data only. */
  public static Properties consumer(KafkaSettings kafka, String clientId, String groupId) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    if (groupId != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
      p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, kafka.sessionTimeoutMs());
      p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(100, kafka.sessionTimeoutMs() / HEARTBEATS_PER_SESSION));
    }
    p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, CONSUMER_REQUEST_TIMEOUT_MS);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  /**
   * A {@link #consumer} on the message path, where a fetch waiting on empty partitions delays the next message: it
   * waits at most {@link #LATENCY_FETCH_MAX_WAIT_MS} instead of Kafka's 500 ms.
   */
  public static Properties messagePathConsumer(KafkaSettings kafka, String clientId, String groupId) {
    Properties p = consumer(kafka, clientId, groupId);
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, LATENCY_FETCH_MAX_WAIT_MS);
    return p;
  }

  /**
   * A {@link #consumer} that writes what it reads to the database, one transaction per poll: it lets batches build up
   * for at most {@link #STORE_FETCH_MAX_WAIT_MS} rather than fetching each record as it arrives.
   */
  public static Properties storeConsumer(KafkaSettings kafka, String clientId, String groupId) {
    Properties p = consumer(kafka, clientId, groupId);
    p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, STORE_FETCH_MIN_BYTES);
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, STORE_FETCH_MAX_WAIT_MS);
    return p;
  }
}
