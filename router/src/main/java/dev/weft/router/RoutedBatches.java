package dev.weft.router;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.common.TopicPartition;

/**
 * Batches routed whose sends Kafka has not all acknowledged yet, oldest first. The routing thread goes on polling
 * while they are in flight instead of waiting, batch after batch, for the acknowledgements (a produce round trip)
 * and the commit (another) before it reads the next: one hop then costs one fetch, not three round trips. A batch's
 * offsets count as done only once every send of it, and of every batch before it, is acknowledged.
 *
 * <p>Routing thread only, except {@link Batch#callback}, which the producer calls on its I/O thread.
 */
final class RoutedBatches {

  /** One poll's records on their way: how many sends are unanswered, and the first error among the answers. */
  static final class Batch {
    final Map<TopicPartition, OffsetAndMetadata> next;
    final Map<TopicPartition, Long> first = new HashMap<>();
    final int records;
    /** One more than the sends in flight until {@link #sealed()}: a batch still being routed is never complete. */
    private final AtomicInteger pending = new AtomicInteger(1);
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    final Callback callback = (metadata, e) -> {
      if (e != null) {
        failure.compareAndSet(null, e);
      }
      pending.decrementAndGet();
    };

    Batch(ConsumerRecords<String, byte[]> records) {
      this.next = new HashMap<>(records.nextOffsets());
      for (TopicPartition tp : records.partitions()) {
        first.put(tp, records.records(tp).get(0).offset());
      }
      this.records = records.count();
    }

    /** Call before each send made with {@link #callback}. */
    void sending() {
      pending.incrementAndGet();
    }

    /** Every send of the batch is made. */
    void sealed() {
      pending.decrementAndGet();
    }

    /** Routing the batch failed before its sends were all made (send() refused, a dead letter not taken). */
    void failed(Exception e) {
      failure.compareAndSet(null, e);
    }

    boolean complete() {
      return pending.get() == 0;
    }

    Exception failure() {
      return failure.get();
    }
  }

  private final ArrayDeque<Batch> batches = new ArrayDeque<>();

  void add(Batch b) {
    batches.addLast(b);
  }

  int size() {
    return batches.size();
  }

  boolean isEmpty() {
    return batches.isEmpty();
  }

  /**
   * Moves the offsets of the acknowledged batches at the head into {@code done}, in order. Returns the error of the
   * first complete batch that failed (it and everything after it stay), or null.
   */
  Exception settle(Map<TopicPartition, OffsetAndMetadata> done) {
    while (!batches.isEmpty() && batches.peekFirst().complete()) {
      Batch b = batches.peekFirst();
      if (b.failure() != null) {
        return b.failure();
      }
      done.putAll(b.next);
      batches.pollFirst();
    }
    return null;
  }

  /** Where to seek to route again everything still here: per partition, the first offset of the oldest batch with it. */
  Map<TopicPartition, Long> rewindPoints() {
    Map<TopicPartition, Long> points = new LinkedHashMap<>();
    for (Batch b : batches) {
      b.first.forEach(points::putIfAbsent);
    }
    return points;
  }

  /** Records in the batches still here. */
  int records() {
    int n = 0;
    for (Batch b : batches) {
      n += b.records;
    }
    return n;
  }

  void clear() {
    batches.clear();
  }

  /** Partitions no longer ours: their offsets must never be committed from here, nor sought. */
  void forget(Collection<TopicPartition> partitions) {
    for (Batch b : batches) {
      partitions.forEach(tp -> {
        b.next.remove(tp);
        b.first.remove(tp);
      });
    }
  }
}
