package dev.weft.router;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A producer that stops dead at its first failed send: every record not yet written then fails too, instead of being
 * written after it. The routing thread replaces it, rewinds and routes everything unacknowledged again, in order.
 *
 * <p>Why: an idempotent producer keeps a partition's records in order only while they all succeed. After a record
 * expires or is refused, it moves on (a new epoch, or sequences shifted past the failed one) and writes the records
 * queued behind it. A younger delivery then reached a gateway before the older one that the router routed again
 * later, and the gateway, whose resume cursor had moved past it, took the older one for a replay and dropped it:
 * acked, stored, never delivered (the fault run's hung broker, docs/reliability.md). Closing the producer from its
 * own callback, with no wait, is Kafka's documented way to stop at the first failure (MirrorMaker's
 * {@code abort.on.send.failure} does the same): the callback runs on the I/O thread before it sends anything else.
 *
 * <p>Thread-safe; {@link #halt} may be called from the producer's I/O thread or from the routing thread.
 */
final class HaltingProducer implements AutoCloseable {

  private final KafkaProducer<String, byte[]> producer;
  private final AtomicBoolean halted = new AtomicBoolean();

  HaltingProducer(Properties props) {
    this.producer = new KafkaProducer<>(props);
  }

  /** Sends; {@code then} hears the outcome after a failure has halted the producer. */
  Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback then) {
    return producer.send(record, (metadata, e) -> {
      if (e != null) {
        halt();
      }
      then.onCompletion(metadata, e);
    });
  }

  /**
   * Fails everything not yet acknowledged and refuses every later send. On the I/O thread Kafka turns this close into
   * one that does not wait; elsewhere it waits only for the I/O thread to abort what it holds.
   */
  void halt() {
    if (halted.compareAndSet(false, true)) {
      producer.close(Duration.ZERO);
    }
  }

  boolean halted() {
    return halted.get();
  }

  /** Waits for every send in flight; each send's callback reports its outcome. */
  void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    close(Duration.ZERO);
  }

  void close(Duration timeout) {
    producer.close(timeout);
  }
}
