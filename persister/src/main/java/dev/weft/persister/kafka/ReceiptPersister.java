package dev.weft.persister.kafka;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.kafka.ConsumerLoop;
import dev.weft.persister.config.PersisterConfig;
import dev.weft.persister.db.ReceiptStore;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.Receipt;
import dev.weft.schemas.ReceiptKind;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores receipts: one transaction per poll; the common {@link ConsumerLoop} commits the offsets after it, and hands
 * a batch whose transaction failed over again after a backoff. The upsert keeps the greatest position, so replays and
 * late receipts change nothing. Group {@code <persister group>.receipts}.
 */
public final class ReceiptPersister implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReceiptPersister.class);
  private static final Duration BACKOFF_MIN = Duration.ofMillis(100);
  private static final Duration BACKOFF_MAX = Duration.ofSeconds(10);

  private final ReceiptStore store;
  private final AvroSerde<Receipt> serde = AvroSerde.receipt();
  private final ConsumerLoop loop;

  public ReceiptPersister(PersisterConfig config, ReceiptStore store, MeterRegistry registry, Consumer<Throwable> onFatal) {
    Properties props = KafkaClientProps.storeConsumer(config.kafka(), "weft-persister-receipts", group(config));
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.batchMax());
    this.store = store;
    this.loop = new ConsumerLoop(new ConsumerLoop.Settings("persister-receipts", Duration.ofSeconds(1), BACKOFF_MIN,
        BACKOFF_MAX, Duration.ofSeconds(5), true), new KafkaConsumer<>(props), List.of(config.kafka().topics().receipts()),
        this::store, registry, onFatal);
  }

  /** The consumer group that stores receipts: {@code <persister group>.receipts}. */
  static String group(PersisterConfig config) {
    return config.group() + ".receipts";
  }

  public void start() {
    loop.start();
  }

  public boolean running() {
    return loop.running();
  }

  private void store(ConsumerRecords<String, byte[]> records, org.apache.kafka.clients.consumer.Consumer<String, byte[]> unused)
      throws Exception {
    store.advance(positions(records));
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
    loop.close();
  }
}
