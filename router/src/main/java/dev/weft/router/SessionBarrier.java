package dev.weft.router;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a batch is routed, waits until the session table holds every session announced before the
 * batch was read. (Groups need no such wait: a router loads a partition's groups before it routes the partition, and
 * is their only writer while it holds it.) A session announced before a record was appended is then always routed to: a client
 * that got its welcome gets every later message and receipt live, however far the table's own reader
 * lagged. One ListOffsets request per batch, made with the routing thread's own consumer; bounded, so a
 * stuck reader delays but never stops routing, and a broker that does not answer it turns the barrier off for a
 * few seconds rather than failing every batch. One routing thread only.
 */
final class SessionBarrier {

  private static final Logger log = LoggerFactory.getLogger(SessionBarrier.class);
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration SKIP_AFTER_TIMEOUT = Duration.ofSeconds(10);

  private final SessionTableReader sessions;
  private final String topic;
  private final BooleanSupplier closed;
  private List<TopicPartition> partitions;
  /** Routing thread only: until when the barrier is skipped after its broker did not answer. */
  private long skipUntil = System.nanoTime();

  SessionBarrier(SessionTableReader sessions, String sessionsTopic, BooleanSupplier closed) {
    this.sessions = sessions;
    this.topic = sessionsTopic;
    this.closed = closed;
  }

  void await(Consumer<?, ?> consumer) {
    if (System.nanoTime() - skipUntil < 0) {
      return;
    }
    try {
      awaitOrThrow(consumer);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      // A hung broker leading one of these partitions answers nothing: without this, every batch waited out the
      // timeout and then failed, and routing stopped for as long as the broker hung (the fault run's broker-pause).
      skipUntil = System.nanoTime() + SKIP_AFTER_TIMEOUT.toNanos();
      log.warn("could not read the end offsets of {} within {} ({}); routing without waiting for them for the next {}",
          partitions == null ? topic : partitions, WAIT, e.getMessage(), SKIP_AFTER_TIMEOUT);
    }
  }

  private void awaitOrThrow(Consumer<?, ?> consumer) {
    if (partitions == null) {
      partitions = consumer.partitionsFor(topic, WAIT).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, WAIT);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!sessions.caughtUpTo(ends) && !closed.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        log.warn("the session table is more than {} behind; routing anyway", WAIT);
        return;
      }
      LockSupport.parkNanos(2_000_000);
    }
  }
}
