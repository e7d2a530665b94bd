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
import dev.weft.common.kafka.ConsumerLoop;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each record of this gateway's delivery topic to the dispatcher: messages, receipts and typing, told apart by
 * their writer schema. Read by a {@link ConsumerLoop} tailing the topic: it is this gateway's alone, and it is read from
 * the end, because a delivery for a socket that is gone is stale (its client catches up from history).
 */
public final class DeliveryConsumer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeliveryConsumer.class);
  private static final long TYPING_FINGERPRINT =
      org.apache.avro.SchemaNormalization.parsingFingerprint64(dev.weft.schemas.Typing.getClassSchema());
  private static final long RECEIPT_FINGERPRINT =
      org.apache.avro.SchemaNormalization.parsingFingerprint64(ReceiptDelivery.getClassSchema());
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final ConsumerLoop loop;
  private final DeliveryDispatcher dispatcher;
  private final GroupDirectory groups;
  private final AvroSerde<Delivery> serde = AvroSerde.delivery();
  private final AvroSerde<ReceiptDelivery> receiptSerde = AvroSerde.receiptDelivery();
  private final AvroSerde<dev.weft.schemas.Typing> typingSerde = AvroSerde.typing();

  public DeliveryConsumer(KafkaSettings kafka, String gatewayId, DeliveryDispatcher dispatcher, GroupDirectory groups,
      MeterRegistry registry) {
    this.groups = groups;
    this.dispatcher = dispatcher;
    String topic = kafka.topics().deliveries(gatewayId);
    this.loop = new ConsumerLoop(new ConsumerLoop.Settings("gateway-deliveries", Duration.ofSeconds(1),
        Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(5), false),
        new KafkaConsumer<>(KafkaClientProps.messagePathConsumer(kafka, "weft-gateway-" + gatewayId + "-deliveries", null)),
        ConsumerLoop.Source.tail(topic), this::dispatchAll, registry, e -> { });
  }

  /** Starts reading; returns once the consumer is positioned at the end of the topic. */
  public void start() {
    loop.start();
    loop.awaitPositioned(START_TIMEOUT);
  }

  /** False once the loop stopped for good: a gateway that no longer reads its deliveries is not ready. */
  public boolean running() {
    return loop.running();
  }

  private void dispatchAll(ConsumerRecords<String, byte[]> records, Consumer<String, byte[]> unused) {
    for (ConsumerRecord<String, byte[]> r : records) {
      dispatchOne(r);
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

  @Override
  public void close() {
    loop.close();
  }

  /** Publishes the delivery consumer's own metrics (records lag among them) to the registry. */
  public void bindMetrics(io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry) {
    loop.bindClientMetrics(registry);
  }
}
