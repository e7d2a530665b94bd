package dev.weft.common.groups;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.KafkaSettings;
import dev.weft.common.NamedThreads;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.GroupSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every group's membership, read from the compacted groups topic from the beginning and kept up to date by one
 * thread. Routers also {@link #put} what they apply themselves; for each group the highest version wins, so the
 * order snapshots arrive in does not matter. Lookups never block and never touch the database; {@link #fresh()}
 * requests are served in batches, so no number of them holds up the snapshots every lookup depends on.
 */
public final class GroupDirectory implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GroupDirectory.class);
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

  private final String topic;
  private final KafkaConsumer<String, byte[]> consumer;
  private final AvroSerde<GroupSnapshot> serde = AvroSerde.groupSnapshot();
  private final Map<String, GroupState> groups = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> applied = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<CompletableFuture<Void>> freshRequests = new ConcurrentLinkedQueue<>();
  private final CountDownLatch loaded = new CountDownLatch(1);
  /** Waits after a failed read, doubling with jitter: a broker away is not asked again and again without a pause. */
  private static final Duration RETRY_MIN = Duration.ofMillis(100);
  private final java.util.concurrent.CountDownLatch stopping = new java.util.concurrent.CountDownLatch(1);
  private static final Duration RETRY_MAX = Duration.ofSeconds(5);
  private final java.util.concurrent.atomic.AtomicLong catchUpChecks = new java.util.concurrent.atomic.AtomicLong();
  private final Thread thread;
  private volatile Listener listener = (before, after) -> { };
  private volatile boolean closed;

  public GroupDirectory(KafkaSettings kafka, String clientId) {
    this.topic = kafka.topics().groups();
    this.consumer = new KafkaConsumer<>(KafkaClientProps.consumer(kafka, clientId, null));
    this.thread = new NamedThreads("weft-groups").newThread(this::run);
  }

  /** Starts reading; returns once everything the topic held at start is loaded. Blocking. */
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

  /** The group's membership as known here, or null when no such group is known (yet). */
  public GroupState get(String conv) {
    return groups.get(conv);
  }

  /** Told of every state that replaces another (or is a group's first): before (null: none) and after. */
  @FunctionalInterface
  public interface Listener {
    void changed(GroupState before, GroupState after);
  }

  /**
   * Sets the one listener; call it before {@link #start} so it sees the groups loaded at start too. It runs inside the
   * group's update, so changes of one group reach it one at a time and in version order; keep it short, and never
   * call back into this directory from it.
   */
  public void onChange(Listener listener) {
    this.listener = listener;
  }

  /** Keeps the state unless a later one is known. Any thread. */
  public void put(GroupState state) {
    groups.compute(state.conv(), (conv, old) -> {
      if (old != null && state.version() <= old.version()) {
        return old;
      }
      listener.changed(old, state);
      return state;
    });
  }

  public String topic() {
    return topic;
  }

  /** True when every snapshot below the given end offsets (of this topic's partitions) is applied. Any thread. */
  public boolean caughtUpTo(Map<TopicPartition, Long> ends) {
    for (var e : ends.entrySet()) {
      if (!e.getKey().topic().equals(topic)) {
        continue;
      }
      Long at = applied.get(e.getKey());
      if (e.getValue() > 0 && (at == null || at < e.getValue())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Completes once everything in the topic when it was called is applied: for a lookup that missed. Requests are
   * coalesced: however many are made, the reading thread asks the broker for the topic's end at most once per
   * iteration, so callers cannot make it wait on them. A caller that stops waiting (a timeout) is forgotten. Any
   * thread.
   */
  public CompletableFuture<Void> fresh() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    freshRequests.add(f);
    return f;
  }

  /**
   * How many times the reader asked the broker for the topic's end offsets to serve {@link #fresh()}: at most once per
   * iteration of its loop, whatever the number of requests. Any thread.
   */
  public long catchUpChecks() {
    return catchUpChecks.get();
  }

  private void run() {
    try {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, METADATA_TIMEOUT).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> loadTarget = consumer.endOffsets(partitions, METADATA_TIMEOUT);
      List<Waiting> waiting = new ArrayList<>();
      List<CompletableFuture<Void>> asked = new ArrayList<>();
      dev.weft.common.kafka.RetryBackoff backoff = new dev.weft.common.kafka.RetryBackoff(RETRY_MIN, RETRY_MAX);
      while (!closed) {
        try {
          for (CompletableFuture<Void> f; (f = freshRequests.poll()) != null; ) {
            asked.add(f);
          }
          asked.removeIf(CompletableFuture::isDone); // given up on by the caller (timed out)
          if (!asked.isEmpty()) {
            // One call serves every request queued before it: the ends it reads are later than each request, which is
            // all a request needs. So a storm of lookups costs one broker round trip per iteration (about 20 a
            // second at most), not one per lookup, and snapshots keep being applied meanwhile.
            catchUpChecks.incrementAndGet();
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, METADATA_TIMEOUT);
            waiting.add(new Waiting(new ArrayList<>(asked), new HashMap<>(ends)));
            asked.clear(); // kept until here: a failed call leaves them for the next iteration
            completeSatisfied(waiting); // often nothing is missing: no need to wait for a poll
          }
          for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
            apply(r);
          }
          for (TopicPartition tp : partitions) {
            applied.put(tp, consumer.position(tp, METADATA_TIMEOUT));
          }
          if (loaded.getCount() > 0 && caughtUpTo(loadTarget)) {
            log.info("loaded {} groups from {}", groups.size(), topic);
            loaded.countDown();
          }
          completeSatisfied(waiting);
          backoff.reset();
        } catch (WakeupException e) {
          // closing
        } catch (RuntimeException e) {
          long delay = backoff.nextDelayMs();
          log.warn("reading {} failed: {}; attempt {}, retrying in {} ms", topic, e.toString(), backoff.failures(), delay);
          sleep(delay);
        }
      }
      asked.forEach(f -> f.cancel(false));
      waiting.forEach(w -> w.futures.forEach(f -> f.cancel(false)));
      freshRequests.forEach(f -> f.cancel(false));
    } catch (RuntimeException e) {
      log.error("the group directory stopped reading {}", topic, e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Completes each batch of requests whose end offsets are applied; drops those every caller gave up on. */
  private void completeSatisfied(List<Waiting> waiting) {
    waiting.removeIf(w -> {
      if (caughtUpTo(w.ends)) {
        w.futures.forEach(f -> f.complete(null));
        return true;
      }
      w.futures.removeIf(CompletableFuture::isDone);
      return w.futures.isEmpty();
    });
  }

  /** Requests served by one end-offsets call, and the ends it read. */
  private record Waiting(List<CompletableFuture<Void>> futures, Map<TopicPartition, Long> ends) {}

  private void apply(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return; // groups are never deleted today; a tombstone would be an operator's doing
    }
    try {
      put(GroupState.of(serde.decode(r.value())));
    } catch (RuntimeException e) {
      log.warn("skipping undecodable group snapshot {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
    }
  }

  /** Waits, or less when closing. */
  private void sleep(long ms) {
    try {
      stopping.await(ms, java.util.concurrent.TimeUnit.MILLISECONDS);
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
