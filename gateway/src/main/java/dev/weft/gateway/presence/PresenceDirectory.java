package dev.weft.gateway.presence;

import dev.weft.common.LogSafe;
import dev.weft.common.SessionRecords;
import dev.weft.common.kafka.RetryBackoff;
import dev.weft.common.KafkaClientProps;
import dev.weft.common.KafkaSettings;
import dev.weft.common.NamedThreads;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.SessionAnnouncement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is online, across every gateway, derived from the compacted sessions topic that every gateway announces to
 * and routers expire dead gateways' sessions from: a user with any session is online; when the last one ends, the
 * user is offline, last seen at that record's time (unless that session asked to hide it). One reader thread;
 * lookups from any thread. Changes go to one listener, on the reader thread.
 */
public final class PresenceDirectory implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PresenceDirectory.class);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);
  /** Waits after a failed read, doubling with jitter (it retried at once before, a spin while a broker was away). */
  private static final Duration RETRY_MIN = Duration.ofMillis(100);
  private static final Duration RETRY_MAX = Duration.ofSeconds(5);

  /** A user's presence; {@code lastSeen} is -1 while online, unknown, or hidden. */
  public record Presence(boolean online, long lastSeen) {
    static final Presence UNKNOWN = new Presence(false, -1);
  }

  private record Session(String user, boolean hideLastSeen) {}

  private final String topic;
  private final KafkaConsumer<String, byte[]> consumer;
  private final AvroSerde<SessionAnnouncement> serde = AvroSerde.sessionAnnouncement();
  /** Reader thread only. */
  private final Map<String, Session> sessions = new HashMap<>();
  private final Map<String, Integer> counts = new HashMap<>();
  private final Map<String, Presence> presence = new ConcurrentHashMap<>();
  private final CountDownLatch loaded = new CountDownLatch(1);
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final Thread thread;
  private volatile BiConsumer<String, Presence> listener = (u, p) -> { };
  private volatile java.util.function.Consumer<String> retracted = s -> { };
  private volatile boolean closed;

  public PresenceDirectory(KafkaSettings kafka, String clientId) {
    this.topic = kafka.topics().sessions();
    this.consumer = new KafkaConsumer<>(KafkaClientProps.consumer(kafka, clientId, null));
    this.thread = new NamedThreads("weft-presence").newThread(this::run);
  }

  /** Starts reading; returns once the sessions that existed at start are loaded. Blocking. */
  public void start(Duration timeout) {
    thread.start();
    try {
      if (!loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("could not load " + topic + " within " + timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
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

  private void run() {
    try {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, METADATA_TIMEOUT).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> target = consumer.endOffsets(partitions, METADATA_TIMEOUT);
      RetryBackoff backoff = new RetryBackoff(RETRY_MIN, RETRY_MAX);
      while (!closed) {
        try {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            apply(r);
          }
          if (loaded.getCount() > 0 && partitions.stream().allMatch(tp -> consumer.position(tp, METADATA_TIMEOUT) >= target.get(tp))) {
            log.info("presence loaded: {} sessions of {} users", sessions.size(), counts.size());
            loaded.countDown();
          }
          backoff.reset();
        } catch (WakeupException e) {
          // closing
        } catch (RuntimeException e) {
          long delay = backoff.nextDelayMs();
          log.warn("reading {} for presence failed: {}; attempt {}, retrying in {} ms", topic, e.toString(),
              backoff.failures(), delay);
          pause(delay);
        }
      }
    } catch (RuntimeException e) {
      log.error("presence stopped reading {}", topic, e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    String session = r.key();
    if (session == null) {
      return;
    }
    SessionAnnouncement a = SessionRecords.read(r, serde, log);
    if (a == null) {
      // A tombstone, or a record that cannot be read: the session is gone either way, as the routers see it.
      if (loaded.getCount() == 0) {
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
    if (loaded.getCount() == 0) {
      try {
        listener.accept(user, p);
      } catch (RuntimeException e) {
        log.warn("presence listener failed for {}: {}", LogSafe.of(user), e.toString());
      }
    }
  }

  private void pause(long ms) {
    try {
      stopping.await(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    stopping.countDown();
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
