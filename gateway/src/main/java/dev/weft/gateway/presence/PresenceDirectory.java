package dev.weft.gateway.presence;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.KafkaSettings;
import dev.weft.common.LogSafe;
import dev.weft.common.SessionRecords;
import dev.weft.common.kafka.CompactedTopicView;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.SessionAnnouncement;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The presence of the users this gateway's clients follow, and of no one else: a user with any session on any gateway
 * is online; when the last one ends, offline, last seen at that record's time (unless that session asked to hide it).
 *
 * <p>A user is {@link #follow followed} (by the first local follower) with what a persister stored of the sessions
 * topic ({@link Source}), then kept current from the topic, which the directory follows from its end from the start of
 * the gateway ({@link CompactedTopicView#startFollowing}). Records that come while the persister's answer is on its way
 * are kept and applied after it, so no change falls between the two: a record written before the question is in the
 * answer (the persister answers once it stored everything the topic held when asked), one written after is read
 * here. A session is announced once and retracted once, so applying a record twice changes nothing. When the last
 * local follower leaves, the user is {@link #unfollow forgotten}.
 *
 * <p>Threads: the view's thread owns the state; {@link #of} answers from any thread; changes go to one listener, on
 * the view's thread.
 */
public final class PresenceDirectory implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PresenceDirectory.class);

  /** A user's presence; {@code lastSeen} is -1 while online, unknown, or hidden. */
  public record Presence(boolean online, long lastSeen) {
    static final Presence UNKNOWN = new Presence(false, -1);
  }

  /** What a persister stored: a user's live sessions (id → hides last seen) and last seen (-1: never, or hidden). */
  public record Stored(Map<String, Boolean> sessions, long lastSeen) {
    public static final Stored NEVER_SEEN = new Stored(Map.of(), -1);
  }

  /** Where followed users' presence is loaded from. */
  public interface Source {
    /** What is stored of each of {@code users} as of a barrier on the sessions topic; a user never seen is absent. */
    Future<Map<String, Stored>> presenceOf(List<String> users);
  }

  /** A followed user. View thread only. */
  private static final class Followed {
    final CompletableFuture<Void> loaded;
    /** Live sessions: id → hides last seen. */
    final Map<String, Boolean> sessions = new HashMap<>();
    /** Announcements read while loading, applied after the answer. */
    Map<String, Boolean> early = new LinkedHashMap<>();

    Followed(CompletableFuture<Void> loaded) {
      this.loaded = loaded;
    }

    boolean loading() {
      return early != null;
    }
  }

  private record Retraction(String session, long ts) {}

  private final CompactedTopicView view;
  private final Source source;
  private final java.util.concurrent.Executor onViewThread;
  private final AvroSerde<SessionAnnouncement> serde = AvroSerde.sessionAnnouncement();
  // View thread only.
  private final Map<String, Followed> followed = new HashMap<>();
  /** Session → user, for the sessions of loaded followed users: a tombstone names only the session. */
  private final Map<String, String> owners = new HashMap<>();
  /** Retractions read while any load is out: each load applies them after its answer. */
  private final List<Retraction> duringLoads = new ArrayList<>();
  private int loads;
  // Any thread.
  private final Map<String, Presence> presence = new ConcurrentHashMap<>();
  private final AtomicInteger followedCount = new AtomicInteger();
  private volatile BiConsumer<String, Presence> listener = (u, p) -> { };
  private volatile java.util.function.Consumer<String> retracted = s -> { };

  public PresenceDirectory(KafkaSettings kafka, String clientId, Source source) {
    this(kafka, clientId, source, null);
  }

  /**
   * @param onViewThread runs the directory's work where no record is applied meanwhile; null: the view's thread (a test
   *     without a broker passes {@code Runnable::run} and never starts the directory)
   */
  public PresenceDirectory(KafkaSettings kafka, String clientId, Source source, java.util.concurrent.Executor onViewThread) {
    this.source = source;
    this.view = new CompactedTopicView(kafka.topics().sessions(), "presence",
        new KafkaConsumer<>(KafkaClientProps.consumer(kafka, clientId, null)), new CompactedTopicView.Sink() {
          @Override
          public void apply(ConsumerRecord<String, byte[]> record) {
            PresenceDirectory.this.apply(record);
          }

          @Override
          public void drop(int partition) {
            // never released: every partition may hold a followed user's session
          }
        });
    this.onViewThread = onViewThread != null ? onViewThread : view::execute;
  }

  /** Starts following the topic from its end; returns once every partition is positioned. Blocking. */
  public void start(Duration timeout) {
    view.startFollowing(timeout);
  }

  /** Called with each change of a loaded followed user: online, or offline with last seen. */
  public void onChange(BiConsumer<String, Presence> listener) {
    this.listener = listener;
  }

  /**
   * Called with the id of every session retracted from now on, whoever wrote the tombstone: its gateway, or a router
   * that took the gateway for dead.
   */
  public void onRetracted(java.util.function.Consumer<String> listener) {
    this.retracted = listener;
  }

  /** The presence of a loaded followed user; {@code UNKNOWN} for anyone else. Any thread. */
  public Presence of(String user) {
    return presence.getOrDefault(user, Presence.UNKNOWN);
  }

  /** How many users this gateway holds the presence of. Any thread. */
  public int followedUsers() {
    return followedCount.get();
  }

  /**
   * Starts holding these users' presence (none of them held already), asked of a persister in one request. Each
   * future completes once the user's presence is loaded (then {@link #of} answers for them), or fails when the
   * persister could not be asked. Any thread.
   */
  public Map<String, CompletableFuture<Void>> follow(Collection<String> users) {
    Map<String, CompletableFuture<Void>> out = new LinkedHashMap<>();
    users.forEach(u -> out.put(u, new CompletableFuture<>()));
    onViewThread.execute(() -> startLoads(out));
    return out;
  }

  /** Forgets a user nobody here follows any more. Any thread. */
  public void unfollow(String user) {
    onViewThread.execute(() -> forget(user));
  }

  private void startLoads(Map<String, CompletableFuture<Void>> asked) {
    Map<String, Followed> mine = new LinkedHashMap<>();
    asked.forEach((user, done) -> {
      Followed existing = followed.get(user);
      if (existing != null) {
        existing.loaded.whenComplete((v, e) -> complete(done, e)); // defensive: the hub follows a user once
        return;
      }
      Followed f = new Followed(done);
      followed.put(user, f);
      followedCount.incrementAndGet();
      loads++;
      mine.put(user, f);
    });
    if (mine.isEmpty()) {
      return;
    }
    Future<Map<String, Stored>> answer;
    try {
      answer = source.presenceOf(List.copyOf(mine.keySet()));
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.onComplete(r -> onViewThread.execute(() -> join(mine, r.succeeded() ? r.result() : null, r.cause())));
  }

  private static void complete(CompletableFuture<Void> f, Throwable e) {
    if (e == null) {
      f.complete(null);
    } else {
      f.completeExceptionally(e);
    }
  }

  /** The persister's answer for these users, joined with what the topic said meanwhile. View thread. */
  private void join(Map<String, Followed> asked, Map<String, Stored> answer, Throwable failure) {
    asked.forEach((user, f) -> {
      if (followed.get(user) != f) {
        return; // forgotten meanwhile (its load is counted off already)
      }
      if (answer == null) {
        loadDone();
        followed.remove(user);
        followedCount.decrementAndGet();
        f.loaded.completeExceptionally(failure);
        return;
      }
      Stored stored = answer.getOrDefault(user, Stored.NEVER_SEEN);
      f.sessions.putAll(stored.sessions());
      f.sessions.putAll(f.early);
      f.early = null;
      long lastSeen = stored.lastSeen();
      for (Retraction r : duringLoads) {
        Boolean hide = f.sessions.remove(r.session());
        if (hide != null && f.sessions.isEmpty()) {
          lastSeen = hide ? -1 : r.ts();
        }
      }
      loadDone(); // after its use of duringLoads, which the last load out clears
      f.sessions.keySet().forEach(s -> owners.put(s, user));
      presence.put(user, f.sessions.isEmpty() ? new Presence(false, lastSeen) : new Presence(true, -1));
      f.loaded.complete(null);
    });
  }

  private void loadDone() {
    if (--loads == 0) {
      duringLoads.clear();
    }
  }

  private void forget(String user) {
    Followed f = followed.remove(user);
    if (f == null) {
      return;
    }
    followedCount.decrementAndGet();
    if (f.loading()) {
      loadDone();
      f.loaded.completeExceptionally(new IllegalStateException("no longer followed"));
    }
    f.sessions.keySet().forEach(owners::remove);
    presence.remove(user);
  }

  /** One record of the sessions topic. The view's thread (package-private: a test without a broker feeds records). */
  void apply(ConsumerRecord<String, byte[]> r) {
    String session = r.key();
    if (session == null) {
      return;
    }
    SessionAnnouncement a = SessionRecords.read(r, serde, log);
    if (a == null) {
      retracted(session, r.timestamp());
      return;
    }
    Followed f = followed.get(a.getUser());
    if (f == null) {
      return;
    }
    if (f.loading()) {
      f.early.put(session, a.getHideLastSeen());
      return;
    }
    if (f.sessions.put(session, a.getHideLastSeen()) == null) {
      owners.put(session, a.getUser());
      if (f.sessions.size() == 1) {
        changed(a.getUser(), new Presence(true, -1));
      }
    }
  }

  /** A tombstone, or a record that cannot be read: the session is gone either way, as the routers see it. */
  private void retracted(String session, long ts) {
    try {
      retracted.accept(session);
    } catch (RuntimeException e) {
      log.warn("retraction listener failed for session {}: {}", LogSafe.of(session), e.toString());
    }
    if (loads > 0) {
      duringLoads.add(new Retraction(session, ts));
    }
    String user = owners.remove(session);
    if (user == null) {
      return;
    }
    Followed f = followed.get(user);
    Boolean hide = f.sessions.remove(session);
    if (hide != null && f.sessions.isEmpty()) {
      changed(user, new Presence(false, hide ? -1 : ts));
    }
  }

  private void changed(String user, Presence p) {
    presence.put(user, p);
    try {
      listener.accept(user, p);
    } catch (RuntimeException e) {
      log.warn("presence listener failed for {}: {}", LogSafe.of(user), e.toString());
    }
  }

  @Override
  public void close() {
    view.close();
  }
}
