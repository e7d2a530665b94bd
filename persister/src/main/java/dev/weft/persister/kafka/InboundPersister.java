package dev.weft.persister.kafka;

import dev.weft.common.KafkaClientProps;
import dev.weft.persister.config.PersisterConfig;
import dev.weft.persister.db.MessageStore;
import dev.weft.persister.db.StoredMessage;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.InboundMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * Writes the inbound topic to the messages table, one poll per database transaction.
 *
 * <p>Offsets are committed only after the transaction commits, so a crash replays rather than
 * skips; the inserts are idempotent by (conversation, seq), so a replay stores nothing twice. One
 * owner thread, stopped with a flag and {@link KafkaConsumer#wakeup()}; every iteration catches and
 * sorts its errors so the thread never dies.
 */
public final class InboundPersister implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(InboundPersister.class);
  private static final long BACKOFF_MIN_MS = 100;
  private static final long BACKOFF_MAX_MS = 10_000;

  private final KafkaConsumer<String, byte[]> consumer;
  private final MessageStore store;
  private final String topic;
  private final AvroSerde<InboundMessage> serde = AvroSerde.inboundMessage();
  private final Thread thread;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final AtomicLong persisted = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private volatile boolean closed;
  private volatile boolean healthy = true;

  public InboundPersister(PersisterConfig config, MessageStore store) {
    Properties props = KafkaClientProps.consumer(config.kafka(), "weft-persister", config.group());
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.batchMax());
    this.consumer = new KafkaConsumer<>(props);
    this.store = store;
    this.topic = config.kafka().topics().inbound();
    this.thread = new Thread(this::run, "weft-persister-inbound");
  }

  public void start() {
    consumer.subscribe(List.of(topic));
    thread.start();
  }

  private void run() {
    long backoff = BACKOFF_MIN_MS;
    try {
      while (!closed) {
        ConsumerRecords<String, byte[]> records;
        try {
          records = consumer.poll(Duration.ofSeconds(1));
        } catch (WakeupException e) {
          continue;
        } catch (RuntimeException e) {
          healthy = false;
          log.warn("poll of {} failed: {}; next try in {} ms", topic, e.toString(), backoff);
          backoff = pause(backoff);
          continue;
        }
        if (records.isEmpty()) {
          continue;
        }
        try {
          store.insertAll(rows(records));
          consumer.commitSync(nextOffsets(records));
          persisted.addAndGet(records.count());
          healthy = true;
          backoff = BACKOFF_MIN_MS;
        } catch (WakeupException e) {
          // Closing between the write and the commit: the rows are stored; the next owner replays them harmlessly.
        } catch (Exception e) {
          healthy = false;
          log.warn("writing {} messages failed: {}; not committed, retrying in {} ms", records.count(), e.toString(), backoff);
          rewind(records);
          backoff = pause(backoff);
        }
      }
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.warn("closing the inbound consumer: {}", e.toString());
      }
    }
  }

  private List<StoredMessage> rows(ConsumerRecords<String, byte[]> records) {
    List<StoredMessage> rows = new ArrayList<>(records.count());
    for (ConsumerRecord<String, byte[]> r : records) {
      InboundMessage m;
      try {
        m = r.value() == null ? null : serde.decode(r.value());
      } catch (RuntimeException e) {
        m = null;
      }
      if (m == null) {
        skipped.incrementAndGet();
        log.warn("skipping undecodable record {}-{}@{}", r.topic(), r.partition(), r.offset());
        continue;
      }
      // The sequence number is the record's offset: conversations are keyed to one partition.
      rows.add(new StoredMessage(m.getConv(), r.offset(), m.getId(), m.getFrom(), m.getFromDevice(), m.getTs(), m.getText()));
    }
    return rows;
  }

  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
      offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
    }
    return offsets;
  }

  /** Goes back to the batch's first records, so the failed batch is read again. */
  private void rewind(ConsumerRecords<String, byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      try {
        consumer.seek(tp, records.records(tp).get(0).offset());
      } catch (IllegalStateException e) {
        // No longer assigned: the new owner starts from the last commit.
      }
    }
  }

  private long pause(long backoff) {
    try {
      stopping.await(backoff, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Math.min(BACKOFF_MAX_MS, backoff * 2);
  }

  public boolean running() {
    return thread.isAlive() && !closed && healthy;
  }

  public long persisted() {
    return persisted.get();
  }

  public long skipped() {
    return skipped.get();
  }

  /** Finishes the batch in hand (written and committed), then leaves the group. */
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
