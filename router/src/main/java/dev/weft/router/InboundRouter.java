package dev.weft.router;

import dev.weft.common.DeadLetters;
import dev.weft.common.KafkaClientProps;
import dev.weft.common.KafkaSettings;
import dev.weft.common.NamedThreads;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.PushNotice;
import dev.weft.schemas.PushReason;
import dev.weft.common.groups.GroupDirectory;
import dev.weft.schemas.Delivery;
import dev.weft.schemas.GroupSnapshot;
import dev.weft.schemas.InboundMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the inbound topic: for each message, one {@link Delivery} per gateway holding a session of a member.
 *
 * <p>One owner thread holds the group consumer and the producer; {@link #close()} stops it with a flag and
 * {@link KafkaConsumer#wakeup()}. Work goes in batches, one per poll:
 * <ol>
 *   <li>route every record in offset order (same inbound partition → same producer → per-gateway order kept);
 *   <li>poll again at once, while the batch's sends are in flight ({@link RoutedBatches}; at most
 *       {@link #MAX_IN_FLIGHT_BATCHES}, then it flushes);
 *   <li>a batch whose sends, and all earlier batches' sends, are acknowledged is done; any failure → flush, seek
 *       every partition in flight back to its oldest unacknowledged batch's first record, back off, and route
 *       them again with a new producer. The first failed send halts the producer ({@link HaltingProducer}), so
 *       nothing routed after it is written ahead of it: each gateway sees an inbound partition's messages in offset
 *       order, which its resume cursor relies on. Deliveries that had already succeeded go out twice, which
 *       gateways and clients absorb (the cursor, or the message id); nothing is skipped.
 * </ol>
 * The rewind goes to the batches' own first offsets rather than asking the broker for the committed ones: every
 * earlier batch was acknowledged, so this is exact, needs no round trip, and cannot itself fail.
 *
 * <p>Offsets of what is done are committed asynchronously at most every {@link #COMMIT_INTERVAL_MS} (a crash replays
 * at most that much more), synchronously on revoke (after flushing, for the revoked partitions) and on close. Never
 * for lost partitions: their new owner redelivers from the last commit.
 */
final class InboundRouter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(InboundRouter.class);
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
  /** Poll timeout while batches are in flight: their outcome is looked at after each poll. */
  private static final Duration IN_FLIGHT_POLL_TIMEOUT = Duration.ofMillis(20);
  /** Batches routed but unacknowledged before the thread waits for them: bounds what a failure sends again. */
  static final int MAX_IN_FLIGHT_BATCHES = 8;
  /** How often offsets of what is done are committed, at most. */
  static final long COMMIT_INTERVAL_MS = 100;

  private final RouterConfig config;
  private final String topic;
  private final Fanout fanout;
  private final Clock clock;
  private final dev.weft.common.kafka.RetryBackoff backoff;
  private final KafkaConsumer<String, byte[]> consumer;
  private HaltingProducer producer; // owner thread only (replaced after each failure, which halts it)
  private final AvroSerde<InboundMessage> inboundSerde = AvroSerde.inboundMessage();
  private final AvroSerde<Delivery> deliverySerde = AvroSerde.delivery();
  /** Reused for every delivery: it is encoded to bytes before send() returns. Owner thread only. */
  private final Delivery delivery = new Delivery();
  /** Next offsets of what is routed and acknowledged. Owner thread only (rebalance callbacks run inside poll). */
  private final Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
  /** True while {@link #done} holds offsets not committed yet (or whose commit failed). Owner thread only. */
  private boolean commitNeeded;
  private long lastCommitMs;
  private final RoutedBatches inFlight = new RoutedBatches();
  /** The batch being routed: every send of it reports to it. Owner thread only. */
  private RoutedBatches.Batch current;
  private final DeadLetters deadLetters;
  private final Thread thread;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean closeCalled = new AtomicBoolean();
  private volatile boolean closed;
  private long routed;
  private final io.micrometer.core.instrument.Counter routedCounter;
  private final io.micrometer.core.instrument.Counter pushCounter;
  private long skipped;

  /** Assigned partitions being routed (their groups loaded). Owner thread writes; a gauge reads its size. */
  private final java.util.Set<TopicPartition> routing = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final SessionBarrier sessionBarrier;
  private final GroupMembership membership;
  private final GroupDirectory groups;
  /**
   * Assigned partitions paused until their groups are loaded, with when each was assigned (nanos). Owner thread only;
   * a gauge reads its size.
   */
  private final Map<TopicPartition, Long> awaitingGroups = new java.util.concurrent.ConcurrentHashMap<>();
  private final String groupsTopic;
  private final AvroSerde<GroupSnapshot> snapshotSerde = AvroSerde.groupSnapshot();
  private final AvroSerde<dev.weft.schemas.Metadata> metadataSerde = AvroSerde.metadata();
  private final AvroSerde<PushNotice> pushSerde = AvroSerde.pushNotice();
  private final dev.weft.common.PushSettings push;
  private final String pushTopic;
  private final String metadataTopic;

  InboundRouter(RouterConfig config, SessionTable table, Clock clock, SessionTableReader sessions, GroupDirectory groups,
      DeadLetters deadLetters, io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry) {
    this.deadLetters = deadLetters;
    this.routedCounter = io.micrometer.core.instrument.Counter.builder("weft.router.messages.routed")
        .description("inbound records (messages and group events) routed").register(registry);
    this.pushCounter = io.micrometer.core.instrument.Counter.builder("weft.router.push.notices").tag("reason", "offline")
        .description("push notices written for recipients with no session when routed").register(registry);
    this.sessionBarrier = new SessionBarrier(sessions, config.kafka().topics().sessions(), () -> closed);
    this.groups = groups;
    this.membership = new GroupMembership(groups);
    this.groupsTopic = config.kafka().topics().groups();
    this.metadataTopic = config.kafka().topics().metadata();
    this.push = config.push();
    this.pushTopic = config.kafka().topics().push();
    this.config = config;
    this.topic = config.kafka().topics().inbound();
    this.fanout = new Fanout(table, config.kafka().topics());
    this.clock = clock;
    this.backoff = new dev.weft.common.kafka.RetryBackoff(config.retryBackoffMin(), config.retryBackoffMax());
    this.consumer = new KafkaConsumer<>(consumerProps(config));
    dev.weft.common.ops.Metrics.bind(registry, consumer); // records lag, fetch rates
    io.micrometer.core.instrument.Gauge.builder("weft.router.partitions", () -> routing.size())
        .tag("state", "routing").description("inbound partitions assigned here, by state").register(registry);
    io.micrometer.core.instrument.Gauge.builder("weft.router.partitions", awaitingGroups::size)
        .tag("state", "loading").description("inbound partitions assigned here, by state").register(registry);
    io.micrometer.core.instrument.Gauge.builder("weft.router.groups", groups::size)
        .description("groups held here: those of the inbound partitions assigned to this router").register(registry);
    this.producer = newProducer();
    this.thread = new NamedThreads("weft-router-inbound").newThread(this::run);
  }

  private static Properties consumerProps(RouterConfig config) {
    Properties p = KafkaClientProps.messagePathConsumer(config.kafka(), "weft-router-" + config.routerId() + "-inbound", config.group());
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
    // Incremental rebalancing: a router joining or leaving does not stop every other router's partitions.
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    return p;
  }

  private HaltingProducer newProducer() {
    KafkaSettings kafka = config.kafka();
    Properties p = KafkaClientProps.producer(kafka, "weft-router-" + config.routerId() + "-deliveries");
    // send() blocks while it fetches a new delivery topic's metadata; bound that by the send timeout rather than
    // the client default of 60 s, so a missing topic turns into a retried batch, not a minute-long stall.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, kafka.sendTimeoutMs());
    // One request in flight per broker: when a send fails, nothing younger has been sent yet, so halting the producer
    // (HaltingProducer) keeps it from being written. With 5, a request behind a refused one was taken by the broker
    // first (DeliveryOrderAfterFailureTest failed 4 runs in 5). What it costs is in docs/performance.md.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return new HaltingProducer(p);
  }

  void start() {
    thread.start();
  }

  private void run() {
    try {
      consumer.subscribe(List.of(topic), new CommitOnRevoke());
      log.info("routing {} in group {}", topic, config.group());
      while (!closed) {
        try {
          resumeLoaded();
          ConsumerRecords<String, byte[]> records = consumer.poll(inFlight.isEmpty() && awaitingGroups.isEmpty()
              ? POLL_TIMEOUT : IN_FLIGHT_POLL_TIMEOUT);
          if (!records.isEmpty()) {
            routeBatch(records);
          }
          settleInFlight();
          maybeCommit();
        } catch (WakeupException e) {
          // close() woke the consumer up: the loop condition decides
        } catch (RuntimeException e) {
          // Consumer-side trouble (poll, commit): nothing routed is lost, `done` keeps what awaits a commit.
          long delay = backoff.nextDelayMs();
          log.error("routing loop failed ({}); attempt {}, next try at {} (in {} ms)",
              e.toString(), backoff.failures(), clock.instant().plusMillis(delay), delay, e);
          pause(delay);
        }
      }
    } catch (Throwable t) {
      log.error("routing stopped by an unexpected error; this router no longer routes", t);
    } finally {
      shutdown();
      stopped.countDown();
    }
  }

  /**
   * Routes one poll's records, waits for every send, then commits; on a failure that retrying may cure (Kafka
   * unavailable, a timeout) rewinds instead. A record that can never be routed (undecodable, or making a record
   * larger than Kafka takes) goes to the dead-letter topic and the rest of the batch carries on: one record never
   * stalls its partition, nor sends the batch's other deliveries again.
   */
  private void routeBatch(ConsumerRecords<String, byte[]> records) {
    if (producer.halted()) {
      // A send of an earlier batch failed: nothing younger may be written ahead of it. Read these again after the rewind.
      rewindTo(records);
      return;
    }
    try {
      sessionBarrier.await(consumer);
    } catch (RuntimeException e) {
      // The records are polled but not in flight yet: without going back to them, the next poll starts after them and
      // they are never routed (the fault run's leader-broker-kill found that: acked, stored, never delivered).
      rewindTo(records);
      throw e;
    }
    RoutedBatches.Batch batch = new RoutedBatches.Batch(records);
    inFlight.add(batch);
    current = batch;
    try {
      for (ConsumerRecord<String, byte[]> r : records) {
        if (batch.failure() != null) {
          break; // already failed: the rest would be rewound anyway
        }
        try {
          route(r);
        } catch (Poison p) {
          deadLetters.write(r, p.reason, p.getMessage());
        }
      }
    } catch (RuntimeException e) {
      // send() refused synchronously, or the dead-letter topic did not take a record: the batch is retried, and nothing
      // routed after it may be written first
      batch.failed(e);
      producer.halt();
    } finally {
      batch.sealed();
      current = null;
    }
    if (inFlight.size() >= MAX_IN_FLIGHT_BATCHES) {
      flush();
    }
  }

  /** Seeks each partition of a polled batch back to its first record, so the next poll reads it again. */
  private void rewindTo(ConsumerRecords<String, byte[]> records) {
    java.util.Set<TopicPartition> assigned = consumer.assignment();
    for (TopicPartition tp : records.partitions()) {
      if (assigned.contains(tp)) {
        consumer.seek(tp, records.records(tp).get(0).offset());
      }
    }
  }

  /** Waits for every send in flight; a failure shows in its batch. */
  private void flush() {
    try {
      producer.flush();
    } catch (RuntimeException e) {
      log.debug("flush", e); // each send's own callback reports its outcome
    }
  }

  /** Moves acknowledged batches to done; on a failure, routes everything in flight again after a backoff. */
  private void settleInFlight() {
    int before = inFlight.size();
    Exception failure = inFlight.settle(done);
    if (inFlight.size() < before) {
      commitNeeded = true;
      if (failure == null) {
        backoff.reset();
      }
    }
    if (failure == null) {
      return;
    }
    flush(); // let every other send finish: what is rewound is then exactly what is in flight
    Map<TopicPartition, Long> points = inFlight.rewindPoints();
    int count = inFlight.records();
    inFlight.clear();
    java.util.Set<TopicPartition> assigned = consumer.assignment();
    points.forEach((tp, offset) -> {
      if (assigned.contains(tp)) {
        consumer.seek(tp, offset);
      }
    });
    retryLater(count, failure);
  }

  private void send(ProducerRecord<String, byte[]> record) {
    current.sending();
    producer.send(record, current.callback);
  }

  private static final Callback IGNORED = (metadata, e) -> {};

  /** Thrown by {@link #route} for a record that can never be routed. */
  private static final class Poison extends RuntimeException {
    final String reason;

    Poison(String reason, String message, Throwable cause) {
      super(message, cause, false, false);
      this.reason = reason;
    }
  }

  private void route(ConsumerRecord<String, byte[]> r) {
    InboundMessage m;
    GroupMembership.Decision decision;
    try {
      m = inboundSerde.decode(r.value());
    } catch (RuntimeException e) {
      skipped++;
      throw new Poison(DeadLetters.UNDECODABLE, String.valueOf(e.getMessage()), e);
    }
    try {
      decision = membership.decide(m, r.offset());
    } catch (RuntimeException e) {
      // The rules are pure functions of the record and the group: the same record fails the same way every time.
      throw new Poison(DeadLetters.FAILED, "deciding its recipients failed: " + e, e);
    }
    // Everything the record makes is encoded and measured before any of it is sent: a record that cannot fit is
    // dead-lettered whole, never half routed.
    byte[] snapshot = decision.snapshot() == null ? null : measured(snapshotSerde.encode(decision.snapshot().toSnapshot()), "group snapshot");
    List<Fanout.Bucket> buckets = fanout.group(decision.recipients(), m.getFrom(), m.getFromSession());
    List<byte[]> deliveries = new java.util.ArrayList<>(buckets.size());
    if (!buckets.isEmpty()) {
      Delivery d = delivery;
      d.setConv(m.getConv());
      d.setSeq(r.offset()); // the sequence number is the inbound offset
      d.setId(m.getId());
      d.setFrom(m.getFrom());
      d.setFromSession(m.getFromSession());
      d.setTs(m.getTs());
      d.setText(m.getText());
      d.setEvent(m.getEvent());
      d.setPartition(r.partition());
      d.setReplyTo(m.getReplyTo());
      d.setAttachments(m.getAttachments());
      d.setAction(m.getAction());
      d.setBlock(m.getBlock());
      for (int i = 0, n = buckets.size(); i < n; i++) {
        d.setRecipients(buckets.get(i).recipients);
        deliveries.add(measured(deliverySerde.encode(d), "delivery"));
      }
    }
    if (snapshot != null) {
      storeSnapshot(m.getConv(), snapshot);
      membership.applied(decision.snapshot());
    }
    if (decision != GroupMembership.Decision.DROP && m.getBlock() == null) {
      // Written like the deliveries: acknowledged before the batch is committed. Not for blocks: who blocks whom is
      // the pair's business, not analytics'.
      send(new ProducerRecord<>(metadataTopic, m.getConv(),
          metadataSerde.encode(MetadataRecords.of(m, r.offset(), decision.recipients().size()))));
    }
    routed++;
    routedCounter.increment();
    // Keyed by the inbound partition, not the conversation: a gateway's resume filter relies on seeing each inbound
    // partition's messages in offset order, whatever the delivery topic's partition count.
    String key = Integer.toString(r.partition());
    for (int i = 0, n = buckets.size(); i < n; i++) {
      send(new ProducerRecord<>(buckets.get(i).topic, key, deliveries.get(i)));
    }
    if (push.enabled() && m.getEvent() == null && m.getAction() == null && m.getBlock() == null
        && decision != GroupMembership.Decision.DROP) {
      // Members with no session: the persister has the message for their catch-up; their push worker may wake them.
      List<String> offline = fanout.offline();
      for (int i = 0, n = offline.size(); i < n; i++) {
        PushNotice notice = PushNotice.newBuilder().setRecipient(offline.get(i)).setConv(m.getConv()).setId(m.getId())
            .setSeq(r.offset()).setFrom(m.getFrom()).setTs(m.getTs()).setReason(PushReason.OFFLINE)
            .setPreview(push.preview(m.getText())).build();
        send(new ProducerRecord<>(pushTopic, offline.get(i), pushSerde.encode(notice)));
      }
      pushCounter.increment(offline.size());
    }
  }

  /**
   * The value, when a record holding it fits the producer's request limit; else the inbound record is poison. The
   * producer would refuse it too, but only in a callback that cannot say whose record it was; and a broker that
   * refuses a record (a topic's max.message.bytes) is a configuration to fix, retried, not a record to drop.
   */
  private static byte[] measured(byte[] value, String what) {
    if (value.length > KafkaClientProps.MAX_VALUE_BYTES) {
      throw new Poison(DeadLetters.TOO_LARGE, "its " + what + " would be " + value.length + " bytes, over the "
          + KafkaClientProps.MAX_VALUE_BYTES + " a record may hold", null);
    }
    return value;
  }

  /**
   * Stores a group's snapshot before its event is delivered: a gateway that pushes the event first reads the groups
   * topic up to its end, so a member who saw "added" is never refused, nor a removed one accepted, for want of it.
   */
  private void storeSnapshot(String conv, byte[] snapshot) {
    try {
      producer.send(new ProducerRecord<>(groupsTopic, conv, snapshot), IGNORED).get(config.kafka().sendTimeoutMs(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while storing a group snapshot", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("could not store the snapshot of " + conv + ": " + e.getCause(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("could not store the snapshot of " + conv + " within "
          + config.kafka().sendTimeoutMs() + " ms", e);
    }
  }

  private void retryLater(int count, Exception failure) {
    long delay = backoff.nextDelayMs();
    log.warn("could not deliver a batch of {} inbound records ({}); not committed, will route them again;"
            + " attempt {}, next try at {} (in {} ms)",
        count, failure.toString(), backoff.failures(), clock.instant().plusMillis(delay), delay);
    // The failure halted the producer (a failed send always does); a fresh one routes the rewound records in order.
    try {
      producer.halt();
      producer.close(Duration.ZERO);
    } catch (RuntimeException e) {
      log.debug("closing the failed producer", e);
    }
    producer = newProducer();
    pause(delay);
  }

  /**
   * Commits what is done, asynchronously, when something new is and the interval has passed. A failed commit is
   * made again by a later one (its callback runs on this thread, inside poll); offsets only ever move forward.
   */
  private void maybeCommit() {
    long now = clock.millis();
    if (!commitNeeded || done.isEmpty() || now - lastCommitMs < COMMIT_INTERVAL_MS) {
      return;
    }
    commitNeeded = false;
    lastCommitMs = now;
    consumer.commitAsync(new HashMap<>(done), (offsets, e) -> {
      if (e != null) {
        commitNeeded = true;
        if (e instanceof RebalanceInProgressException || e instanceof CommitFailedException) {
          // The group is moving partitions: the revoke callback commits them, or, if lost, the next owner redelivers.
          log.warn("commit deferred: {}", e.toString());
        } else {
          log.warn("commit failed ({}); will commit again", e.toString());
        }
      }
    });
  }

  /** Waits for what is in flight, then commits what is done: on revoke and on close. */
  private void commitDone() {
    flush();
    inFlight.settle(done); // a failed batch stays: nothing past it is committed
    if (done.isEmpty()) {
      return;
    }
    try {
      commitSync(new HashMap<>(done));
      commitNeeded = false;
    } catch (RebalanceInProgressException | CommitFailedException e) {
      log.warn("commit deferred: {}", e.toString());
    } catch (RetriableException e) {
      log.warn("commit failed ({}); will commit again after the next poll", e.toString());
    }
  }

  private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
    dev.weft.common.kafka.OffsetCommits.commitSync(consumer, offsets);
  }

  /** Resumes each partition whose groups are loaded now: from here on its records are routed. */
  private void resumeLoaded() {
    if (awaitingGroups.isEmpty()) {
      return;
    }
    java.util.List<TopicPartition> ready = new java.util.ArrayList<>();
    awaitingGroups.forEach((tp, since) -> {
      if (groups.loaded(tp.partition())) {
        ready.add(tp);
      }
    });
    if (ready.isEmpty()) {
      return;
    }
    java.util.Set<TopicPartition> assigned = consumer.assignment();
    ready.removeIf(tp -> !assigned.contains(tp));
    consumer.resume(ready);
    for (TopicPartition tp : ready) {
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - awaitingGroups.remove(tp));
      routing.add(tp);
      log.info("routing partition {}: its groups loaded in {} ms ({} groups held here)", tp.partition(), ms, groups.size());
    }
  }

  /** Stops holding the groups of partitions no longer routed here. */
  private void releaseGroups(Collection<TopicPartition> partitions) {
    partitions.forEach(tp -> {
      awaitingGroups.remove(tp);
      routing.remove(tp);
    });
    groups.release(partitions.stream().map(TopicPartition::partition).toList());
  }

  /** Runs on the owner thread, inside poll() or close(). */
  private final class CommitOnRevoke implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // What is in flight for them is finished first, so their next owner starts after it, not before.
      flush();
      inFlight.settle(done);
      inFlight.forget(partitions);
      dev.weft.common.kafka.OffsetCommits.commitRevoked(consumer, done, partitions, log, "routing");
      if (!partitions.isEmpty()) {
        releaseGroups(partitions);
        log.info("partitions revoked: {}", partitions);
      }
    }

    /**
     * Paused until their groups are loaded ({@link #resumeLoaded}): a group message routed before would find no group
     * and be dropped. The groups topic is partitioned like the inbound one, so partition n's groups are in its n.
     */
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        consumer.pause(partitions);
        long now = System.nanoTime();
        partitions.forEach(tp -> awaitingGroups.put(tp, now));
        // Woken up once they are: the poll in progress may have been given a long timeout before they were assigned.
        groups.hold(partitions.stream().map(TopicPartition::partition).toList()).whenComplete((v, e) -> consumer.wakeup());
        log.info("partitions assigned: {}; loading their groups", partitions);
      }
    }

    /** Not a revoke: another router may own them already, so commit nothing (the default would). */
    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      partitions.forEach(done::remove);
      inFlight.forget(partitions);
      releaseGroups(partitions);
      log.warn("partitions lost: {}; not committing, their new owner redelivers from the last commit", partitions);
    }
  }

  private void pause(long ms) {
    try {
      stopping.await(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Owner thread, last: commit what is done, leave the group (revoke commits the rest), close the producer. */
  private void shutdown() {
    Duration clientTimeout = config.shutdownTimeout().dividedBy(3);
    try {
      commitDone();
    } catch (RuntimeException e) {
      log.warn("final commit failed: {}", e.toString());
    }
    try {
      consumer.close(CloseOptions.timeout(clientTimeout));
    } catch (RuntimeException e) {
      log.warn("closing the inbound consumer: {}", e.toString());
    }
    try {
      producer.close(clientTimeout);
    } catch (RuntimeException e) {
      log.warn("closing the delivery producer: {}", e.toString());
    }
    log.info("routing stopped: {} messages routed, {} undecodable records dead-lettered", routed, skipped);
  }

  /** Stops routing: finishes the batch in hand, commits, leaves the group. Idempotent; waits at most the deadline. */
  @Override
  public void close() {
    if (closeCalled.compareAndSet(false, true)) {
      closed = true;
      stopping.countDown(); // cuts a backoff wait short
      if (thread.getState() == Thread.State.NEW) {
        shutdown(); // never started: nothing else will release the clients
        stopped.countDown();
        return;
      }
      consumer.wakeup(); // cuts a poll short; a commit it interrupts is made again (see commitSync)
    }
    awaitStopped();
  }

  private void awaitStopped() {
    try {
      if (!stopped.await(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        log.error("routing did not stop within {}; giving up on it", config.shutdownTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }


  /** Inbound partitions routed now: assigned here, their groups loaded. Any thread. */
  java.util.Set<Integer> routedPartitions() {
    java.util.Set<Integer> out = new java.util.TreeSet<>();
    routing.forEach(tp -> out.add(tp.partition()));
    return out;
  }

  /** True while the routing thread runs. */
  boolean running() {
    return thread.isAlive() && !closed && groups.failure() == null;
  }
}
