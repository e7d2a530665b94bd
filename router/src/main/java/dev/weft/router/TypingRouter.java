package dev.weft.router;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.NamedThreads;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.Typing;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands typing indicators to the gateways holding the other members' sessions. Ephemeral by design: its own group
 * ({@code <router group>.typing}) starts at the end, commits without waiting for its writes, and drops an indicator
 * older than its ttl, so nothing old is ever replayed after a restart or a lag.
 */
final class TypingRouter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TypingRouter.class);

  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  /** Owner thread only: the one fan-out of the router, in its own instance (it reuses its buckets). */
  private final Fanout fanout;
  private final RouterConfig config;
  private final Clock clock;
  private final AvroSerde<Typing> serde = AvroSerde.typing();
  private final Thread thread;
  private volatile boolean closed;

  TypingRouter(RouterConfig config, SessionTable table, Clock clock) {
    this.config = config;
    this.fanout = new Fanout(table, config.kafka().topics());
    this.clock = clock;
    Properties props = KafkaClientProps.consumer(config.kafka(), "weft-router-" + config.routerId() + "-typing",
        config.group() + ".typing");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    this.consumer = new KafkaConsumer<>(props);
    this.producer = new KafkaProducer<>(KafkaClientProps.producer(config.kafka(), "weft-router-" + config.routerId() + "-typing"));
    this.thread = new NamedThreads("weft-router-typing").newThread(this::run);
  }

  void start() {
    consumer.subscribe(List.of(config.kafka().topics().typing()));
    thread.start();
  }

  private void run() {
    try {
      while (!closed) {
        try {
          var records = consumer.poll(Duration.ofMillis(500));
          for (ConsumerRecord<String, byte[]> r : records) {
            route(r);
          }
          if (!records.isEmpty()) {
            consumer.commitAsync();
          }
        } catch (WakeupException e) {
          // closing
        } catch (RuntimeException e) {
          log.warn("routing typing indicators failed: {}; going on", e.toString());
        }
      }
    } finally {
      producer.close(Duration.ofSeconds(5));
      consumer.close(Duration.ofSeconds(5));
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
      producer.send(new ProducerRecord<>(b.topic, typing.getConv(), serde.encode(typing)));
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(config.shutdownTimeout().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
