package dev.weft.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything the clients saw, per message number: when it was first sent, its ack, its first delivery to its
 * recipient, and the ids it arrived under. The checks after a run read only this and the database.
 */
final class Ledger {

  final int capacity;
  final int[] from;
  final int[] to;
  final AtomicLongArray sentNanos;
  final AtomicLongArray deliveredNanos;
  /** The message id of the ack, once acked. */
  final AtomicReferenceArray<String> ackId;
  /** The id of the first delivery; a later delivery under another id is a duplicate a client would show. */
  final AtomicReferenceArray<String> deliveredId;
  /** 1 once refused for good (an error without retry). */
  final AtomicIntegerArray refused;
  /** 1 where a delivery came under a second id: the client, deduping by id, would show the message twice. */
  final AtomicIntegerArray shownTwice;
  /** The second id a message shown twice arrived under, for the run's duplicates.txt. */
  final AtomicReferenceArray<String> secondId;
  /** What happened to a send that was resent or refused, in order: kept only for those, to explain a duplicate. */
  private final Map<Integer, List<String>> traces = new java.util.concurrent.ConcurrentHashMap<>();
  /** 1 where the message arrived with a seq not above the last one its recipient had in that conversation. */
  final AtomicIntegerArray outOfOrder;
  /** The same id again: the client's dedupe absorbs it (counted, not a failure). */
  final LongAdder redelivered = new LongAdder();
  final LongAdder misdelivered = new LongAdder();
  /** Error frames and close codes the clients saw, with the time of each, for the fault window it falls in. */
  private final List<Event> events = new ArrayList<>();

  private record Event(long nanos, String what) {}

  Ledger(int capacity) {
    this.capacity = capacity;
    this.from = new int[capacity];
    this.to = new int[capacity];
    this.sentNanos = new AtomicLongArray(capacity);
    this.deliveredNanos = new AtomicLongArray(capacity);
    this.ackId = new AtomicReferenceArray<>(capacity);
    this.deliveredId = new AtomicReferenceArray<>(capacity);
    this.refused = new AtomicIntegerArray(capacity);
    this.shownTwice = new AtomicIntegerArray(capacity);
    this.secondId = new AtomicReferenceArray<>(capacity);
    this.outOfOrder = new AtomicIntegerArray(capacity);
  }

  void sent(int n, int sender, int recipient, long nanos) {
    from[n] = sender;
    to[n] = recipient;
    sentNanos.set(n, nanos);
  }

  void acked(int n, String id) {
    if (n >= capacity) {
      return;
    }
    ackId.compareAndSet(n, null, id);
  }

  /** A {@code msg} frame for message {@code n} reached user {@code user}, under {@code id}. */
  void delivered(int n, int user, String id, long nanos, boolean inOrder) {
    if (n >= capacity || sentNanos.get(n) == 0) {
      return;
    }
    if (!inOrder) {
      outOfOrder.set(n, 1);
    }
    if (to[n] != user) {
      misdelivered.increment();
      return;
    }
    if (deliveredId.compareAndSet(n, null, id)) {
      deliveredNanos.set(n, nanos);
    } else if (!id.equals(deliveredId.get(n))) {
      shownTwice.set(n, 1);
      secondId.compareAndSet(n, null, id);
    }
  }

  /** A user's connection history (welcomes, closes, by gateway), to explain a message it never got. */
  private final Map<Integer, List<String>> connections = new java.util.concurrent.ConcurrentHashMap<>();

  void connection(int user, long nanos, String what) {
    List<String> t = connections.computeIfAbsent(user, k -> java.util.Collections.synchronizedList(new ArrayList<>()));
    if (t.size() < 64) {
      t.add(nanos / 1_000_000 + " " + what);
    }
  }

  List<String> connections(int user) {
    return copyOf(connections.get(user));
  }

  /** One step in the life of send {@code n} (a resend, an error); the first few are kept. */
  void trace(int n, long nanos, String what) {
    if (n >= capacity) {
      return;
    }
    List<String> t = traces.computeIfAbsent(n, k -> java.util.Collections.synchronizedList(new ArrayList<>()));
    if (t.size() < 24) {
      t.add((nanos - sentNanos.get(n)) / 1_000_000 + " ms " + what);
    }
  }

  /** The steps traced for send {@code n}, oldest first. */
  List<String> trace(int n) {
    return copyOf(traces.get(n));
  }

  private static List<String> copyOf(List<String> synchronizedList) {
    if (synchronizedList == null) {
      return List.of();
    }
    synchronized (synchronizedList) {
      return List.copyOf(synchronizedList);
    }
  }

  /** An error frame's code or a close code, counted in the window of {@code nanos}. */
  void event(String what, long nanos) {
    synchronized (events) {
      events.add(new Event(nanos, what));
    }
  }

  /** The events seen in [{@code fromNanos}, {@code toNanos}), by name. */
  Map<String, Long> events(long fromNanos, long toNanos) {
    Map<String, Long> out = new TreeMap<>();
    synchronized (events) {
      for (Event e : events) {
        if (e.nanos() >= fromNanos && e.nanos() < toNanos) {
          out.merge(e.what(), 1L, Long::sum);
        }
      }
    }
    return out;
  }
}
