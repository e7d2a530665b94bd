package dev.weft.router;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.kafka.ConsumerLoop;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.Typing;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands typing indicators to the gateways holding the other members' sessions. Ephemeral by design: its own group
 * ({@code <router group>.typing}) starts at the end, commits without waiting for its writes, and drops an indicator
 * older than its ttl, so nothing old is ever replayed after a restart or a lag. The loop is the common
 * {@link ConsumerLoop}; this class holds only what a typing indicator means.
 */
final class TypingRouter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TypingRouter.class);

  private final KafkaProducer<String, byte[]> producer;
  /** Loop thread only: the one fan-out of the router, in its own instance (it reuses its buckets). */
  private final Fanout fanout;
  private final Clock clock;
  private final AvroSerde<Typing> serde = AvroSerde.typing();
  private final ConsumerLoop loop;

  TypingRouter(RouterConfig config, SessionTable table, Clock clock, MeterRegistry registry, Consumer<Throwable> onFatal) {
    this.fanout = new Fanout(table, config.kafka().topics());
    this.clock = clock;
    Properties props = KafkaClientProps.consumer(config.kafka(), "weft-router-" + config.routerId() + "-typing",
        config.group() + ".typing");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    this.producer = new KafkaProducer<>(KafkaClientProps.producer(config.kafka(), "weft-router-" + config.routerId() + "-typing"));
    this.loop = new ConsumerLoop(new ConsumerLoop.Settings("router-typing", Duration.ofMillis(500),
        config.retryBackoffMin(), config.retryBackoffMax(), config.shutdownTimeout().dividedBy(3), false),
        new KafkaConsumer<>(props), List.of(config.kafka().topics().typing()), this::route, registry, onFatal);
  }

  void start() {
    loop.start();
  }

  boolean running() {
    return loop.running();
  }

  private void route(ConsumerRecords<String, byte[]> records, org.apache.kafka.clients.consumer.Consumer<String, byte[]> unused) {
    for (ConsumerRecord<String, byte[]> r : records) {
      route(r);
    }
  }

  private void route(ConsumerRecord<String, byte[]> r) {
    Typing typing;
    try {
      typing = serde.decode(r.value());
    } catch (RuntimeException e) {
      log.warn("skipping undecodable typing indicator {}-{}@{}", r.topic(), r.partition(), r.offset());
      return;
    }
    if (clock.millis() - typing.getTs() > typing.getTtlMs()) {
      return; // stale: it would show someone typing who is not
    }
    // Every member's gateways, the typist's own included: Fanout leaves a sender out only when told who it is.
    List<Fanout.Bucket> buckets = fanout.group(typing.getMembers(), null, null);
    typing.setMembers(List.of());
    for (int i = 0, n = buckets.size(); i < n; i++) {
      Fanout.Bucket b = buckets.get(i);
      typing.setRecipients(b.recipients);
      // Not waited for: an indicator that does not make it is gone, as it would be a second later anyway.
      producer.send(new ProducerRecord<>(b.topic, typing.getConv(), serde.encode(typing)));
    }
  }

  @Override
  public void close() {
    loop.close();
    producer.close(Duration.ofSeconds(5));
  }
}
