package dev.weft.gateway.kafka;

import dev.weft.common.LogSafe;
import dev.weft.common.KafkaClientProps;
import dev.weft.common.KafkaSettings;
import dev.weft.common.groups.GroupDirectory;
import dev.weft.gateway.ws.DeliveryDispatcher;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.Delivery;
import dev.weft.schemas.ReceiptDelivery;
import dev.weft.schemas.WeftSchemas;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads this gateway's delivery topic on its own thread and hands each delivery to the dispatcher.
 *
 * <p>No consumer group: the topic is this gateway's alone, and it starts from the end, because a
 * delivery for a socket that is gone is stale (its client catches up from history). One owner
 * thread, stopped with a flag and {@link KafkaConsumer#wakeup()}.
 */
public final class DeliveryConsumer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeliveryConsumer.class);

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final DeliveryDispatcher dispatcher;
  private final AvroSerde<Delivery> serde = AvroSerde.delivery();
  private final AvroSerde<ReceiptDelivery> receiptSerde = AvroSerde.receiptDelivery();
  private final AvroSerde<dev.weft.schemas.Typing> typingSerde = AvroSerde.typing();
  private static final long TYPING_FINGERPRINT =
      org.apache.avro.SchemaNormalization.parsingFingerprint64(dev.weft.schemas.Typing.getClassSchema());
  private static final long RECEIPT_FINGERPRINT =
      org.apache.avro.SchemaNormalization.parsingFingerprint64(ReceiptDelivery.getClassSchema());
  private final Thread thread;
  private final CountDownLatch assigned = new CountDownLatch(1);
  private volatile boolean closed;

  private final GroupDirectory groups;

  public DeliveryConsumer(KafkaSettings kafka, String gatewayId, DeliveryDispatcher dispatcher, GroupDirectory groups) {
    this.groups = groups;
    this.topic = kafka.topics().deliveries(gatewayId);
    this.consumer = new KafkaConsumer<>(KafkaClientProps.messagePathConsumer(kafka, "weft-gateway-" + gatewayId + "-deliveries", null));
    this.dispatcher = dispatcher;
    this.thread = new Thread(this::run, "weft-deliveries");
  }

  /** Starts reading; returns once the consumer is positioned at the end of the topic. */
  public void start() {
    thread.start();
    try {
      if (!assigned.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("could not position on " + topic + " within 30s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void run() {
    try {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position); // resolve the end now, so nothing sent after start is skipped
      assigned.countDown();
      dev.weft.common.kafka.RetryBackoff backoff = new dev.weft.common.kafka.RetryBackoff(Duration.ofMillis(100),
          Duration.ofSeconds(5));
      while (!closed) {
        try {
          ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofSeconds(1));
          for (ConsumerRecord<String, byte[]> r : records) {
            dispatchOne(r);
          }
          backoff.reset();
        } catch (WakeupException e) {
          // closing
        } catch (RuntimeException e) {
          long delay = backoff.nextDelayMs();
          log.error("delivery poll failed; attempt {}, retrying in {} ms", backoff.failures(), delay, e);
          sleepQuietly(delay);
        }
      }
    } catch (RuntimeException e) {
      log.error("delivery consumer for {} stopped", topic, e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * One record, whatever it throws: the rest of the poll is still dispatched. (A throw used to skip them; the
   * consumer's position was past them, so their messages were stored but never pushed, and the sockets' cursors
   * moved past them with the next ones.)
   */
  private void dispatchOne(ConsumerRecord<String, byte[]> r) {
    try {
      dispatch(r);
    } catch (RuntimeException e) {
      log.error("could not dispatch the delivery at {}-{}@{}; skipping it", r.topic(), r.partition(), r.offset(), e);
    }
  }

  private void dispatch(ConsumerRecord<String, byte[]> r) {
    Delivery d;
    try {
      // Messages and receipts share the topic; the writer schema's fingerprint says which this is.
      long fingerprint = WeftSchemas.fingerprintOf(r.value());
      if (fingerprint == RECEIPT_FINGERPRINT) {
        dispatcher.dispatch(receiptSerde.decode(r.value()));
        return;
      }
      if (fingerprint == TYPING_FINGERPRINT) {
        dispatcher.dispatch(typingSerde.decode(r.value()));
        return;
      }
      d = serde.decode(r.value());
    } catch (RuntimeException e) {
      log.warn("skipping undecodable delivery at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
      return;
    }
    if (d.getEvent() != null && !applied(d)) {
      // The router stored the group's new snapshot before this delivery: read up to it before the members see the
      // event, so what they do next is judged by the membership after it. Events are rare; messages never wait, and
      // neither does an event whose snapshot the directory holds already (the usual case): clients make events, and
      // this thread serves the whole gateway. The directory serves requests in batches, so a wait is one iteration.
      try {
        groups.fresh().get(3, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        log.warn("the group directory did not catch up before an event of {}: {}", LogSafe.of(d.getConv()), e.toString());
      }
    }
    dispatcher.dispatch(d);
  }

  /** True when the directory holds the group as of this event or later. */
  private boolean applied(Delivery d) {
    dev.weft.common.groups.GroupState g = groups.get(d.getConv());
    return g != null && g.version() >= d.getSeq();
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Publishes the delivery consumer's own metrics (records lag among them) to the registry. */
  public void bindMetrics(io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry) {
    dev.weft.common.ops.Metrics.bind(registry, consumer);
  }
}
