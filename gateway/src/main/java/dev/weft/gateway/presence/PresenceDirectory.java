package dev.weft.gateway.presence;

import dev.weft.common.LogSafe;
import dev.weft.common.SessionRecords;
import dev.weft.common.KafkaClientProps;
import dev.weft.common.KafkaSettings;
import dev.weft.common.kafka.CompactedTopicView;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.SessionAnnouncement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is online, across every gateway, derived from the compacted sessions topic that every gateway announces to
 * and routers expire dead gateways' sessions from: a user with any session is online; when the last one ends, the
 * user is offline, last seen at that record's time (unless that session asked to hide it). Read through a
 * {@link CompactedTopicView} holding every partition: one reader thread; lookups from any thread. Changes go to one listener, on the reader thread.
 */
public final class PresenceDirectory implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PresenceDirectory.class);

  /** A user's presence; {@code lastSeen} is -1 while online, unknown, or hidden. */
  public record Presence(boolean online, long lastSeen) {
    static final Presence UNKNOWN = new Presence(false, -1);
  }

  private record Session(String user, boolean hideLastSeen) {}

  private final CompactedTopicView view;
  private final AvroSerde<SessionAnnouncement> serde = AvroSerde.sessionAnnouncement();
  /** Reader thread only. */
  private final Map<String, Session> sessions = new HashMap<>();
  private final Map<String, Integer> counts = new HashMap<>();
  private final Map<String, Presence> presence = new ConcurrentHashMap<>();
  /** Set on the reader thread once what the topic held at start is applied: changes are told from then on. */
  private volatile boolean loaded;
  private volatile BiConsumer<String, Presence> listener = (u, p) -> { };
  private volatile java.util.function.Consumer<String> retracted = s -> { };

  public PresenceDirectory(KafkaSettings kafka, String clientId) {
    this.view = new CompactedTopicView(kafka.topics().sessions(), "presence",
        new KafkaConsumer<>(KafkaClientProps.consumer(kafka, clientId, null)), new CompactedTopicView.Sink() {
          @Override
          public void apply(ConsumerRecord<String, byte[]> record) {
            PresenceDirectory.this.apply(record);
          }

          @Override
          public void drop(int partition) {
            // never released: a gateway follows every session
          }
        });
  }

  /** Starts reading; returns once the sessions that existed at start are loaded. Blocking. */
  public void start(Duration timeout) {
    view.startAll(timeout, () -> {
      loaded = true;
      log.info("presence loaded: {} sessions of {} users", sessions.size(), counts.size());
    });
  }

  /** Called with each change once loaded: online, or offline with last seen. */
  public void onChange(BiConsumer<String, Presence> listener) {
    this.listener = listener;
  }

  /**
   * Called with the id of each session retracted once loaded, whoever wrote the tombstone: its gateway, or a router
   * that took the gateway for dead.
   */
  public void onRetracted(java.util.function.Consumer<String> listener) {
    this.retracted = listener;
  }

  public Presence of(String user) {
    return presence.getOrDefault(user, Presence.UNKNOWN);
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    String session = r.key();
    if (session == null) {
      return;
    }
    SessionAnnouncement a = SessionRecords.read(r, serde, log);
    if (a == null) {
      // A tombstone, or a record that cannot be read: the session is gone either way, as the routers see it.
      if (loaded) {
        try {
          retracted.accept(session);
        } catch (RuntimeException e) {
          log.warn("retraction listener failed for session {}: {}", LogSafe.of(session), e.toString());
        }
      }
      Session gone = sessions.remove(session);
      if (gone != null) {
        int left = counts.merge(gone.user(), -1, Integer::sum);
        if (left <= 0) {
          counts.remove(gone.user());
          changed(gone.user(), new Presence(false, gone.hideLastSeen() ? -1 : r.timestamp()));
        }
      }
      return;
    }
    if (sessions.put(session, new Session(a.getUser(), a.getHideLastSeen())) == null
        && counts.merge(a.getUser(), 1, Integer::sum) == 1) {
      changed(a.getUser(), new Presence(true, -1));
    }
  }

  private void changed(String user, Presence p) {
    presence.put(user, p);
    if (loaded) {
      try {
        listener.accept(user, p);
      } catch (RuntimeException e) {
        log.warn("presence listener failed for {}: {}", LogSafe.of(user), e.toString());
      }
    }
  }

  @Override
  public void close() {
    view.close();
  }
}
