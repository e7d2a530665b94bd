package dev.weft.router;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.kafka.ConsumerLoop;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.Receipt;
import dev.weft.schemas.ReceiptDelivery;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each receipt to the gateways holding a member's session, like {@link InboundRouter} does for
 * messages, in its own consumer group ({@code <router group>.receipts}) so receipts never wait behind
 * messages. A batch is done, and committed by the common {@link ConsumerLoop}, once its writes are acknowledged. A
 * receipt not past the position already routed for that member and kind is dropped: positions never move backwards
 * (in this process; the persister keeps the durable maximum).
 */
final class ReceiptRouter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReceiptRouter.class);

  private final KafkaProducer<String, byte[]> producer;
  /** Loop thread only: the one fan-out of the router, in its own instance (it reuses its buckets). */
  private final Fanout fanout;
  private final RouterConfig config;
  private final AvroSerde<Receipt> in = AvroSerde.receipt();
  private final AvroSerde<ReceiptDelivery> out = AvroSerde.receiptDelivery();
  private final AvroSerde<dev.weft.schemas.Metadata> metadataSerde = AvroSerde.metadata();
  /** Loop thread only: the greatest position routed per conversation, user and kind. Bounded by LRU. */
  private final Map<String, Long> routed = dev.weft.common.BoundedMaps.evictingEldest(100_000, true);
  private final SessionBarrier sessionBarrier;
  private final ConsumerLoop loop;
  private volatile boolean closed;

  ReceiptRouter(RouterConfig config, SessionTable table, SessionTableReader sessions, MeterRegistry registry,
      Consumer<Throwable> onFatal) {
    this.sessionBarrier = new SessionBarrier(sessions, config.kafka().topics().sessions(), () -> closed);
    this.config = config;
    this.fanout = new Fanout(table, config.kafka().topics());
    Properties props = KafkaClientProps.consumer(config.kafka(), "weft-router-" + config.routerId() + "-receipts",
        config.group() + ".receipts");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
    this.producer = new KafkaProducer<>(KafkaClientProps.producer(config.kafka(), "weft-router-" + config.routerId() + "-receipts"));
    this.loop = new ConsumerLoop(new ConsumerLoop.Settings("router-receipts", Duration.ofMillis(500),
        config.retryBackoffMin(), config.retryBackoffMax(), config.shutdownTimeout().dividedBy(3), true),
        new KafkaConsumer<>(props), List.of(config.kafka().topics().receipts()), this::routeBatch, registry, onFatal);
  }

  void start() {
    loop.start();
  }

  boolean running() {
    return loop.running();
  }

  private void routeBatch(ConsumerRecords<String, byte[]> records, org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer)
      throws Exception {
    try {
      sessionBarrier.await(consumer);
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> r : records) {
        route(r, sent);
      }
      for (Future<RecordMetadata> f : sent) {
        f.get(); // a failed write throws: nothing is committed, the loop hands the batch over again
      }
    } catch (Exception e) {
      routed.clear(); // the batch comes again: its positions must not count as routed
      throw e;
    }
  }

  private void route(ConsumerRecord<String, byte[]> r, List<Future<RecordMetadata>> sent) {
    Receipt receipt;
    try {
      receipt = in.decode(r.value());
    } catch (RuntimeException e) {
      log.warn("skipping undecodable receipt {}-{}@{}", r.topic(), r.partition(), r.offset());
      return;
    }
    String key = receipt.getConv() + '\n' + receipt.getUser() + '\n' + receipt.getKind();
    Long before = routed.get(key);
    if (before != null && before >= receipt.getSeq()) {
      return;
    }
    routed.put(key, receipt.getSeq());
    sent.add(producer.send(new ProducerRecord<>(config.kafka().topics().metadata(), receipt.getConv(),
        metadataSerde.encode(MetadataRecords.of(receipt)))));
    // Every member's gateways, the reader's own included (their other devices show it): no sender is left out.
    List<Fanout.Bucket> buckets = fanout.group(receipt.getMembers(), null, null);
    for (int i = 0, n = buckets.size(); i < n; i++) {
      Fanout.Bucket b = buckets.get(i);
      ReceiptDelivery d = ReceiptDelivery.newBuilder().setRecipients(b.recipients)
          .setConv(receipt.getConv()).setUser(receipt.getUser()).setFromSession(receipt.getFromSession())
          .setKind(receipt.getKind()).setSeq(receipt.getSeq()).build();
      sent.add(producer.send(new ProducerRecord<>(b.topic, receipt.getConv(), out.encode(d))));
    }
  }

  @Override
  public void close() {
    closed = true;
    loop.close();
    producer.close(Duration.ofSeconds(5));
  }
}
