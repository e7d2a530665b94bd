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
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import dev.weft.common.kafka.ConsumerLoop;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the inbound topic to the messages table, one poll per database transaction, on a {@link ConsumerLoop}.
 *
 * <p>Order of work per poll: decode → insert every row in one transaction → commit the Kafka offsets (the loop, once
 * the work returns). A crash between the two commits replays the batch, and the inserts are idempotent by
 * (conversation, seq), so a replay stores nothing twice. The sequence number of a message is its record's offset.
 *
 * <p>The same transaction updates the per-user conversation index: one row per (member, conversation) of the poll,
 * with the conversation's partition and its latest ts. Catch-up reads join it to the messages, so the two must
 * never be seen apart. A member id that cannot be a key ({@link Membership#fits}) loses only its index row.
 *
 * <p>Errors, sorted so that none ends the service unless no retry can cure it:
 * <ul>
 *   <li>a record that cannot be decoded, or cannot fit the table, goes to the dead-letter topic ({@link DeadLetters})
 *       once the batch is written, before its offsets are committed, and is counted ({@link #skipped()}): one bad
 *       record must not stop a partition;
 *   <li>a database error: the work throws, so nothing is committed; the loop seeks the partitions back to the batch's
 *       first records (where the last written batch ended) and hands it over again after a capped, jittered backoff;
 *   <li>commits, revocations and lost partitions: as {@link ConsumerLoop} does them for every loop.
 * </ul>
 */
public final class InboundPersister implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(InboundPersister.class);

  private final ConsumerLoop loop;
  private final MessageStore store;
  private final GroupFold groups;
  private final DeadLetters deadLetters;
  /** Records of the batch in hand that can never be stored, dead-lettered after its transaction. Loop thread only. */
  private final List<Dead> dead = new ArrayList<>();
  private final AvroSerde<InboundMessage> serde = AvroSerde.inboundMessage();
  private final AtomicLong persisted = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  /** The partitions this member owns now; written by the loop thread, read by anyone. */
  private volatile Set<TopicPartition> assigned = Set.of();

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
    this.store = store;
    this.groups = new GroupFold(store);
    this.loop = new ConsumerLoop(new ConsumerLoop.Settings("persister-inbound", Duration.ofSeconds(1),
        Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(5), true), new KafkaConsumer<>(props),
        ConsumerLoop.Source.group(List.of(config.kafka().topics().inbound()), new Ownership()), this::write, registry,
        e -> { }); // the loop logs what stopped it; readiness then fails ("consumer")
    loop.bindClientMetrics(registry); // records lag, fetch rates
  }

  public void start() {
    loop.start();
  }

  /** One poll: its rows in one transaction, then its dead letters; the loop commits the offsets once this returns. */
  private void write(ConsumerRecords<String, byte[]> records, Consumer<String, byte[]> unused) throws Exception {
    dead.clear();
    List<StoredMessage> rows;
    try {
      Batch batch = withoutErased(batch(records));
      rows = batch.messages();
      long started = System.nanoTime();
      store.insertAll(rows, batch.members(), batch.intervals(), batch.groups(), batch.actions(), batch.blocks());
      writeTime.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
      batchSize.record(rows.size());
      // After the rows, before the offsets: a replay writes a dead letter again rather than never.
      for (Dead d : dead) {
        deadLetters.write(d.record(), d.reason(), d.why());
        skipped.incrementAndGet();
      }
    } catch (Exception e) {
      groups.forget(); // it may have applied events the database did not take
      throw e; // retriable or not, a database error gets the same treatment: keep the data in Kafka, retry later
    }
    persisted.addAndGet(rows.size());
    persistedCounter.increment(rows.size());
  }

  /** The rows of one poll: its messages, and its index rows (one per member and conversation, at the latest ts). */
  private record Batch(List<StoredMessage> messages, List<Membership> members, List<Membership.Interval> intervals,
      List<GroupSnapshot> groups, List<MessageStore.Action> actions, List<dev.weft.persister.db.BlockStore.Change> blocks) {}

  private record MemberKey(String user, String conv) {}

  private static final Comparator<Membership> LOCK_ORDER =
      Comparator.comparing(Membership::user).thenComparing(Membership::conv);

  private Batch batch(ConsumerRecords<String, byte[]> records) throws SQLException {
    List<StoredMessage> rows = new ArrayList<>(records.count());
    Map<MemberKey, Membership> members = new HashMap<>();
    Map<MemberKey, Membership.Interval> intervals = new HashMap<>();
    Map<String, GroupState> changed = new HashMap<>();
    List<MessageStore.Action> actions = new ArrayList<>();
    List<dev.weft.persister.db.BlockStore.Change> blocks = new ArrayList<>();
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
      if (m.getBlock() != null) {
        // Not a row of history: the pair's block state. Only a member of the one-to-one conversation blocks in it.
        String other = ConversationIds.otherMember(m.getConv(), m.getFrom()).orElse(null);
        if (other != null && Membership.fits(other) && Membership.fits(m.getFrom())) {
          blocks.add(new dev.weft.persister.db.BlockStore.Change(m.getConv(), m.getFrom(), other,
              m.getBlock().getBlocked(), r.offset()));
        } else {
          skip(r, "a block entry from someone not in the conversation");
        }
        continue;
      }
      // The sequence number is the record's offset: a conversation is one key, hence one partition.
      StoredMessage row = new StoredMessage(m.getConv(), r.offset(), m.getId(), m.getFrom(), m.getFromDevice(),
          m.getTs(), m.getText(), m.getRef(), m.getEvent() == null ? null : eventJson(m.getEvent()), contentJson(m),
          m.getAction() == null ? null : new io.vertx.core.json.JsonObject(
              dev.weft.common.MessageContent.actionFields(m.getAction())).encode(),
          m.getAction() == null ? null : m.getAction().getTarget());
      String misfit = MessageStore.misfit(row);
      if (misfit != null) {
        // Stored as is, it would fail the whole batch on every retry.
        dead.add(new Dead(r, DeadLetters.UNFIT, misfit));
        continue;
      }
      if (!ConversationIds.isGroup(m.getConv())) {
        rows.add(row);
        index(r, m, m.getMembers(), members);
        act(m, r.offset(), null, actions);
        continue;
      }
      GroupState g = groups.get(m.getConv());
      if (m.getEvent() == null) {
        if (g == null || !(dev.weft.common.SystemSender.is(m.getFrom()) || g.memberAt(m.getFrom(), r.offset()))) {
          skip(r, "the sender was not a member of the group then");
          continue;
        }
        rows.add(row);
        index(r, m, g.recipientsAt(r.offset()), members);
        act(m, r.offset(), g, actions);
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
    return new Batch(rows, sorted, sortedIntervals, snapshots, actions, blocks);
  }

  /**
   * The batch with nothing of an erased user's (the server API's erasure): their messages in flight when they were
   * erased are stored empty, and no index or membership row names them again. One query a poll.
   */
  private Batch withoutErased(Batch b) throws SQLException {
    java.util.Set<String> users = new java.util.HashSet<>();
    b.messages().forEach(m -> users.add(m.from()));
    b.members().forEach(m -> users.add(m.user()));
    b.intervals().forEach(i -> users.add(i.user()));
    java.util.Set<String> erased = store.erasures().erased(users);
    if (erased.isEmpty()) {
      return b;
    }
    List<StoredMessage> rows = b.messages().stream().map(m -> !erased.contains(m.from()) ? m
        : new StoredMessage(m.conv(), m.seq(), m.id(), m.from(), m.fromDevice(), m.ts(), "", null, m.event(), null,
            m.action(), m.target())).toList();
    return new Batch(rows, b.members().stream().filter(m -> !erased.contains(m.user())).toList(),
        b.intervals().stream().filter(i -> !erased.contains(i.user())).toList(), b.groups(),
        b.actions().stream().filter(a -> !erased.contains(a.user())).toList(), b.blocks());
  }

  /**
   * What the record does to an earlier message, if it is an action: applied after the batch's rows, in order. A
   * delete applies to its sender's message, or to any when an admin of the group (at this seq) made it.
   */
  private static void act(InboundMessage m, long seq, GroupState g, List<MessageStore.Action> actions) {
    if (m.getAction() == null) {
      return;
    }
    var a = m.getAction();
    String onlySender = g != null && g.isAdmin(m.getFrom()) ? null : m.getFrom();
    actions.add(new MessageStore.Action(a.getKind(), m.getConv(), a.getTarget(), m.getFrom(), seq, m.getText(),
        a.getEmoji(), onlySender));
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

  /** A message's reply and attachments as history shows them, or null when it has neither. */
  private static String contentJson(InboundMessage m) {
    java.util.Map<String, Object> fields = dev.weft.common.MessageContent.fields(m.getReplyTo(), m.getAttachments());
    return fields.isEmpty() ? null : new io.vertx.core.json.JsonObject(fields).encode();
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

  /** Which partitions are this member's. Runs on the loop thread, inside poll. */
  private final class Ownership implements ConsumerLoop.Rebalance {

    @Override
    public void assigned(Collection<TopicPartition> partitions) {
      groups.forget(); // another persister may have applied events of these partitions meanwhile
      if (!partitions.isEmpty()) {
        log.info("persisting partitions {}", partitions);
      }
      Set<TopicPartition> now = new HashSet<>(assigned);
      now.addAll(partitions);
      assigned = Set.copyOf(now);
    }

    @Override
    public void gone(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        log.info("handing over partitions {}", partitions);
      }
      Set<TopicPartition> now = new HashSet<>(assigned);
      now.removeAll(partitions);
      assigned = Set.copyOf(now);
    }
  }

  /** How many partitions of the inbound topic this member owns now. */
  public int assignedPartitions() {
    return assigned.size();
  }

  /** True while the loop runs and its last poll or write succeeded. */
  public boolean running() {
    return loop.healthy();
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
  public void close() {
    loop.close();
  }
}
