package dev.weft.common.kafka;

import dev.weft.common.NamedThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A compacted topic read into memory, for the partitions its owner holds: written once for every such reader. One
 * thread owns the consumer (assigned, never in a group) and hands every record to the {@link Sink}. Any thread may
 * {@link #hold} partitions (read from the beginning; the future completes once each is read up to the end it had when
 * held: <em>loaded</em>) and {@link #release} them (no longer read; the sink drops what it kept of them). Held
 * partitions are followed for as long as they are held. Failures back off ({@link RetryBackoff}); one that no retry
 * cures ({@link KafkaErrors#isFatal}) stops the view and fails what waits on it.
 *
 * <p>Requests are applied in the order they were made, so a partition released then held again is dropped, then read
 * from the beginning. {@link #fresh()} requests are coalesced: one end-offsets call per iteration serves them all.
 */
public final class CompactedTopicView implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CompactedTopicView.class);
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration RETRY_MIN = Duration.ofMillis(100);
  private static final Duration RETRY_MAX = Duration.ofSeconds(5);

  /** What a view's owner keeps of the records. Called on the view's thread only, one call at a time. */
  public interface Sink {
    void apply(ConsumerRecord<String, byte[]> record);

    /** The partition is no longer held: forget what came from it. No record of it is applied after this. */
    void drop(int partition);
  }

  private final String topic;
  private final String name;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Sink sink;
  private final Thread thread;
  private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  private final Set<Integer> loaded = ConcurrentHashMap.newKeySet();
  private final Map<TopicPartition, Long> applied = new ConcurrentHashMap<>();
  private final java.util.concurrent.ConcurrentLinkedQueue<CompletableFuture<Void>> freshRequests =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> tasks = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final AtomicLong catchUpChecks = new AtomicLong();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile Throwable fatal;
  private volatile int partitionCount = -1;

  // View thread only.
  private final Set<TopicPartition> held = new HashSet<>();
  /** Held partitions not loaded yet, and the end offset each must be read up to. */
  private final Map<TopicPartition, Long> loadTargets = new HashMap<>();
  private final List<Waiting> holds = new ArrayList<>();
  private final List<Waiting> waiting = new ArrayList<>();
  private final List<CompletableFuture<Void>> asked = new ArrayList<>();
  /** A request whose application failed: applied again before any later one. */
  private Request retry;

  /**
   * A hold or release of partitions (null: every partition of the topic); a hold {@code fromEnd} reads only what is
   * written after it.
   */
  private record Request(boolean hold, boolean fromEnd, Collection<Integer> partitions, CompletableFuture<Void> done) {}

  /** Futures that complete once the given ends are applied. */
  private record Waiting(List<CompletableFuture<Void>> futures, Map<TopicPartition, Long> ends) {}

  /**
   * @param consumer assigned by this view alone; no group ({@code group.id} unset), offsets from the beginning
   * @param name names the thread ({@code weft-<name>}) and the logs
   */
  public CompactedTopicView(String topic, String name, KafkaConsumer<String, byte[]> consumer, Sink sink) {
    this.topic = topic;
    this.name = name;
    this.consumer = consumer;
    this.sink = sink;
    this.thread = new NamedThreads("weft-" + name).newThread(this::run);
  }

  public void start() {
    thread.start();
  }

  public String topic() {
    return topic;
  }

  /** Starts reading these partitions, if not held yet; completes once each is loaded (or released meanwhile). */
  public CompletableFuture<Void> hold(Collection<Integer> partitions) {
    return request(true, List.copyOf(partitions));
  }

  /** {@link #hold} every partition the topic has now. */
  public CompletableFuture<Void> holdAll() {
    return request(true, null);
  }

  /**
   * Starts the view holding every partition, and returns once what the topic held is loaded. {@code onLoaded} runs on
   * the view's thread between the last record of the load and the first after it, so an owner that treats records
   * differently once loaded (telling listeners of changes) misses none and is told of none from the load. Blocking:
   * for a service's start.
   *
   * @throws IllegalStateException when it is not loaded within the timeout, or the view stopped
   */
  public void startAll(Duration timeout, Runnable onLoaded) {
    startAll(false, timeout, onLoaded);
  }

  /**
   * Starts the view holding every partition from its end: only records written from now on are applied, for an owner
   * that learns the past elsewhere and keeps only part of what follows. Returns once every partition is positioned.
   * Blocking: for a service's start.
   *
   * @throws IllegalStateException when that takes longer than the timeout, or the view stopped
   */
  public void startFollowing(Duration timeout) {
    startAll(true, timeout, () -> { });
  }

  private void startAll(boolean fromEnd, Duration timeout, Runnable onLoaded) {
    CompletableFuture<Void> held = new CompletableFuture<>();
    CompletableFuture<Void> done = held.thenRun(onLoaded); // attached first: it runs where the hold completes
    start();
    request(true, fromEnd, null, held);
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("could not load " + topic + " within " + timeout, e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("could not load " + topic + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading " + topic, e);
    }
  }

  /** Stops reading these partitions; the sink drops what came from them. Completes once it has. */
  public CompletableFuture<Void> release(Collection<Integer> partitions) {
    return request(false, List.copyOf(partitions));
  }

  private CompletableFuture<Void> request(boolean hold, Collection<Integer> partitions) {
    return request(hold, false, partitions, new CompletableFuture<>());
  }

  private CompletableFuture<Void> request(boolean hold, boolean fromEnd, Collection<Integer> partitions,
      CompletableFuture<Void> f) {
    Throwable stopped = fatal;
    if (stopped != null || closed) {
      f.completeExceptionally(stopped != null ? stopped : new IllegalStateException(name + " is closed"));
      return f;
    }
    requests.add(new Request(hold, fromEnd, partitions, f));
    consumer.wakeup(); // a poll in progress would hold the request up for its timeout
    return f;
  }

  /**
   * Runs {@code task} on the view's thread, between two polls: for an owner that must change what the sink holds with
   * no record applied meanwhile. A task that throws is logged and forgotten; keep tasks short. Any thread.
   */
  public void execute(Runnable task) {
    tasks.add(task);
    consumer.wakeup();
  }

  private void runTasks() {
    for (Runnable t; (t = tasks.poll()) != null; ) {
      try {
        t.run();
      } catch (RuntimeException e) {
        log.warn("{}: a task failed", name, e);
      }
    }
  }

  /** True once the partition is held and read up to the end it had when it was held. Any thread. */
  public boolean loaded(int partition) {
    return loaded.contains(partition);
  }

  /** The topic's partition count, once the view has looked it up (-1 before). */
  public int partitionCount() {
    return partitionCount;
  }

  /**
   * True when every record below the given end offsets is applied, for the partitions of this topic that the view
   * holds; the others are not asked for, so they do not count. Any thread.
   */
  public boolean caughtUpTo(Map<TopicPartition, Long> ends) {
    for (var e : ends.entrySet()) {
      TopicPartition tp = e.getKey();
      Long at = tp.topic().equals(topic) ? applied.get(tp) : null;
      if (at == null) {
        continue; // not this topic's, or not held
      }
      if (!loaded.contains(tp.partition()) || (e.getValue() > 0 && at < e.getValue())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Completes once every held partition is applied up to its end as of this call: for a lookup that missed. However
   * many are asked for, the view asks the broker for the ends at most once per iteration. A caller that stops waiting
   * (a timeout) is forgotten. Any thread.
   */
  public CompletableFuture<Void> fresh() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    freshRequests.add(f);
    return f;
  }

  /** How many end-offsets calls {@link #fresh()} requests cost so far: at most one per iteration. Any thread. */
  public long catchUpChecks() {
    return catchUpChecks.get();
  }

  /** The error that stopped the view, or null. */
  public Throwable fatalError() {
    return fatal;
  }

  private void run() {
    RetryBackoff backoff = new RetryBackoff(RETRY_MIN, RETRY_MAX);
    try {
      while (!closed) {
        try {
          applyRequests();
          runTasks();
          serveFresh();
          if (held.isEmpty()) {
            // Nothing to poll (a consumer with no partitions refuses to): wait for the next request instead.
            Request next = retry == null ? requests.poll(POLL.toMillis(), TimeUnit.MILLISECONDS) : null;
            if (next != null) {
              applyOrRequeue(next);
            }
            continue;
          }
          for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
            sink.apply(r);
          }
          for (TopicPartition tp : held) {
            applied.put(tp, consumer.position(tp, METADATA_TIMEOUT));
          }
          settleLoads();
          completeSatisfied(waiting);
          backoff.reset();
        } catch (WakeupException e) {
          // a request, or closing: the loop looks
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (RuntimeException | Error e) {
          if (KafkaErrors.isFatal(e)) {
            fatal = e;
            log.error("{} stopped reading {}: {}; retrying cannot cure this: fix it and restart", name, topic, e.toString(), e);
            return;
          }
          long delay = backoff.nextDelayMs();
          if (backoff.failures() == 1) {
            log.warn("{}: reading {} failed; attempt 1, retrying in {} ms", name, topic, delay, e); // with where
          } else {
            log.warn("{}: reading {} failed: {}; attempt {}, retrying in {} ms", name, topic, e.toString(),
                backoff.failures(), delay);
          }
          stopping.await(delay, TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      failWaiting();
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.warn("{}: closing the consumer: {}", name, e.toString());
      }
    }
  }

  /** Applies queued holds and releases in order; one that fails is retried first next time. */
  private void applyRequests() {
    if (retry != null) {
      Request r = retry;
      retry = null;
      applyOrRequeue(r);
    }
    for (Request r; retry == null && (r = requests.poll()) != null; ) {
      applyOrRequeue(r);
    }
  }

  private void applyOrRequeue(Request r) {
    retry = r; // until applied: a failure below leaves it to be applied again, before any later request
    if (r.hold()) {
      applyHold(r);
    } else {
      applyRelease(r);
    }
    retry = null;
  }

  private List<TopicPartition> partitions(Collection<Integer> numbers) {
    if (numbers == null) {
      List<TopicPartition> all = consumer.partitionsFor(topic, METADATA_TIMEOUT).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      partitionCount = all.size();
      return all;
    }
    if (partitionCount < 0) {
      partitionCount = consumer.partitionsFor(topic, METADATA_TIMEOUT).size();
    }
    return numbers.stream().map(n -> new TopicPartition(topic, n)).toList();
  }

  /** Idempotent, so a hold that failed half way is applied again from the start. */
  private void applyHold(Request r) {
    List<TopicPartition> asked = partitions(r.partitions());
    List<TopicPartition> fresh = new ArrayList<>();
    for (TopicPartition tp : asked) {
      if (!held.contains(tp)) {
        fresh.add(tp);
      }
    }
    if (!fresh.isEmpty()) {
      // The ends first: the one call here that can fail (or be woken up); nothing is changed until it has answered,
      // so a hold applied again after a failure starts over rather than taking a partition for loaded.
      Map<TopicPartition, Long> ends = consumer.endOffsets(fresh, METADATA_TIMEOUT);
      Set<TopicPartition> all = new HashSet<>(held);
      all.addAll(fresh);
      consumer.assign(all);
      held.addAll(fresh);
      if (r.fromEnd()) {
        for (TopicPartition tp : fresh) {
          long end = ends.getOrDefault(tp, 0L);
          consumer.seek(tp, end);
          applied.put(tp, end);
          loadTargets.put(tp, 0L); // nothing to load: held and loaded at once
        }
        log.info("{}: following {} partitions of {} from their ends", name, fresh.size(), topic);
      } else {
        consumer.seekToBeginning(fresh);
        loadTargets.putAll(ends);
        fresh.forEach(tp -> applied.put(tp, -1L));
        log.info("{}: loading {} partitions of {}: {}", name, fresh.size(), topic,
            fresh.stream().map(TopicPartition::partition).sorted().toList());
      }
    }
    Map<TopicPartition, Long> targets = new HashMap<>();
    for (TopicPartition tp : asked) {
      targets.put(tp, loadTargets.getOrDefault(tp, 0L));
    }
    holds.add(new Waiting(new ArrayList<>(List.of(r.done())), targets));
    settleLoads();
  }

  private void applyRelease(Request r) {
    List<TopicPartition> gone = partitions(r.partitions());
    boolean changed = held.removeAll(gone);
    if (changed) {
      consumer.assign(held);
    }
    for (TopicPartition tp : gone) {
      loadTargets.remove(tp);
      applied.remove(tp);
      loaded.remove(tp.partition());
      sink.drop(tp.partition());
    }
    for (Waiting w : holds) {
      gone.forEach(w.ends()::remove); // what waits for a released partition waits for it no more
    }
    settleLoads();
    r.done().complete(null);
  }

  /** Marks partitions read up to their targets as loaded, and completes the holds all of whose partitions are. */
  private void settleLoads() {
    loadTargets.entrySet().removeIf(e -> {
      Long at = applied.get(e.getKey());
      if (e.getValue() <= 0 || (at != null && at >= e.getValue())) {
        loaded.add(e.getKey().partition());
        return true;
      }
      return false;
    });
    holds.removeIf(w -> {
      for (TopicPartition tp : w.ends().keySet()) {
        if (!loaded.contains(tp.partition())) {
          return false;
        }
      }
      w.futures().forEach(f -> f.complete(null));
      return true;
    });
  }

  private void serveFresh() {
    for (CompletableFuture<Void> f; (f = freshRequests.poll()) != null; ) {
      asked.add(f);
    }
    asked.removeIf(CompletableFuture::isDone); // given up on by the caller (timed out)
    if (asked.isEmpty()) {
      return;
    }
    if (held.isEmpty()) {
      asked.forEach(f -> f.complete(null)); // nothing held: nothing to be fresh about
      asked.clear();
      return;
    }
    // One call serves every request queued before it: the ends it reads are later than each request, which is all a
    // request needs. A storm of lookups costs one round trip per iteration, and records keep being applied meanwhile.
    catchUpChecks.incrementAndGet();
    Map<TopicPartition, Long> ends = consumer.endOffsets(held, METADATA_TIMEOUT);
    waiting.add(new Waiting(new ArrayList<>(asked), new HashMap<>(ends)));
    asked.clear(); // kept until here: a failed call leaves them for the next iteration
    completeSatisfied(waiting); // often nothing is missing: no need to wait for a poll
  }

  private void completeSatisfied(List<Waiting> list) {
    list.removeIf(w -> {
      boolean met = true;
      for (var e : w.ends().entrySet()) {
        Long at = applied.get(e.getKey());
        if (held.contains(e.getKey()) && e.getValue() > 0 && (at == null || at < e.getValue())) {
          met = false;
          break;
        }
      }
      if (met) {
        w.futures().forEach(f -> f.complete(null));
        return true;
      }
      w.futures().removeIf(CompletableFuture::isDone);
      return w.futures().isEmpty();
    });
  }

  private void failWaiting() {
    Throwable why = fatal != null ? fatal : new IllegalStateException(name + " is closed");
    asked.forEach(f -> f.completeExceptionally(why));
    waiting.forEach(w -> w.futures().forEach(f -> f.completeExceptionally(why)));
    holds.forEach(w -> w.futures().forEach(f -> f.completeExceptionally(why)));
    freshRequests.forEach(f -> f.completeExceptionally(why));
    if (retry != null) {
      retry.done().completeExceptionally(why);
    }
    requests.forEach(r -> r.done().completeExceptionally(why));
  }

  @Override
  public void close() {
    closed = true;
    stopping.countDown();
    consumer.wakeup();
    if (thread.getState() == Thread.State.NEW) {
      consumer.close(Duration.ZERO);
      return;
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
