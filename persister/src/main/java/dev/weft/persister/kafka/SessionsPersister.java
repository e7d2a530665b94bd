package dev.weft.persister.kafka;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.LogSafe;
import dev.weft.common.SessionRecords;
import dev.weft.common.kafka.ConsumerLoop;
import dev.weft.persister.config.PersisterConfig;
import dev.weft.persister.db.Membership;
import dev.weft.persister.db.SessionStore;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.SessionAnnouncement;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores the sessions topic: who is online, and when each user was last seen ({@link SessionStore}), for the
 * gateways that hold presence only for the users their clients follow. One poll per transaction, committed after it
 * (a replay changes nothing). A record is read as every reader of the topic reads it ({@link SessionRecords}): one
 * that cannot be read ends its session, like a tombstone.
 */
public final class SessionsPersister implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SessionsPersister.class);
  /** Session ids are UUIDs; anything printable up to the column's width is kept, anything else is not a session. */
  private static final Pattern SESSION_ID = Pattern.compile("[!-~]{1,100}");

  private final SessionStore store;
  private final AvroSerde<SessionAnnouncement> serde = AvroSerde.sessionAnnouncement();
  private final ConsumerLoop loop;

  public SessionsPersister(PersisterConfig config, SessionStore store, MeterRegistry registry, Consumer<Throwable> onFatal) {
    Properties props = KafkaClientProps.storeConsumer(config.kafka(), "weft-persister-sessions", group(config));
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.batchMax());
    this.store = store;
    this.loop = new ConsumerLoop(new ConsumerLoop.Settings("persister-sessions", Duration.ofSeconds(1),
        Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(5), true), new KafkaConsumer<>(props),
        List.of(config.kafka().topics().sessions()), this::store, registry, onFatal);
  }

  /** The consumer group that stores sessions: {@code <persister group>.sessions}. */
  static String group(PersisterConfig config) {
    return config.group() + ".sessions";
  }

  public void start() {
    loop.start();
  }

  public boolean running() {
    return loop.healthy();
  }

  private void store(ConsumerRecords<String, byte[]> records, org.apache.kafka.clients.consumer.Consumer<String, byte[]> unused)
      throws Exception {
    List<SessionStore.Change> changes = new ArrayList<>(records.count());
    for (ConsumerRecord<String, byte[]> r : records) {
      if (r.key() == null || !SESSION_ID.matcher(r.key()).matches()) {
        log.warn("not storing the sessions record at {}-{}@{}: its key is not a session id", r.topic(), r.partition(),
            r.offset());
        continue;
      }
      SessionAnnouncement a = SessionRecords.read(r, serde, log);
      if (a == null) {
        changes.add(SessionStore.Change.retracted(r.key(), r.timestamp()));
      } else if (Membership.fits(a.getUser())) {
        changes.add(SessionStore.Change.announced(r.key(), a.getUser(), a.getHideLastSeen()));
      } else {
        log.warn("not storing session {}: user id '{}' is not valid", LogSafe.of(r.key()), LogSafe.of(a.getUser()));
      }
    }
    store.apply(changes);
  }

  @Override
  public void close() {
    loop.close();
  }
}
