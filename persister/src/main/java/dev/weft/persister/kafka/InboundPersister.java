package dev.weft.persister.kafka;

import dev.weft.common.LogSafe;
import dev.weft.common.DeadLetters;
import dev.weft.common.KafkaClientProps;
import dev.weft.persister.config.PersisterConfig;
import dev.weft.common.ConversationIds;
import dev.weft.common.groups.GroupRules;
import dev.weft.common.groups.GroupState;
import dev.weft.persister.db.Membership;
import dev.weft.schemas.GroupEvent;
import dev.weft.schemas.GroupSnapshot;
import java.sql.SQLException;
import dev.weft.persister.db.MessageStore;
import dev.weft.persister.db.StoredMessage;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.InboundMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the inbound topic to the messages table, one poll per database transaction.
 *
 * <p>Order of work per poll: decode → insert every row in one transaction → commit the Kafka offsets. A crash
 * between the two commits replays the batch, and the inserts are idempotent by (conversation, seq), so a replay
 * stores nothing twice. The sequence number of a message is its record's offset.
 *
 * <p>The same transaction updates the per-user conversation index: one row per (member, conversation) of the poll,
 * with the conversation's partition and its latest ts. Catch-up reads join it to the messages, so the two must
 * never be seen apart. A member id that cannot be a key ({@link Membership#fits}) loses only its index row.
 *
 * <p>Threads: the consumer has exactly one owner thread ({@code weft-persister-inbound}); everything below that
 * touches {@link #consumer} or {@link #uncommitted} runs on it, rebalance callbacks included (they run inside
 * {@code poll}). {@link #close()} only sets a flag and calls {@link KafkaConsumer#wakeup()}, the one consumer method
 * that is safe from another thread.
 *
 * <p>Errors are sorted, never allowed to end the thread:
 * <ul>
 *   <li>a record that cannot be decoded, or cannot fit the table, goes to the dead-letter topic ({@link DeadLetters})
 *       once the batch is written, before its offsets are committed, and is counted ({@link #skipped()}): one bad
 *       record must not stop a partition;
 *   <li>a database error: nothing is committed, the partitions are sought back to the batch's first records (where
 *       the last written batch ended), and the batch is retried after a capped exponential backoff;
 *   <li>a failed offset commit: the rows are stored; the offsets stay pending and go with the next commit, or with
 *       the revoke callback; if the partitions were lost instead, their new owner replays them harmlessly;
 *   <li>any other poll error: capped backoff, then poll again.
 * </ul>
 */
public final class InboundPersister implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(InboundPersister.class);
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
  private static final long BACKOFF_MIN_MS = 100;
  private static final long BACKOFF_MAX_MS = 10_000;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final KafkaConsumer<String, byte[]> consumer;
  private final MessageStore store;
  private final GroupFold groups;
  private final DeadLetters deadLetters;
  /** Records of the batch in hand that can never be stored, dead-lettered after its transaction. Owner thread only. */
  private final List<Dead> dead = new ArrayList<>();
  private final String topic;
  private final AvroSerde<InboundMessage> serde = AvroSerde.inboundMessage();
  private final Thread thread;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final AtomicLong persisted = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  /** Next offsets of partitions whose rows are in the database but not yet committed to Kafka. Owner thread only. */
  private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
  /** The partitions this member owns now; written by the owner thread, read by anyone. */
  private volatile Set<TopicPartition> assigned = Set.of();
  private volatile boolean closed;
  private volatile boolean healthy = true;
  private long backoffMs = BACKOFF_MIN_MS;

  private final io.micrometer.core.instrument.Counter persistedCounter;
  private final io.micrometer.core.instrument.DistributionSummary batchSize;
  private final io.micrometer.core.instrument.Timer writeTime;

  public InboundPersister(PersisterConfig config, MessageStore store, DeadLetters deadLetters,
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry) {
    this.deadLetters = deadLetters;
    this.persistedCounter = io.micrometer.core.instrument.Counter.builder("weft.persister.messages.persisted")
        .description("messages and group events written to the database").register(registry);
    this.batchSize = io.micrometer.core.instrument.DistributionSummary.builder("weft.persister.batch.size")
        .description("rows per database transaction").register(registry);
    this.writeTime = io.micrometer.core.instrument.Timer.builder("weft.persister.write")
        .description("one poll's database transaction").publishPercentileHistogram().register(registry);
    Properties props = KafkaClientProps.storeConsumer(config.kafka(), "weft-persister", config.group());
    // One poll is one transaction: the batch bound is the poll bound.
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.batchMax());
    this.consumer = new KafkaConsumer<>(props);
    dev.weft.common.ops.Metrics.bind(registry, consumer); // records lag, fetch rates
    this.store = store;
    this.groups = new GroupFold(store);
    this.topic = config.kafka().topics().inbound();
    this.thread = new Thread(this::run, "weft-persister-inbound");
  }

  /** Subscribes and starts the owner thread. */
  public synchronized void start() {
    consumer.subscribe(List.of(topic), new CommitOnRevoke());
    thread.start();
  }

  private void run() {
    try {
      while (!closed) {
        try {
          pollOnce();
        } catch (WakeupException e) {
          // close() woke us: the loop condition ends it, and the finally block commits what is done.
        } catch (RuntimeException e) {
          healthy = false;
          log.warn("polling {} failed: {}; next try in {} ms", topic, e.toString(), backoffMs);
          backOff();
        }
      }
    } finally {
      commitOnClose();
      try {
        consumer.close(CLOSE_TIMEOUT);
      } catch (RuntimeException e) {
        log.warn("closing the inbound consumer: {}", e.toString());
      }
    }
  }

  /** One poll: write the batch, then commit its offsets. */
  private void pollOnce() {
    ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
    if (records.isEmpty()) {
      healthy = true;
      return;
    }
    List<StoredMessage> rows = List.of();
    dead.clear();
    try {
      Batch batch = batch(records);
      rows = batch.messages();
      long started = System.nanoTime();
      store.insertAll(rows, batch.members(), batch.intervals(), batch.groups());
      writeTime.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
      batchSize.record(rows.size());
      // After the rows, before the offsets: a replay writes a dead letter again rather than never.
      for (Dead d : dead) {
        deadLetters.write(d.record(), d.reason(), d.why());
        skipped.incrementAndGet();
      }
    } catch (Exception e) {
      groups.forget(); // it may have applied events the database did not take
      // Retriable or not, a database error gets the same treatment: keep the data in Kafka, retry later.
      healthy = false;
      rewind(records);
      log.warn("writing {} messages of {} failed: {}; offsets not committed, next try in {} ms (at {})",
          rows.size(), records.partitions(), e.toString(), backoffMs, Instant.now().plusMillis(backoffMs));
      backOff();
      return;
    }
    persisted.addAndGet(rows.size());
    persistedCounter.increment(rows.size());
    healthy = true;
    backoffMs = BACKOFF_MIN_MS;
    uncommitted.putAll(nextOffsets(records));
    commitUncommitted();
  }

  /** The rows of one poll: its messages, and its index rows (one per member and conversation, at the latest ts). */
  private record Batch(List<StoredMessage> messages, List<Membership> members, List<Membership.Interval> intervals,
      List<GroupSnapshot> groups) {}

  private record MemberKey(String user, String conv) {}

  private static final Comparator<Membership> LOCK_ORDER =
      Comparator.comparing(Membership::user).thenComparing(Membership::conv);

  private Batch batch(ConsumerRecords<String, byte[]> records) throws SQLException {
    List<StoredMessage> rows = new ArrayList<>(records.count());
    Map<MemberKey, Membership> members = new HashMap<>();
    Map<MemberKey, Membership.Interval> intervals = new HashMap<>();
    Map<String, GroupState> changed = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      InboundMessage m;
      try {
        m = r.value() == null ? null : serde.decode(r.value());
      } catch (RuntimeException e) {
        dead.add(new Dead(r, DeadLetters.UNDECODABLE, String.valueOf(e.getMessage())));
        continue;
      }
      if (m == null) {
        dead.add(new Dead(r, DeadLetters.UNDECODABLE, "no value"));
        continue;
      }
      // The sequence number is the record's offset: a conversation is one key, hence one partition.
      StoredMessage row = new StoredMessage(m.getConv(), r.offset(), m.getId(), m.getFrom(), m.getFromDevice(),
          m.getTs(), m.getText(), m.getRef(), m.getEvent() == null ? null : eventJson(m.getEvent()));
      String misfit = MessageStore.misfit(row);
      if (misfit != null) {
        // Stored as is, it would fail the whole batch on every retry.
        dead.add(new Dead(r, DeadLetters.UNFIT, misfit));
        continue;
      }
      if (!ConversationIds.isGroup(m.getConv())) {
        rows.add(row);
        index(r, m, m.getMembers(), members);
        continue;
      }
      GroupState g = groups.get(m.getConv());
      if (m.getEvent() == null) {
        if (g == null || !g.memberAt(m.getFrom(), r.offset())) {
          skip(r, "the sender was not a member of the group then");
          continue;
        }
        rows.add(row);
        index(r, m, g.recipientsAt(r.offset()), members);
        continue;
      }
      if (g == null || r.offset() > g.version()) {
        GroupRules.Outcome o = GroupRules.apply(g, m.getConv(), r.offset(), m.getFrom(), m.getEvent());
        if (!o.applied()) {
          skip(r, "the group event changes nothing: " + o.rejected());
          continue;
        }
        g = o.state();
        groups.put(g);
        changed.put(g.conv(), g);
      }
      rows.add(row);
      for (var e : g.members().entrySet()) {
        if (Membership.fits(e.getKey())) {
          intervals.put(new MemberKey(e.getKey(), g.conv()), new Membership.Interval(e.getKey(), g.conv(), r.partition(),
              m.getTs(), e.getValue().joined(), e.getValue().left()));
        }
      }
    }
    List<Membership> sorted = new ArrayList<>(members.values());
    // One lock order for every writer: two transactions upserting the same rows cannot deadlock.
    sorted.sort(LOCK_ORDER);
    List<Membership.Interval> sortedIntervals = new ArrayList<>(intervals.values());
    sortedIntervals.sort(Comparator.comparing(Membership.Interval::user).thenComparing(Membership.Interval::conv));
    List<GroupSnapshot> snapshots = changed.values().stream().sorted(Comparator.comparing(GroupState::conv))
        .map(GroupState::toSnapshot).toList();
    return new Batch(rows, sorted, sortedIntervals, snapshots);
  }

  /** How history shows a membership event: {"event":"added","users":[...]} (and the title on creation). */
  private static String eventJson(GroupEvent e) {
    io.vertx.core.json.JsonObject o = new io.vertx.core.json.JsonObject()
        .put("event", e.getKind().name().toLowerCase(java.util.Locale.ROOT));
    if (e.getTitle() != null) {
      o.put("title", e.getTitle().toString());
    }
    io.vertx.core.json.JsonArray users = new io.vertx.core.json.JsonArray();
    e.getUsers().forEach(u -> users.add(u.toString()));
    return o.put("users", users).encode();
  }

  /** Adds the record's (member, conversation) rows, keeping the latest ts of each seen in this poll. */
  private static void index(ConsumerRecord<String, byte[]> r, InboundMessage m, List<String> users,
      Map<MemberKey, Membership> members) {
    List<String> unfit = new ArrayList<>(0);
    for (String user : users) {
      if (!Membership.fits(user)) {
        unfit.add(user);
        continue;
      }
      members.merge(new MemberKey(user, m.getConv()), new Membership(user, m.getConv(), r.partition(), m.getTs()),
          (a, b) -> a.lastTs() >= b.lastTs() ? a : b);
    }
    if (!unfit.isEmpty()) {
      log.warn("record {}-{}@{}: not indexing {} member id(s) that are not valid user ids, first {}", r.topic(),
          r.partition(), r.offset(), unfit.size(), '"' + LogSafe.of(unfit.get(0)) + '"');
    }
  }

  /** Not stored by the rules (a sender who was not a member, an event that changes nothing): as designed, not dead. */
  private void skip(ConsumerRecord<String, byte[]> r, String why) {
    log.info("not storing record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), LogSafe.of(why));
  }

  private record Dead(ConsumerRecord<String, byte[]> record, String reason, String why) {}

  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
      offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
    }
    return offsets;
  }

  /**
   * Commits the offsets of what is written. A commit that fails leaves them pending: the next batch's commit, or the
   * revoke callback, carries them; lost partitions drop them (see {@link CommitOnRevoke}).
   */
  private void commitUncommitted() {
    if (uncommitted.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(uncommitted);
      uncommitted.clear();
    } catch (WakeupException e) {
      throw e; // closing: commitOnClose tries again
    } catch (RebalanceInProgressException e) {
      // The next poll runs the rebalance, whose revoke callback commits these offsets.
      log.info("offset commit of {} deferred: the group is rebalancing", uncommitted.keySet());
    } catch (CommitFailedException e) {
      // The group moved on without us: the partitions are lost, their new owner replays the rows (idempotently).
      log.warn("offset commit of {} refused: {}; the next owner replays these records", uncommitted.keySet(), e.getMessage());
    } catch (KafkaException e) {
      log.warn("offset commit of {} failed: {}; kept for the next commit", uncommitted.keySet(), e.toString());
    }
  }

  /**
   * On close: the batch in hand is written; commit it. {@link KafkaConsumer#wakeup()} is one-shot, so if the pending
   * wakeup interrupts the first attempt, the second runs.
   */
  private void commitOnClose() {
    for (int attempt = 0; attempt < 2 && !uncommitted.isEmpty(); attempt++) {
      try {
        consumer.commitSync(uncommitted, CLOSE_TIMEOUT);
        uncommitted.clear();
      } catch (WakeupException e) {
        // try once more
      } catch (RuntimeException e) {
        log.warn("final offset commit of {} failed: {}; the next owner replays these records", uncommitted.keySet(),
            e.toString());
        return;
      }
    }
  }

  /** Goes back to each partition's first record of the failed batch: where the last written batch ended. */
  private void rewind(ConsumerRecords<String, byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      try {
        consumer.seek(tp, records.records(tp).get(0).offset());
      } catch (IllegalStateException e) {
        // No longer assigned: its new owner starts from the last commit.
      }
    }
  }

  /** Waits the current backoff (cut short by close) and doubles it, up to the cap. */
  private void backOff() {
    try {
      stopping.await(backoffMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    backoffMs = Math.min(BACKOFF_MAX_MS, backoffMs * 2);
  }

  /**
   * Commits what is written on revoke; never for lost partitions, whose offsets may already belong to another
   * member's generation (committing them could move its position backwards or fail). Runs on the owner thread, inside
   * {@code poll} or {@code close}.
   */
  private final class CommitOnRevoke implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        log.info("handing over partitions {}", partitions);
      }
      unassign(partitions);
      dev.weft.common.kafka.OffsetCommits.commitRevoked(consumer, uncommitted, partitions, log, "persisting");
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      uncommitted.keySet().removeAll(partitions);
      unassign(partitions);
      log.warn("lost partitions {}: offsets not committed, their next owner replays from the last commit", partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      groups.forget(); // another persister may have applied events of these partitions meanwhile
      if (!partitions.isEmpty()) {
        log.info("persisting partitions {}", partitions);
      }
      Set<TopicPartition> now = new HashSet<>(assigned);
      now.addAll(partitions);
      assigned = Set.copyOf(now);
    }

    private void unassign(Collection<TopicPartition> partitions) {
      Set<TopicPartition> now = new HashSet<>(assigned);
      now.removeAll(partitions);
      assigned = Set.copyOf(now);
    }
  }

  /** How many partitions of the inbound topic this member owns now. */
  public int assignedPartitions() {
    return assigned.size();
  }

  /** True while the owner thread runs and its last poll or write succeeded. */
  public boolean running() {
    return thread.isAlive() && !closed && healthy;
  }

  /** Rows written since start, replays included. */
  public long persisted() {
    return persisted.get();
  }

  /** Records dead-lettered since start: undecodable, or not fitting the table. */
  public long skipped() {
    return skipped.get();
  }

  /** Finishes the batch in hand (written and committed), then leaves the group. Idempotent. */
  @Override
  public synchronized void close() {
    if (thread.getState() == Thread.State.NEW) {
      // Never started: nobody else owns the consumer.
      if (!closed) {
        closed = true;
        consumer.close(Duration.ZERO);
      }
      return;
    }
    closed = true;
    stopping.countDown();
    consumer.wakeup();
    if (Thread.currentThread() != thread && thread.isAlive()) {
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
