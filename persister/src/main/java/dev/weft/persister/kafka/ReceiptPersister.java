package dev.weft.persister.kafka;

import dev.weft.common.ConsumerRewind;
import dev.weft.common.KafkaClientProps;
import dev.weft.persister.config.PersisterConfig;
import dev.weft.persister.db.ReceiptStore;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.Receipt;
import dev.weft.schemas.ReceiptKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores receipts: one transaction per poll, then the offsets. The upsert keeps the greatest
 * position, so replays and late receipts change nothing. Group {@code <persister group>.receipts}.
 */
public final class ReceiptPersister implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReceiptPersister.class);

  private final KafkaConsumer<String, byte[]> consumer;
  private final ReceiptStore store;
  private final String topic;
  private final AvroSerde<Receipt> serde = AvroSerde.receipt();
  private final Thread thread;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private volatile boolean closed;

  public ReceiptPersister(PersisterConfig config, ReceiptStore store) {
    Properties props = KafkaClientProps.storeConsumer(config.kafka(), "weft-persister-receipts", group(config));
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.batchMax());
    this.consumer = new KafkaConsumer<>(props);
    this.store = store;
    this.topic = config.kafka().topics().receipts();
    this.thread = new Thread(this::run, "weft-persister-receipts");
  }

  /** The consumer group that stores receipts: {@code <persister group>.receipts}. */
  static String group(PersisterConfig config) {
    return config.group() + ".receipts";
  }

  public void start() {
    consumer.subscribe(List.of(topic));
    thread.start();
  }

  private void run() {
    long backoff = 100;
    try {
      while (!closed) {
        ConsumerRecords<String, byte[]> records;
        try {
          records = consumer.poll(Duration.ofSeconds(1));
          if (records.isEmpty()) {
            continue;
          }
          store.advance(positions(records));
          Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
          for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
          }
          consumer.commitSync(offsets);
          backoff = 100;
        } catch (WakeupException e) {
          // closing
        } catch (Exception e) {
          log.warn("storing receipts failed ({}); rereading from the last commit in {} ms", e.toString(), backoff);
          ConsumerRewind.toCommitted(consumer, log);
          stopping.await(backoff, TimeUnit.MILLISECONDS);
          backoff = Math.min(10_000, backoff * 2);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private List<ReceiptStore.Position> positions(ConsumerRecords<String, byte[]> records) {
    List<ReceiptStore.Position> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      try {
        Receipt x = serde.decode(r.value());
        // Read implies delivered.
        out.add(new ReceiptStore.Position(x.getConv(), x.getUser(), x.getSeq(), x.getKind() == ReceiptKind.READ ? x.getSeq() : -1));
      } catch (RuntimeException e) {
        log.warn("skipping undecodable receipt {}-{}@{}", r.topic(), r.partition(), r.offset());
      }
    }
    return out;
  }

  @Override
  public void close() {
    closed = true;
    stopping.countDown();
    consumer.wakeup();
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
