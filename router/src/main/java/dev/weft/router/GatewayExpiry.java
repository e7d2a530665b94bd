package dev.weft.router;

import dev.weft.common.KafkaClientProps;
import dev.weft.common.NamedThreads;
import dev.weft.common.kafka.CompactedTopicView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the sessions of every gateway not heard of within the expiry, and writes their tombstones so the compacted
 * sessions topic forgets them too (several routers may write the same ones: harmless). Messages for those users are
 * not lost: they are stored, and read back on reconnect.
 *
 * <p>Heartbeats are read from the compacted gateways topic by a {@link CompactedTopicView}; a tombstone there is a
 * gateway that stopped cleanly and retracted its own sessions. A gateway first seen through a session gets a full
 * expiry period to send its first heartbeat. The check runs a few times per expiry period on its own thread.
 *
 * <p>Silence is only believed from a reader that keeps up: a gateway is expired only once the view has read
 * everything the topic held when the gateway was already overdue (a {@link CompactedTopicView#fresh} probe). A broker
 * that hangs while leading the gateways topic stops this reader's fetches; without the probe, every router took every
 * live gateway for dead and expired all their sessions (the fault run's broker-pause).
 */
final class GatewayExpiry implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GatewayExpiry.class);

  private final SessionTable table;
  private final String sessionsTopic;
  private final long expiryNanos;
  private final dev.weft.common.KafkaSettings kafka;
  private final String clientId;
  private final Duration closeTimeout;
  private final CompactedTopicView heartbeats;
  /** When each gateway was last heard of, by this router's clock: written by the view's thread and the check's. */
  private final Map<String, Long> lastHeard = new ConcurrentHashMap<>();
  private final ScheduledExecutorService checks =
      Executors.newSingleThreadScheduledExecutor(new NamedThreads("weft-router-expiry"));
  /** Check thread only. A reading-to-the-end probe and when it was asked for; null when none is out. */
  private Probe probe;
  private boolean behindLogged;
  /** Check thread only; created when the first expired gateway leaves tombstones to write. */
  private KafkaProducer<String, byte[]> tombstones;

  private record Probe(long askedAt, CompletableFuture<Void> done) {}

  GatewayExpiry(RouterConfig config, SessionTable table) {
    this.table = table;
    this.sessionsTopic = config.kafka().topics().sessions();
    this.expiryNanos = config.gatewayExpiry().toNanos();
    this.kafka = config.kafka();
    this.clientId = "weft-router-" + config.routerId() + "-expiry";
    this.closeTimeout = config.shutdownTimeout();
    this.heartbeats = new CompactedTopicView(config.kafka().topics().gateways(), "router-heartbeats",
        new KafkaConsumer<>(KafkaClientProps.consumer(config.kafka(), "weft-router-" + config.routerId() + "-heartbeats",
            null)), new CompactedTopicView.Sink() {
          @Override
          public void apply(ConsumerRecord<String, byte[]> record) {
            heartbeat(record);
          }

          @Override
          public void drop(int partition) {
            // never released
          }
        });
  }

  /** Loads the heartbeats the topic holds, then starts checking. Blocking. */
  void start(Duration timeout) {
    heartbeats.startAll(timeout, () -> { });
    long interval = Math.min(expiryNanos / 5, TimeUnit.SECONDS.toNanos(1));
    checks.scheduleWithFixedDelay(this::checkSafely, interval, interval, TimeUnit.NANOSECONDS);
  }

  /** The view's thread. */
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

  private void checkSafely() {
    try {
      check(System.nanoTime());
    } catch (RuntimeException e) {
      log.warn("checking for silent gateways failed; trying again at the next check", e);
    }
  }

  private void check(long now) {
    List<String> overdue = new java.util.ArrayList<>();
    for (String gateway : table.gateways()) {
      // A gateway first seen through a session gets a full expiry period to send its first heartbeat.
      if (now - lastHeard.computeIfAbsent(gateway, g -> now) >= expiryNanos) {
        overdue.add(gateway);
      }
    }
    if (overdue.isEmpty()) {
      return;
    }
    if (probe == null) {
      probe = new Probe(now, heartbeats.fresh());
      return;
    }
    if (!probe.done().isDone() || probe.done().isCompletedExceptionally()) {
      if (now - probe.askedAt() > expiryNanos && !behindLogged) {
        behindLogged = true;
        log.warn("not expiring silent gateways: this router has not read {} to the end it had {} ms ago",
            heartbeats.topic(), TimeUnit.NANOSECONDS.toMillis(now - probe.askedAt()));
      }
      if (probe.done().isCompletedExceptionally()) {
        probe = null;
      }
      return;
    }
    behindLogged = false;
    long readTo = probe.askedAt();
    probe = null;
    for (String gateway : overdue) {
      Long heard = lastHeard.get(gateway);
      // Everything written up to readTo is read: silent for the whole expiry before it is silent indeed.
      if (heard != null && readTo - heard >= expiryNanos) {
        expire(gateway, heard, now);
      }
    }
  }

  private void expire(String gateway, long heard, long now) {
    List<String> expired = table.sessionsOf(gateway);
    if (tombstones == null) {
      tombstones = new KafkaProducer<>(KafkaClientProps.producer(kafka, clientId));
    }
    for (String session : expired) {
      table.remove(session);
      tombstones.send(new ProducerRecord<>(sessionsTopic, session, null));
    }
    lastHeard.remove(gateway, heard); // a heartbeat that came meanwhile stays
    log.warn("gateway {} silent for {} ms: expired its {} sessions", gateway, TimeUnit.NANOSECONDS.toMillis(now - heard),
        expired.size());
  }

  @Override
  public void close() {
    checks.shutdownNow();
    try {
      checks.awaitTermination(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (tombstones != null) {
      tombstones.close(closeTimeout.dividedBy(3));
    }
    heartbeats.close();
  }
}
