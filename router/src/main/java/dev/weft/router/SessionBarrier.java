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
 * batch was read. A session announced before a record was appended is then always routed to: a client
 * that got its welcome gets every later message and receipt live, however far the table's own reader
 * lagged. One ListOffsets request per batch, made with the routing thread's own consumer; bounded, so a
 * stuck reader delays but never stops routing. One routing thread only.
 */
final class SessionBarrier {

  private static final Logger log = LoggerFactory.getLogger(SessionBarrier.class);
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final SessionTableReader sessions;
  private final String topic;
  private final BooleanSupplier closed;
  private List<TopicPartition> partitions;

  SessionBarrier(SessionTableReader sessions, String sessionsTopic, BooleanSupplier closed) {
    this.sessions = sessions;
    this.topic = sessionsTopic;
    this.closed = closed;
  }

  void await(Consumer<?, ?> consumer) {
    if (partitions == null) {
      partitions = consumer.partitionsFor(topic, WAIT).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
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
