package dev.weft.gateway.kafka;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.KafkaSettings;
import dev.weft.common.NamedThreads;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The gateway's one Kafka producer, fed from the event loops without blocking them.
 *
 * <p>{@link KafkaProducer#send} may block (waiting for metadata, or for buffer space), so sends are
 * handed to one dedicated thread through a bounded queue. One thread keeps the order in which each
 * event loop submitted, so the records of one connection reach a partition in the order the client
 * sent them. A full queue fails the write at once with {@link Overloaded}: the client is told to
 * retry instead of the gateway buffering without bound.
 */
public final class KafkaPublisher implements AutoCloseable {

  /** The publish queue is full. */
  public static final class Overloaded extends RuntimeException {
    Overloaded() {
      super("publish queue full", null, false, false);
    }
  }

  private final Producer<String, byte[]> producer;
  private final ThreadPoolExecutor sender;

  public KafkaPublisher(KafkaSettings kafka, String clientId, int queueMax) {
    this(new KafkaProducer<>(KafkaClientProps.producer(kafka, clientId)), queueMax);
  }

  /**
   * Over a producer the caller made: the fuzz tests hand in Kafka's own {@code MockProducer}, to see that a refused
   * frame reaches no producer at all.
   */
  public KafkaPublisher(Producer<String, byte[]> producer, int queueMax) {
    this.producer = producer;
    this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(queueMax), new NamedThreads("weft-kafka-send"), new ThreadPoolExecutor.AbortPolicy());
  }

  /** Fetches the topic's metadata now, so the first client write does not wait for it. Blocking. */
  public void warmUp(String topic) {
    producer.partitionsFor(topic);
  }

  /**
   * Writes a record; the future completes on {@code context} once every in-sync replica has it, or
   * fails (never both, never a false success).
   */
  public Future<RecordMetadata> publish(Context context, String topic, String key, byte[] value) {
    Promise<RecordMetadata> promise = Promise.promise();
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
    try {
      sender.execute(() -> {
        try {
          // The callback runs on Kafka's I/O thread: only hop back to the caller's context there.
          producer.send(record, (metadata, error) -> context.runOnContext(v -> {
            if (error != null) {
              promise.fail(error);
            } else {
              promise.complete(metadata);
            }
          }));
        } catch (RuntimeException e) {
          context.runOnContext(v -> promise.fail(e));
        }
      });
    } catch (RejectedExecutionException e) {
      promise.fail(new Overloaded());
    }
    return promise.future();
  }

  /** Hands over everything queued, waits until Kafka acknowledged it, then closes the producer. */
  @Override
  public void close() {
    sender.shutdown();
    try {
      sender.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(10));
  }

  /** Publishes the producer's own metrics (request rates, errors, buffer use) to the registry. */
  public void bindMetrics(io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry) {
    dev.weft.common.ops.Metrics.bind(registry, producer);
  }
}
