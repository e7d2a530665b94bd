package dev.weft.router;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.SessionRecords;
import dev.weft.common.kafka.CompactedTopicView;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.SessionAnnouncement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link SessionTable} in step with the compacted sessions topic, from its beginning, forever: a
 * {@link CompactedTopicView} holding every partition (every router needs every session), and the
 * {@link GatewayExpiry} that drops the sessions of gateways gone silent. {@link #start} returns once the table holds
 * everything written before it, so a new router does not route against a half-loaded table.
 */
final class SessionTableReader implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SessionTableReader.class);

  private final SessionTable table;
  private final String topic;
  private final CompactedTopicView view;
  private final GatewayExpiry expiry;
  private final AvroSerde<SessionAnnouncement> serde = AvroSerde.sessionAnnouncement();

  SessionTableReader(RouterConfig config, SessionTable table) {
    this.table = table;
    this.topic = config.kafka().topics().sessions();
    this.view = new CompactedTopicView(topic, "router-sessions",
        new KafkaConsumer<>(KafkaClientProps.consumer(config.kafka(), "weft-router-" + config.routerId() + "-sessions", null)),
        new CompactedTopicView.Sink() {
          @Override
          public void apply(ConsumerRecord<String, byte[]> record) {
            SessionTableReader.this.apply(record);
          }

          @Override
          public void drop(int partition) {
            // never released: a router follows every session
          }
        });
    this.expiry = new GatewayExpiry(config, table);
  }

  /**
   * Loads the table, then starts following heartbeats and expiring silent gateways. Blocking.
   *
   * @throws IllegalStateException when the table does not load within the timeout, saying why
   */
  void start(Duration timeout) {
    long started = System.nanoTime();
    view.startAll(timeout, () -> log.info("session table loaded from {}: {} sessions of {} users in {} ms", topic,
        table.sessionCount(), table.userCount(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
    expiry.start(timeout);
  }

  /** True when the table holds every sessions record below the given offsets. Any thread. */
  boolean caughtUpTo(Map<TopicPartition, Long> ends) {
    return view.caughtUpTo(ends);
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    String session = r.key();
    if (session == null) {
      log.warn("skipping session record without a key at {}-{}@{}", r.topic(), r.partition(), r.offset());
      return;
    }
    SessionAnnouncement a = SessionRecords.read(r, serde, log);
    if (a == null) {
      table.remove(session); // a tombstone, or a record that cannot be read: either way the session is gone
      return;
    }
    table.put(session, a.getUser(), a.getGateway());
  }

  /** Stops following the topics. Idempotent. */
  @Override
  public void close() {
    expiry.close();
    view.close();
  }
}
