package dev.weft.router;

import dev.weft.common.ConsumerRewind;
import dev.weft.common.KafkaClientProps;
import dev.weft.common.NamedThreads;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.Receipt;
import dev.weft.schemas.ReceiptDelivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each receipt to the gateways holding a member's session, like {@link InboundRouter} does for
 * messages, in its own consumer group ({@code <router group>.receipts}) so receipts never wait behind
 * messages. Commits after its writes are acknowledged. A receipt not past the position already routed
 * for that member and kind is dropped: positions never move backwards (in this process; the persister
 * keeps the durable maximum).
 */
final class ReceiptRouter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReceiptRouter.class);

  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  /** Owner thread only: the one fan-out of the router, in its own instance (it reuses its buckets). */
  private final Fanout fanout;
  private final String topic;
  private final RouterConfig config;
  private final AvroSerde<Receipt> in = AvroSerde.receipt();
  private final AvroSerde<ReceiptDelivery> out = AvroSerde.receiptDelivery();
  private final AvroSerde<dev.weft.schemas.Metadata> metadataSerde = AvroSerde.metadata();
  private final Backoff backoff;
  private final Thread thread;
  private final CountDownLatch stopping = new CountDownLatch(1);
  /** Owner thread only: the greatest position routed per conversation, user and kind. Bounded by LRU. */
  private final Map<String, Long> routed = dev.weft.common.BoundedMaps.evictingEldest(100_000, true);
  private volatile boolean closed;

  private final SessionBarrier sessionBarrier;

  ReceiptRouter(RouterConfig config, SessionTable table, SessionTableReader sessions) {
    this.sessionBarrier = new SessionBarrier(sessions, null, config.kafka().topics().sessions(), () -> closed);
    this.config = config;
    this.fanout = new Fanout(table, config.kafka().topics());
    this.topic = config.kafka().topics().receipts();
    Properties props = KafkaClientProps.consumer(config.kafka(), "weft-router-" + config.routerId() + "-receipts",
        config.group() + ".receipts");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
    this.consumer = new KafkaConsumer<>(props);
    this.producer = new KafkaProducer<>(KafkaClientProps.producer(config.kafka(), "weft-router-" + config.routerId() + "-receipts"));
    this.backoff = new Backoff(config.retryBackoffMin(), config.retryBackoffMax());
    this.thread = new NamedThreads("weft-router-receipts").newThread(this::run);
  }

  void start() {
    consumer.subscribe(List.of(topic));
    thread.start();
  }

  private void run() {
    try {
      while (!closed) {
        try {
          ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
          if (records.isEmpty()) {
            continue;
          }
          sessionBarrier.await(consumer);
          List<Future<RecordMetadata>> sent = new ArrayList<>();
          for (ConsumerRecord<String, byte[]> r : records) {
            route(r, sent);
          }
          for (Future<RecordMetadata> f : sent) {
            f.get(); // a failed write throws: nothing is committed, the batch is read again
          }
          Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
          for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
          }
          consumer.commitSync(offsets);
          backoff.reset();
        } catch (WakeupException e) {
          // closing
        } catch (Exception e) {
          long delay = backoff.nextDelayMs();
          log.warn("routing receipts failed ({}); rereading from the last commit in {} ms", e.toString(), delay);
          ConsumerRewind.toCommitted(consumer, log);
          routed.clear(); // positions routed after the commit will be seen again
          stopping.await(delay, TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      producer.close(Duration.ofSeconds(5));
      consumer.close(Duration.ofSeconds(5));
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
    stopping.countDown();
    consumer.wakeup();
    try {
      thread.join(config.shutdownTimeout().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
