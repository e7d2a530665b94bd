package dev.weft.common.groups;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.KafkaSettings;
import dev.weft.common.kafka.CompactedTopicView;
import dev.weft.common.kafka.KeyPartitions;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.GroupSnapshot;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group memberships, read from the compacted groups topic ({@link CompactedTopicView}) for the partitions held here:
 * all of them ({@link #start(Duration)}), or, in a router, those of the inbound partitions it routes ({@link #hold},
 * {@link #release}; the groups topic is keyed and partitioned like the inbound one). Routers also {@link #put} what
 * they apply themselves; for each group the highest version wins, so the order snapshots arrive in does not matter.
 * Lookups never block and never touch the database; {@link #fresh()} requests are served in batches, so no number of
 * them holds up the snapshots every lookup depends on.
 */
public final class GroupDirectory implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GroupDirectory.class);

  private final CompactedTopicView view;
  private final AvroSerde<GroupSnapshot> serde = AvroSerde.groupSnapshot();
  private final Map<String, GroupState> groups = new ConcurrentHashMap<>();
  private volatile Listener listener = (before, after) -> { };
  private volatile Filter filter = state -> true;

  public GroupDirectory(KafkaSettings kafka, String clientId) {
    this.view = new CompactedTopicView(kafka.topics().groups(), "groups",
        new KafkaConsumer<>(KafkaClientProps.consumer(kafka, clientId, null)), new Sink());
  }

  /** Starts reading every partition; returns once everything the topic held at start is loaded. Blocking. */
  public void start(Duration timeout) {
    view.startAll(timeout, () -> log.info("loaded {} groups from {}", groups.size(), view.topic()));
  }

  /**
   * Starts reading every partition from its end, for a gateway: what came before it learns elsewhere (and
   * {@link #put}s), and of what follows it keeps only what its {@link #retainOnly filter} wants. Blocking.
   */
  public void startFollowing(Duration timeout) {
    view.startFollowing(timeout);
    log.info("following {} from its end", view.topic());
  }

  /** Starts reading nothing: partitions are {@link #hold held} as they are assigned. */
  public void startSharded() {
    view.start();
  }

  /** Reads these partitions' groups; completes once they are loaded. Any thread. */
  public CompletableFuture<Void> hold(Collection<Integer> partitions) {
    return view.hold(partitions);
  }

  /** Forgets these partitions' groups. Any thread. */
  public CompletableFuture<Void> release(Collection<Integer> partitions) {
    return view.release(partitions);
  }

  /** True once the partition's groups are all here. */
  public boolean loaded(int partition) {
    return view.loaded(partition);
  }

  /** The group's membership as known here, or null when no such group is known (yet). */
  public GroupState get(String conv) {
    return groups.get(conv);
  }

  /** The error that stopped the reading of the groups (no retry cures it), or null. */
  public Throwable failure() {
    return view.fatalError();
  }

  /** How many groups are held here. */
  public int size() {
    return groups.size();
  }

  /**
   * Told of every state that replaces another (or is a group's first): before (null: none) and after (null only when
   * the {@link Filter} no longer keeps the group).
   */
  @FunctionalInterface
  public interface Listener {
    void changed(GroupState before, GroupState after);
  }

  /** Which groups are worth holding here; asked of each new state, under that group's update. */
  @FunctionalInterface
  public interface Filter {
    boolean keep(GroupState state);
  }

  /**
   * Holds only the states {@code filter} keeps: a newer state it does not keep replaces the held one by nothing. Set it
   * before start. Like the listener it runs inside the group's update: keep it short, and never call back in here.
   */
  public void retainOnly(Filter filter) {
    this.filter = filter;
  }

  /**
   * Asks the filter again about the group held now, and forgets it when the answer is no (the listener is told, with
   * no after-state). For an owner whose reasons to keep a group changed. Any thread.
   */
  public void reconsider(String conv) {
    groups.computeIfPresent(conv, (c, old) -> {
      if (filter.keep(old)) {
        return old;
      }
      listener.changed(old, null);
      return null;
    });
  }

  /**
   * Sets the one listener; call it before {@link #start} so it sees the groups loaded at start too. It runs inside the
   * group's update, so changes of one group reach it one at a time and in version order; keep it short, and never
   * call back into this directory from it. A released partition's groups are forgotten without telling it.
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
      if (!filter.keep(state)) {
        if (old != null) {
          listener.changed(old, null);
        }
        return null;
      }
      listener.changed(old, state);
      return state;
    });
  }

  public String topic() {
    return view.topic();
  }

  /** Runs {@code task} on the reader's thread, with no snapshot applied meanwhile. Any thread. */
  public void onReaderThread(Runnable task) {
    view.execute(task);
  }

  /** True when every snapshot below the given end offsets is applied, for the partitions held here. Any thread. */
  public boolean caughtUpTo(Map<TopicPartition, Long> ends) {
    return view.caughtUpTo(ends);
  }

  /** Completes once everything in the held partitions when it was called is applied: for a lookup that missed. */
  public CompletableFuture<Void> fresh() {
    return view.fresh();
  }

  /** How many times the reader asked the broker for the end offsets to serve {@link #fresh()}. Any thread. */
  public long catchUpChecks() {
    return view.catchUpChecks();
  }

  /** Applies the topic's records, and drops a released partition's groups. The view's thread. */
  private final class Sink implements CompactedTopicView.Sink {
    @Override
    public void apply(ConsumerRecord<String, byte[]> r) {
      if (r.value() == null) {
        return; // groups are never deleted today; a tombstone would be an operator's doing
      }
      try {
        put(GroupState.of(serde.decode(r.value())));
      } catch (RuntimeException e) {
        log.warn("skipping undecodable group snapshot {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
      }
    }

    @Override
    public void drop(int partition) {
      int count = view.partitionCount();
      int before = groups.size();
      groups.keySet().removeIf(conv -> KeyPartitions.of(conv, count) == partition);
      log.info("released partition {} of {}: {} groups dropped", partition, view.topic(), before - groups.size());
    }
  }

  @Override
  public void close() {
    view.close();
  }
}
