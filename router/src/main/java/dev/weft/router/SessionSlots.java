package dev.weft.router;

import java.util.Map;

/**
 * Sessions by id, packed: a session id that is a canonical UUID (what gateways make) is kept as its two longs, with
 * a third holding the user's number and the gateway's ({@link UserIndex}, {@link GatewayIndex}): 24 bytes a slot,
 * open addressing with linear probing, deleted by shifting back, in pages ({@link LongPages}). Any other id (rare)
 * is kept in a plain map, as it came. Grows by half when 80% full.
 *
 * <p>One writer. {@link #find} reads plain arrays and may see a writer's change half made: the caller validates an
 * optimistic read and tries again under a lock. It never loops forever on a torn state.
 */
final class SessionSlots {

  private static final double MAX_LOAD = 0.8;
  /** What {@link #find} returns for an unknown session. */
  static final long ABSENT = -1;

  /** The three longs of each slot. Replaced whole on a resize. */
  private static final class Slots {
    final LongPages his;
    final LongPages los;
    /** (user number + 1) << 16 | gateway number; 0 is an empty slot. */
    final LongPages metas;

    Slots(int capacity) {
      his = new LongPages(capacity);
      los = new LongPages(capacity);
      metas = new LongPages(capacity);
    }
  }

  private Slots slots = new Slots(16);
  private int packed;
  private final Map<String, Long> others = new java.util.concurrent.ConcurrentHashMap<>();

  /** The session's user and gateway numbers ({@link #user}, {@link #gateway}), or {@link #ABSENT}. Reader-safe. */
  long find(String session) {
    if (!SessionIds.canonical(session)) {
      Long v = others.get(session);
      return v == null ? ABSENT : v;
    }
    long hi = SessionIds.high(session);
    long lo = SessionIds.low(session);
    Slots s = slots;
    int cap = s.metas.length();
    for (int i = home(hi, lo, cap), probes = 0; probes < cap; i = i + 1 == cap ? 0 : i + 1, probes++) {
      long meta = s.metas.get(i);
      if (meta == 0) {
        return ABSENT;
      }
      if (s.his.get(i) == hi && s.los.get(i) == lo) {
        return found(meta);
      }
    }
    return ABSENT;
  }

  static int user(long found) {
    return (int) (found >>> 16);
  }

  static int gateway(long found) {
    return (int) (found & 0xffff);
  }

  private static long pack(int user, int gateway) {
    return ((long) user << 16) | gateway;
  }

  private static long found(long meta) {
    return meta - (1L << 16); // the user number is kept plus one
  }

  int size() {
    return packed + others.size();
  }

  /** Adds or replaces the session. Writer only. */
  void put(String session, int user, int gateway) {
    if (!SessionIds.canonical(session)) {
      others.put(session, pack(user, gateway));
      return;
    }
    long hi = SessionIds.high(session);
    long lo = SessionIds.low(session);
    long meta = pack(user + 1, gateway);
    Slots s = slots;
    int cap = s.metas.length();
    int i = home(hi, lo, cap);
    while (s.metas.get(i) != 0) {
      if (s.his.get(i) == hi && s.los.get(i) == lo) {
        s.metas.set(i, meta);
        return;
      }
      i = i + 1 == cap ? 0 : i + 1;
    }
    if (packed + 1 > cap * MAX_LOAD) {
      resize(cap + cap / 2);
      put(session, user, gateway);
      return;
    }
    s.his.set(i, hi);
    s.los.set(i, lo);
    s.metas.set(i, meta); // last: the slot is taken once it is whole
    packed++;
  }

  /** Removes the session; returns what it held, or {@link #ABSENT}. Writer only. */
  long remove(String session) {
    if (!SessionIds.canonical(session)) {
      Long v = others.remove(session);
      return v == null ? ABSENT : v;
    }
    long hi = SessionIds.high(session);
    long lo = SessionIds.low(session);
    Slots s = slots;
    int cap = s.metas.length();
    int i = home(hi, lo, cap);
    while (s.metas.get(i) != 0 && !(s.his.get(i) == hi && s.los.get(i) == lo)) {
      i = i + 1 == cap ? 0 : i + 1;
    }
    if (s.metas.get(i) == 0) {
      return ABSENT;
    }
    long result = found(s.metas.get(i));
    int hole = i;
    for (int j = hole + 1 == cap ? 0 : hole + 1; s.metas.get(j) != 0; j = j + 1 == cap ? 0 : j + 1) {
      int h = home(s.his.get(j), s.los.get(j), cap);
      // j moves into the hole unless its home lies cyclically in (hole, j]: lookups need no tombstones
      boolean stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
      if (!stays) {
        s.his.set(hole, s.his.get(j));
        s.los.set(hole, s.los.get(j));
        s.metas.set(hole, s.metas.get(j));
        hole = j;
      }
    }
    s.metas.set(hole, 0);
    packed--;
    return result;
  }

  /** The ids of the sessions on a gateway, as they came. A scan. */
  java.util.List<String> onGateway(int gateway) {
    java.util.List<String> out = new java.util.ArrayList<>();
    Slots s = slots;
    for (int i = 0; i < s.metas.length(); i++) {
      long meta = s.metas.get(i);
      if (meta != 0 && gateway(meta) == gateway) {
        out.add(new java.util.UUID(s.his.get(i), s.los.get(i)).toString());
      }
    }
    others.forEach((id, v) -> {
      if (gateway(v) == gateway) {
        out.add(id);
      }
    });
    return out;
  }

  private void resize(int capacity) {
    Slots old = slots;
    Slots s = new Slots(capacity);
    for (int i = 0; i < old.metas.length(); i++) {
      long meta = old.metas.get(i);
      if (meta != 0) {
        int j = home(old.his.get(i), old.los.get(i), capacity);
        while (s.metas.get(j) != 0) {
          j = j + 1 == capacity ? 0 : j + 1;
        }
        s.his.set(j, old.his.get(i));
        s.los.set(j, old.los.get(i));
        s.metas.set(j, meta);
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
