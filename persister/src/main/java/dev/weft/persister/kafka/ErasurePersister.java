package dev.weft.persister.kafka;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.LogSafe;
import dev.weft.common.kafka.ConsumerLoop;
import dev.weft.persister.config.PersisterConfig;
import dev.weft.persister.db.ErasureStore;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.ControlKind;
import dev.weft.schemas.ControlRecord;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the server API's erasures ({@code ERASE} on {@code weft.control}, group {@code <persister group>.control}):
 * each user's data leaves MySQL ({@link ErasureStore}), then the offsets are committed, so an erasure interrupted by
 * a crash is done again. Every other order is the gateways'.
 */
public final class ErasurePersister implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ErasurePersister.class);

  private final ErasureStore store;
  private final AvroSerde<ControlRecord> serde = AvroSerde.controlRecord();
  private final ConsumerLoop loop;

  public ErasurePersister(PersisterConfig config, ErasureStore store, MeterRegistry registry, Consumer<Throwable> onFatal) {
    this.store = store;
    this.loop = new ConsumerLoop(new ConsumerLoop.Settings("persister-control", Duration.ofSeconds(1),
        Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(5), true),
        new KafkaConsumer<>(KafkaClientProps.storeConsumer(config.kafka(), "weft-persister-control",
            config.group() + ".control")),
        List.of(config.kafka().topics().control()), this::apply, registry, onFatal);
  }

  public void start() {
    loop.start();
  }

  public boolean running() {
    return loop.healthy();
  }

  private void apply(ConsumerRecords<String, byte[]> records, org.apache.kafka.clients.consumer.Consumer<String, byte[]> unused)
      throws Exception {
    for (ConsumerRecord<String, byte[]> r : records) {
      ControlRecord order = dev.weft.common.ControlRecords.read(r, serde, log);
      if (order != null && order.getKind() == ControlKind.ERASE) {
        store.erase(order.getUser(), order.getTs());
        log.info("erased the data of {} from the database", LogSafe.of(order.getUser()));
      }
    }
  }

  @Override
  public void close() {
    loop.close();
  }
}
