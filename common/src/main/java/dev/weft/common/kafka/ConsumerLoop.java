package dev.weft.common.kafka;

import dev.weft.common.NamedThreads;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
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
 * A group consumer's loop, written once: one owner thread polls, hands each poll's records to the {@link Work}, and
 * commits them once the work returns. What the work or Kafka throws is sorted ({@link KafkaErrors#isFatal}):
 * <ul>
 *   <li><b>retriable</b>: the batch's partitions are sought back to its first records (exact, local, cannot fail),
 *       and it is handed over again after a capped, jittered backoff, counted in {@code weft.consumer.retries};
 *   <li><b>fatal</b>: the loop stops with an error that says what happened, {@link #running()} turns false (the
 *       service's liveness probe reads it) and {@code onFatal} hears of it.
 * </ul>
 * Offsets are committed after the work, synchronously or not ({@link Settings#waitForCommit}); on revocation, for the
 * revoked partitions, synchronously; on close. Never for lost partitions: their new owner starts from the last
 * commit. A commit that {@link #close()} interrupts is made again, so the last batch is not read twice.
 *
 * <p>What it reads is a {@link Source}: topics in a consumer group (committed, as above), or every partition of one
 * topic from its end, assigned and never committed ({@link Source#tail}), for a topic that is the process's alone and
 * whose past is stale.
 */
public final class ConsumerLoop implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);
  private static final Duration POSITION_TIMEOUT = Duration.ofSeconds(30);

  /** A loop's business logic: one poll's records. Returns once they are done; throws to have them again. */
  @FunctionalInterface
  public interface Work {
    /**
     * @param consumer for metadata only (end offsets, partitions): the loop alone polls, seeks and commits
     */
    void handle(ConsumerRecords<String, byte[]> records, org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer)
        throws Exception;
  }

  /** What a loop reads. */
  public sealed interface Source permits Group, Tail {
    /** These topics, in the consumer's group; offsets committed as the class says; {@code rebalance} hears of moves. */
    static Source group(Collection<String> topics, Rebalance rebalance) {
      return new Group(List.copyOf(topics), rebalance);
    }

    /**
     * Every partition of {@code topic}, assigned (no group), from the end it has when the loop starts: nothing
     * written before is read, nothing is committed. {@link #awaitPositioned} returns once that end is fixed.
     */
    static Source tail(String topic) {
      return new Tail(topic);
    }
  }

  record Group(List<String> topics, Rebalance rebalance) implements Source {}

  record Tail(String topic) implements Source {}

  /**
   * Told of partitions moving, on the owner thread, inside poll: after the loop committed what was done of the revoked
   * ones (nothing of lost ones). A throw is logged; the move goes on.
   */
  public interface Rebalance {
    Rebalance NONE = new Rebalance() { };

    default void assigned(Collection<TopicPartition> partitions) {}

    /** Revoked or lost: no longer this member's. */
    default void gone(Collection<TopicPartition> partitions) {}
  }

  /**
   * @param name names the thread ({@code weft-<name>}), the logs and the retry metric's {@code loop} tag
   * @param waitForCommit true: each batch's commit is made before the next poll (a crash replays nothing done);
   *     false: committed asynchronously (a crash may replay the last batches; for work that is ephemeral anyway)
   */
  public record Settings(String name, Duration pollTimeout, Duration backoffMin, Duration backoffMax,
      Duration closeTimeout, boolean waitForCommit) {}

  private final Settings settings;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Source source;
  private final Work work;
  private final Consumer<Throwable> onFatal;
  private final RetryBackoff backoff;
  private final Counter retries;
  private final Thread thread;
  /** Offsets of work done and not committed yet. Owner thread only (rebalance callbacks run inside poll). */
  private final Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CountDownLatch positioned = new CountDownLatch(1);
  private final AtomicBoolean closeCalled = new AtomicBoolean();
  private volatile boolean closed;
  private volatile Throwable fatal;
  /** True from a failed poll or batch until the next one succeeds. */
  private volatile boolean failing;

  /** A loop over {@code topics} in the consumer's group, with no rebalance listener of its own. */
  public ConsumerLoop(Settings settings, KafkaConsumer<String, byte[]> consumer, Collection<String> topics, Work work,
      MeterRegistry registry, Consumer<Throwable> onFatal) {
    this(settings, consumer, Source.group(topics, Rebalance.NONE), work, registry, onFatal);
  }

  public ConsumerLoop(Settings settings, KafkaConsumer<String, byte[]> consumer, Source source, Work work,
      MeterRegistry registry, Consumer<Throwable> onFatal) {
    this.settings = settings;
    this.consumer = consumer;
    this.source = source;
    this.work = work;
    this.onFatal = onFatal;
    this.backoff = new RetryBackoff(settings.backoffMin(), settings.backoffMax());
    this.retries = Counter.builder("weft.consumer.retries").tag("loop", settings.name())
        .description("batches or polls that failed and were tried again after a backoff").register(registry);
    this.thread = new NamedThreads("weft-" + settings.name()).newThread(this::run);
  }

  public void start() {
    thread.start();
  }

  /** False once the loop has stopped: closed, or a fatal error. */
  public boolean running() {
    return thread.isAlive() && !closed && fatal == null;
  }

  /** Running, and its last poll and batch succeeded (not backing off after a failure): for a readiness probe. */
  public boolean healthy() {
    return running() && !failing;
  }

  /**
   * For a {@link Source#tail} loop: waits until each partition's starting end is fixed, so nothing written after this
   * returns is skipped.
   *
   * @throws IllegalStateException when that takes longer than the timeout, or the loop stopped first
   */
  public void awaitPositioned(Duration timeout) {
    try {
      if (!positioned.await(timeout.toMillis(), TimeUnit.MILLISECONDS) || fatal != null) {
        throw new IllegalStateException(settings.name() + " could not position on " + source + " within " + timeout
            + (fatal == null ? "" : ": " + fatal));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Publishes the consumer's own metrics (records lag, fetch rates) to the registry. */
  public void bindClientMetrics(io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry) {
    dev.weft.common.ops.Metrics.bind(registry, consumer);
  }

  /** The error that stopped the loop, or null. */
  public Throwable fatalError() {
    return fatal;
  }

  private void run() {
    try {
      boolean commits = open();
      while (!closed) {
        ConsumerRecords<String, byte[]> records = ConsumerRecords.empty();
        try {
          records = consumer.poll(settings.pollTimeout());
          if (!records.isEmpty()) {
            work.handle(records, consumer);
            if (commits) {
              done.putAll(records.nextOffsets());
              commit();
            }
          }
          backoff.reset();
          failing = false;
        } catch (WakeupException e) {
          // close() woke the consumer up: the loop condition decides
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (Exception | Error e) {
          if (KafkaErrors.isFatal(e)) {
            stopFatally(e);
            return;
          }
          retryLater(records, e);
        }
      }
    } catch (WakeupException e) {
      // closed while positioning
    } catch (RuntimeException | Error e) {
      stopFatally(e); // subscribe or positioning refused, or a bug in a callback
    } finally {
      positioned.countDown();
      shutdown();
      stopped.countDown();
    }
  }

  /** Subscribes, or assigns and positions a tail; returns whether offsets are committed. */
  private boolean open() {
    if (source instanceof Group g) {
      consumer.subscribe(g.topics(), new CommitOnRevoke(g.rebalance()));
      positioned.countDown();
      return true;
    }
    String topic = ((Tail) source).topic();
    List<TopicPartition> partitions = consumer.partitionsFor(topic, POSITION_TIMEOUT).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    if (partitions.isEmpty()) {
      // Assigned nothing, every poll would throw and be retried for ever: say what is missing instead.
      throw new IllegalStateException("topic " + topic + " has no partitions (does it exist?)");
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // fix the end now: nothing written after start is skipped
    positioned.countDown();
    return false;
  }

  private void retryLater(ConsumerRecords<String, byte[]> records, Throwable e) {
    Set<TopicPartition> assigned = consumer.assignment();
    for (TopicPartition tp : records.partitions()) {
      if (assigned.contains(tp)) {
        consumer.seek(tp, records.records(tp).get(0).offset());
      }
    }
    retries.increment();
    failing = true;
    long delay = backoff.nextDelayMs();
    log.warn("{}: {} failed ({}); attempt {}, trying again in {} ms", settings.name(),
        records.isEmpty() ? "polling" : "a batch of " + records.count() + " records", e.toString(), backoff.failures(),
        delay, e);
    try {
      stopping.await(delay, TimeUnit.MILLISECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }

  private void stopFatally(Throwable e) {
    fatal = e;
    log.error("{} stopped: {}; retrying cannot cure this (credentials, ACLs, the broker's version or a topic name):"
        + " fix it and restart the service", settings.name(), e.toString(), e);
    try {
      onFatal.accept(e);
    } catch (RuntimeException callback) {
      log.warn("{}: the fatal-error callback failed", settings.name(), callback);
    }
  }

  private void commit() {
    if (done.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(done);
    if (!settings.waitForCommit()) {
      // The offsets stay in `done` until Kafka confirms them (the callback runs on this thread, inside poll): one whose
      // commit failed is committed by the next, or by close.
      consumer.commitAsync(offsets, (o, e) -> {
        if (e == null) {
          offsets.forEach(done::remove);
        } else {
          log.debug("{}: an asynchronous commit failed ({}); the next one covers it", settings.name(), e.toString());
        }
      });
      return;
    }
    try {
      commitSync(offsets);
      offsets.keySet().forEach(tp -> done.remove(tp, offsets.get(tp)));
    } catch (RebalanceInProgressException | CommitFailedException e) {
      // The group is moving partitions: the revoke callback commits them, or, if lost, their next owner replays.
      log.warn("{}: commit deferred ({})", settings.name(), e.toString());
    } catch (KafkaException e) {
      if (KafkaErrors.isFatal(e)) {
        throw e;
      }
      // The work is done: doing it again would not help the commit. The offsets stay, and the next commit covers them.
      log.warn("{}: commit failed ({}); the next one covers it", settings.name(), e.toString());
    }
  }

  private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
    OffsetCommits.commitSync(consumer, offsets);
  }

  /** Runs on the owner thread, inside poll() or close(). */
  private final class CommitOnRevoke implements ConsumerRebalanceListener {
    private final Rebalance rebalance;

    CommitOnRevoke(Rebalance rebalance) {
      this.rebalance = rebalance;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      OffsetCommits.commitRevoked(consumer, done, partitions, log, settings.name());
      tell(() -> rebalance.gone(partitions));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      tell(() -> rebalance.assigned(partitions));
    }

    /** Not a revoke: another member may own them already, so commit nothing (the default would). */
    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      partitions.forEach(done::remove);
      log.warn("{}: partitions lost: {}; not committing, their new owner replays from the last commit",
          settings.name(), partitions);
      tell(() -> rebalance.gone(partitions));
    }

    private void tell(Runnable r) {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.warn("{}: the rebalance listener failed", settings.name(), e);
      }
    }
  }

  /** Owner thread, last: commit what is done, then leave the group. */
  private void shutdown() {
    try {
      if (!done.isEmpty()) {
        commitSync(new HashMap<>(done));
      }
    } catch (RuntimeException e) {
      log.warn("{}: final commit failed: {}", settings.name(), e.toString());
    }
    try {
      consumer.close(CloseOptions.timeout(settings.closeTimeout()));
    } catch (RuntimeException e) {
      log.warn("{}: closing the consumer: {}", settings.name(), e.toString());
    }
  }

  /** Stops: finishes the batch in hand, commits, leaves the group. Idempotent; waits at most the close timeout. */
  @Override
  public void close() {
    if (closeCalled.compareAndSet(false, true)) {
      closed = true;
      stopping.countDown();
      if (thread.getState() == Thread.State.NEW) {
        shutdown();
        stopped.countDown();
        return;
      }
      consumer.wakeup();
    }
    try {
      if (!stopped.await(settings.closeTimeout().multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS)) {
        log.error("{} did not stop within {}; giving up on it", settings.name(), settings.closeTimeout().multipliedBy(2));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
