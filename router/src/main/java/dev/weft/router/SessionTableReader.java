package dev.weft.router;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.NamedThreads;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.SessionAnnouncement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link SessionTable} in step with the compacted sessions topic, from its beginning, forever.
 *
 * <p>No consumer group: every router needs every session, so the consumer assigns itself all partitions and
 * never commits. {@link #awaitLoaded} returns once the table holds everything written before the reader
 * started (the end offsets read at start), so a new router does not route against a half-loaded table.
 * One owner thread, stopped with a flag and {@link KafkaConsumer#wakeup()}.
 */
final class SessionTableReader implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SessionTableReader.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration EXPIRY_CHECK_TIMEOUT = Duration.ofSeconds(3);

  private final SessionTable table;
  private final String topic;
  /** Written by the owner thread after each poll; read by the routing thread. */
  private final java.util.concurrent.ConcurrentHashMap<TopicPartition, Long> applied = new java.util.concurrent.ConcurrentHashMap<>();
  private final String gatewaysTopic;
  private final long expiryNanos;
  private final dev.weft.common.KafkaSettings kafka;
  private final String clientId;
  /** Owner thread only. When each gateway was last heard of, by this router's clock. */
  private final Map<String, Long> lastHeard = new HashMap<>();
  /** Owner thread only; created when the first expired gateway leaves tombstones to write. */
  private org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> tombstones;
  private long lastExpiryCheck;
  /** Owner thread only: the end offsets of the gateways topic at the last expiry check. */
  private Map<TopicPartition, Long> previousGatewayEnds;
  private long previousGatewayEndsAt;
  private int behindChecks;
  private final Duration shutdownTimeout;
  private final KafkaConsumer<String, byte[]> consumer;
  private final AvroSerde<SessionAnnouncement> serde = AvroSerde.sessionAnnouncement();
  private final dev.weft.common.kafka.RetryBackoff backoff;
  private final Thread thread;
  private final CountDownLatch loaded = new CountDownLatch(1);
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean closeCalled = new AtomicBoolean();
  private volatile boolean closed;
  private volatile Exception lastError;
  /** Owner thread only. Where "loaded" is, per partition; null before assignment and once loaded. */
  private Map<TopicPartition, Long> loadTarget;
  private boolean assigned;
  private long startNanos;

  SessionTableReader(RouterConfig config, SessionTable table) {
    this.table = table;
    this.topic = config.kafka().topics().sessions();
    this.gatewaysTopic = config.kafka().topics().gateways();
    this.expiryNanos = config.gatewayExpiry().toNanos();
    this.kafka = config.kafka();
    this.clientId = "weft-router-" + config.routerId() + "-expiry";
    this.shutdownTimeout = config.shutdownTimeout();
    this.consumer = new KafkaConsumer<>(
        KafkaClientProps.consumer(config.kafka(), "weft-router-" + config.routerId() + "-sessions", null));
    this.backoff = new dev.weft.common.kafka.RetryBackoff(config.retryBackoffMin(), config.retryBackoffMax());
    this.thread = new NamedThreads("weft-router-sessions").newThread(this::run);
  }

  void start() {
    startNanos = System.nanoTime();
    thread.start();
  }

  /** True once the table holds every session written before {@link #start()}; false on timeout. */
  boolean awaitLoaded(Duration timeout) throws InterruptedException {
    return loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The last error the reader hit, for a start failure message; null if none. */
  Exception lastError() {
    return lastError;
  }

  private void run() {
    try {
      while (!closed) {
        try {
          if (!assigned) {
            assignFromBeginning();
          }
          checkLoaded();
          ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
          for (ConsumerRecord<String, byte[]> r : records) {
            apply(r);
          }
          publishPositions();
          checkLoaded();
          if (loadTarget == null) {
            expireSilentGateways();
          }
          backoff.reset();
        } catch (WakeupException e) {
          // close() woke the consumer up: the loop condition decides
        } catch (RuntimeException e) {
          lastError = e;
          long delay = backoff.nextDelayMs();
          log.warn("reading {} failed ({}); attempt {}, next try in {} ms", topic, e.toString(), backoff.failures(), delay);
          pause(delay);
        }
      }
    } catch (Throwable t) {
      log.error("session table reader stopped by an unexpected error; sessions are no longer followed", t);
    } finally {
      if (tombstones != null) {
        tombstones.close(shutdownTimeout.dividedBy(3));
      }
      try {
        consumer.close(CloseOptions.timeout(shutdownTimeout.dividedBy(3)));
      } catch (RuntimeException e) {
        log.warn("closing the sessions consumer: {}", e.toString());
      }
      stopped.countDown();
    }
  }

  /** Owner thread: where the table stands in each sessions partition, for {@link #caughtUpTo}. */
  private void publishPositions() {
    for (TopicPartition tp : consumer.assignment()) {
      if (tp.topic().equals(topic)) {
        applied.put(tp, consumer.position(tp, METADATA_TIMEOUT));
      }
    }
  }

  /** True when the table holds every sessions record below the given offsets. Any thread. */
  boolean caughtUpTo(Map<TopicPartition, Long> ends) {
    for (var e : ends.entrySet()) {
      Long at = applied.get(e.getKey());
      if (e.getValue() > 0 && (at == null || at < e.getValue())) {
        return false;
      }
    }
    return true;
  }

  private void assignFromBeginning() {
    List<TopicPartition> partitions = new java.util.ArrayList<>();
    for (String t : List.of(topic, gatewaysTopic)) {
      List<PartitionInfo> infos = consumer.partitionsFor(t, METADATA_TIMEOUT);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + t + " has no partitions (does it exist?)");
      }
      infos.forEach(p -> partitions.add(new TopicPartition(t, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    // Under read_committed these are the last stable offsets: the end of what is readable now.
    loadTarget = new HashMap<>(consumer.endOffsets(partitions, METADATA_TIMEOUT));
    assigned = true;
  }

  private void checkLoaded() {
    if (loadTarget == null) {
      return;
    }
    // position() is past compacted-away offsets and transaction markers too, so it reaches the end offset.
    loadTarget.entrySet().removeIf(e -> consumer.position(e.getKey(), METADATA_TIMEOUT) >= e.getValue());
    if (loadTarget.isEmpty()) {
      loadTarget = null;
      log.info("session table loaded from {}: {} sessions of {} users in {} ms", topic, table.sessionCount(),
          table.userCount(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
      loaded.countDown();
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    if (r.topic().equals(gatewaysTopic)) {
      heartbeat(r);
      return;
    }
    String session = r.key();
    if (session == null) {
      log.warn("skipping session record without a key at {}-{}@{}", r.topic(), r.partition(), r.offset());
      return;
    }
    SessionAnnouncement a = dev.weft.common.SessionRecords.read(r, serde, log);
    if (a == null) {
      table.remove(session); // a tombstone, or a record that cannot be read: either way the session is gone
      return;
    }
    table.put(session, a.getUser(), a.getGateway());
    // A gateway first seen through a session gets a full expiry period to send its first heartbeat.
    lastHeard.putIfAbsent(a.getGateway(), System.nanoTime());
  }

  private void heartbeat(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) {
      return;
    }
    if (r.value() == null) {
      lastHeard.remove(r.key()); // stopped cleanly; it retracted its own sessions
    } else {
      lastHeard.put(r.key(), System.nanoTime());
    }
  }

  /**
   * Drops the sessions of every gateway not heard of within the expiry, and writes their tombstones
   * so the compacted topic forgets them too (several routers may write the same ones: harmless).
   * Messages for those users are not lost: they are stored, and read back on reconnect.
   */
  private void expireSilentGateways() {
    long now = System.nanoTime();
    // The check scans the table: do it a few times per expiry period, not on every poll.
    if (now - lastExpiryCheck < expiryCheckIntervalNanos()) {
      return;
    }
    lastExpiryCheck = now;
    boolean readingChecked = false;
    for (String gateway : table.gateways()) {
      Long heard = lastHeard.get(gateway);
      if (heard == null) {
        lastHeard.put(gateway, now);
        continue;
      }
      if (now - heard < expiryNanos) {
        continue;
      }
      if (!readingChecked) {
        if (!readingGatewaysToTheEnd()) {
          return;
        }
        readingChecked = true;
      }
      List<String> expired = table.sessionsOf(gateway);
      if (tombstones == null) {
        tombstones = new org.apache.kafka.clients.producer.KafkaProducer<>(KafkaClientProps.producer(kafka, clientId));
      }
      for (String session : expired) {
        table.remove(session);
        tombstones.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, session, null));
      }
      lastHeard.remove(gateway);
      log.warn("gateway {} silent for {} ms: expired its {} sessions", gateway,
          TimeUnit.NANOSECONDS.toMillis(now - heard), expired.size());
    }
  }

  private long expiryCheckIntervalNanos() {
    return Math.min(expiryNanos / 5, TimeUnit.SECONDS.toNanos(1));
  }

  /**
   * True when this reader keeps up with {@code weft.gateways}: it has read at least up to where the topic ended at the
   * previous check (or ends now), so a gateway it has not heard of is really silent. A broker that hangs while leading
   * that topic stops this reader's fetches; without the check, every router took every live gateway for dead and
   * expired all their sessions (the fault run's broker-pause).
   */
  private boolean readingGatewaysToTheEnd() {
    List<TopicPartition> partitions = consumer.assignment().stream().filter(tp -> tp.topic().equals(gatewaysTopic)).toList();
    Map<TopicPartition, Long> ends;
    try {
      ends = consumer.endOffsets(partitions, EXPIRY_CHECK_TIMEOUT);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      log.warn("not expiring silent gateways: the end of {} cannot be read ({})", gatewaysTopic, e.getMessage());
      return false;
    }
    // The previous ends vouch for progress only if they are from the check just before, not from an incident ago.
    long now = System.nanoTime();
    boolean recent = previousGatewayEnds != null && now - previousGatewayEndsAt < 3 * expiryCheckIntervalNanos();
    Map<TopicPartition, Long> previous = recent ? previousGatewayEnds : ends;
    previousGatewayEnds = ends;
    previousGatewayEndsAt = now;
    for (TopicPartition tp : partitions) {
      long position = consumer.position(tp, EXPIRY_CHECK_TIMEOUT);
      if (position < previous.getOrDefault(tp, 0L) && position < ends.getOrDefault(tp, 0L)) {
        // Once is a heartbeat that came between a poll and this check; three times running is a reader that is stuck.
        if (++behindChecks == 3) {
          log.warn("not expiring silent gateways: this router is not keeping up with {} (at {}, the end was {})", tp,
              position, previous.get(tp));
        }
        return false;
      }
    }
    behindChecks = 0;
    return true;
  }

  private void pause(long ms) {
    try {
      stopping.await(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops following the topic. Idempotent; waits at most the shutdown timeout. */
  @Override
  public void close() {
    if (closeCalled.compareAndSet(false, true)) {
      closed = true;
      stopping.countDown();
      if (thread.getState() == Thread.State.NEW) {
        consumer.close(CloseOptions.timeout(Duration.ZERO));
        stopped.countDown();
        return;
      }
      consumer.wakeup();
    }
    try {
      if (!stopped.await(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.error("session table reader did not stop within {}; giving up on it", shutdownTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
