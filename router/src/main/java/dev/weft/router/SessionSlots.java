package dev.weft.router;

import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Session id → a non-zero {@code int}, packed: an id that is a canonical UUID (what gateways make) is kept as its two
 * longs beside its value, 20 bytes a slot, open addressing with linear probing, deleted by shifting back, in pages
 * ({@link LongPages}, {@link IntPages}). Any other id (rare) is kept in a plain map, as it came. Grows by a quarter
 * when 85% full, so its load stays between 68% and 85%. What the value means is the {@link SessionTable}'s business.
 *
 * <p>One writer. {@link #find} reads plain arrays and may see a writer's change half made: the caller validates an
 * optimistic read and tries again under a lock. It never loops forever on a torn state.
 */
final class SessionSlots {

  private static final double MAX_LOAD = 0.85;
  /** What {@link #find} returns for an unknown session; no value is 0. */
  static final int ABSENT = 0;

  /** The columns of each slot. Replaced whole on a resize. */
  private static final class Slots {
    final LongPages his;
    final LongPages los;
    /** 0 is an empty slot. */
    final IntPages values;

    Slots(int capacity) {
      his = new LongPages(capacity);
      los = new LongPages(capacity);
      values = new IntPages(capacity);
    }
  }

  private Slots slots = new Slots(16);
  private int packed;
  private final Map<String, Integer> others = new java.util.concurrent.ConcurrentHashMap<>();

  /** The session's value, or {@link #ABSENT}. Reader-safe. */
  int find(String session) {
    if (!SessionIds.canonical(session)) {
      Integer v = others.get(session);
      return v == null ? ABSENT : v;
    }
    long hi = SessionIds.high(session);
    long lo = SessionIds.low(session);
    Slots s = slots;
    int cap = s.values.length();
    for (int i = home(hi, lo, cap), probes = 0; probes < cap; i = i + 1 == cap ? 0 : i + 1, probes++) {
      int value = s.values.get(i);
      if (value == ABSENT) {
        return ABSENT;
      }
      if (s.his.get(i) == hi && s.los.get(i) == lo) {
        return value;
      }
    }
    return ABSENT;
  }

  int size() {
    return packed + others.size();
  }

  /** Adds or replaces the session's value, which is not {@link #ABSENT}. Writer only. */
  void put(String session, int value) {
    if (value == ABSENT) {
      throw new IllegalArgumentException("a session's value cannot be " + ABSENT);
    }
    if (!SessionIds.canonical(session)) {
      others.put(session, value);
      return;
    }
    long hi = SessionIds.high(session);
    long lo = SessionIds.low(session);
    Slots s = slots;
    int cap = s.values.length();
    int i = home(hi, lo, cap);
    while (s.values.get(i) != ABSENT) {
      if (s.his.get(i) == hi && s.los.get(i) == lo) {
        s.values.set(i, value);
        return;
      }
      i = i + 1 == cap ? 0 : i + 1;
    }
    if (packed + 1 > cap * MAX_LOAD) {
      resize(cap + cap / 4);
      put(session, value);
      return;
    }
    s.his.set(i, hi);
    s.los.set(i, lo);
    s.values.set(i, value); // last: the slot is taken once it is whole
    packed++;
  }

  /** Removes the session; returns its value, or {@link #ABSENT}. Writer only. */
  int remove(String session) {
    if (!SessionIds.canonical(session)) {
      Integer v = others.remove(session);
      return v == null ? ABSENT : v;
    }
    long hi = SessionIds.high(session);
    long lo = SessionIds.low(session);
    Slots s = slots;
    int cap = s.values.length();
    int i = home(hi, lo, cap);
    while (s.values.get(i) != ABSENT && !(s.his.get(i) == hi && s.los.get(i) == lo)) {
      i = i + 1 == cap ? 0 : i + 1;
    }
    int result = s.values.get(i);
    if (result == ABSENT) {
      return ABSENT;
    }
    int hole = i;
    for (int j = hole + 1 == cap ? 0 : hole + 1; s.values.get(j) != ABSENT; j = j + 1 == cap ? 0 : j + 1) {
      int h = home(s.his.get(j), s.los.get(j), cap);
      // j moves into the hole unless its home lies cyclically in (hole, j]: lookups need no tombstones
      boolean stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
      if (!stays) {
        s.his.set(hole, s.his.get(j));
        s.los.set(hole, s.los.get(j));
        s.values.set(hole, s.values.get(j));
        hole = j;
      }
    }
    s.values.set(hole, ABSENT);
    packed--;
    return result;
  }

  /** The ids, as they came, of the sessions whose value passes the test. A scan. Writer only. */
  java.util.List<String> idsWhere(IntPredicate test) {
    java.util.List<String> out = new java.util.ArrayList<>();
    Slots s = slots;
    for (int i = 0; i < s.values.length(); i++) {
      int value = s.values.get(i);
      if (value != ABSENT && test.test(value)) {
        out.add(new java.util.UUID(s.his.get(i), s.los.get(i)).toString());
      }
    }
    others.forEach((id, v) -> {
      if (test.test(v)) {
        out.add(id);
      }
    });
    return out;
  }

  private void resize(int capacity) {
    Slots old = slots;
    Slots s = new Slots(capacity);
    for (int i = 0; i < old.values.length(); i++) {
      int value = old.values.get(i);
      if (value != ABSENT) {
        int j = home(old.his.get(i), old.los.get(i), capacity);
        while (s.values.get(j) != ABSENT) {
          j = j + 1 == capacity ? 0 : j + 1;
        }
        s.his.set(j, old.his.get(i));
        s.los.set(j, old.los.get(i));
        s.values.set(j, value);
      }
    }
    slots = s;
  }

  private static int home(long hi, long lo, int cap) {
    long x = hi ^ lo;
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    return (int) (((x & 0xffffffffL) * cap) >>> 32);
  }
}
