package dev.weft.common;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a record goes that can never be processed, so that it stops nothing else: the dead-letter topic
 * ({@code weft.deadletter}). The record is copied as it was read (key and value bytes unchanged), with headers
 * saying where it came from and why it failed, in the manner of Kafka Connect's dead-letter queue:
 * {@code weft.dlt.topic}, {@code .partition}, {@code .offset}, {@code .group}, {@code .service}, {@code .reason},
 * {@code .error}, {@code .ts}, and {@code .value-omitted} (the value's length) when the value itself was too large to
 * copy. Each record counts in {@code weft.deadletter.records} (tags {@code topic}, {@code reason}) and gets a log line.
 *
 * <p>A consumer calls {@link #write} on its owner thread and commits past the record only once it returns: a dead
 * letter Kafka did not take is an outage, not the record's fault, and the batch is retried like any other write.
 */
public final class DeadLetters implements AutoCloseable {

  /** The record could not be decoded with any known schema. */
  public static final String UNDECODABLE = "undecodable";
  /** What the record makes (a delivery, a snapshot) is larger than Kafka accepts. */
  public static final String TOO_LARGE = "too_large";
  /** The record decodes but cannot be stored (a field does not fit the table). */
  public static final String UNFIT = "unfit";
  /** Processing the record failed with an error that retrying cannot cure. */
  public static final String FAILED = "failed";

  public static final String HEADER_PREFIX = "weft.dlt.";
  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
  private static final int MAX_ERROR_CHARS = 500;

  private final String topic;
  private final String service;
  private final String group;
  private final int sendTimeoutMs;
  private final MeterRegistry registry;
  private final KafkaProducer<String, byte[]> producer;

  /**
   * @param service the service writing ({@code router}, {@code persister})
   * @param group the consumer group that read the record, for the headers
   */
  public DeadLetters(KafkaSettings kafka, String service, String clientId, String group, MeterRegistry registry) {
    this.topic = kafka.topics().deadLetters();
    this.service = service;
    this.group = group;
    this.sendTimeoutMs = kafka.sendTimeoutMs();
    this.registry = registry;
    java.util.Properties p = KafkaClientProps.producer(kafka, clientId);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, kafka.sendTimeoutMs());
    this.producer = new KafkaProducer<>(p);
  }

  public String topic() {
    return topic;
  }

  /**
   * Copies {@code source} to the dead-letter topic and waits until Kafka has it. Blocking.
   *
   * @param reason one of this class's reason constants
   * @param error what went wrong, for a human
   * @throws IllegalStateException when Kafka did not take it; do not commit past the record then
   */
  public void write(ConsumerRecord<String, byte[]> source, String reason, String error) {
    String detail = error == null ? "" : error.length() <= MAX_ERROR_CHARS ? error : error.substring(0, MAX_ERROR_CHARS) + "...";
    try {
      send(source, reason, detail, false);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof RecordTooLargeException)) {
        throw failed(source, e.getCause());
      }
      // The value alone may be what is too large (a record near the broker's limit, plus our headers): keep the rest.
      try {
        send(source, reason, detail, true);
      } catch (ExecutionException again) {
        throw failed(source, again.getCause());
      } catch (TimeoutException again) {
        throw failed(source, again);
      }
    } catch (TimeoutException e) {
      throw failed(source, e);
    }
    Counter.builder("weft.deadletter.records")
        .description("records that could never be processed, written to the dead-letter topic")
        .tag("topic", source.topic()).tag("reason", reason).register(registry).increment();
    log.warn("dead-lettered {}-{}@{} to {} ({}: {})", source.topic(), source.partition(), source.offset(), topic, reason,
        detail);
  }

  private void send(ConsumerRecord<String, byte[]> source, String reason, String detail, boolean omitValue)
      throws ExecutionException, TimeoutException {
    Headers headers = new RecordHeaders();
    source.headers().forEach(headers::add);
    header(headers, "topic", source.topic());
    header(headers, "partition", Integer.toString(source.partition()));
    header(headers, "offset", Long.toString(source.offset()));
    header(headers, "group", group);
    header(headers, "service", service);
    header(headers, "reason", reason);
    header(headers, "error", detail);
    header(headers, "ts", Long.toString(System.currentTimeMillis()));
    if (omitValue) {
      header(headers, "value-omitted", Integer.toString(source.value() == null ? 0 : source.value().length));
    }
    try {
      producer.send(new ProducerRecord<>(topic, null, source.key(), omitValue ? null : source.value(), headers))
          .get(sendTimeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while dead-lettering " + source.topic() + "-" + source.partition()
          + "@" + source.offset(), e);
    }
  }

  private static void header(Headers headers, String name, String value) {
    headers.add(HEADER_PREFIX + name, value.getBytes(StandardCharsets.UTF_8));
  }

  private IllegalStateException failed(ConsumerRecord<String, byte[]> source, Throwable cause) {
    return new IllegalStateException("could not dead-letter " + source.topic() + "-" + source.partition() + "@"
        + source.offset() + " to " + topic + ": " + cause, cause);
  }

  @Override
  public void close() {
    try {
      producer.close(java.time.Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      log.warn("closing the dead-letter producer: {}", e.toString());
    }
  }
}
