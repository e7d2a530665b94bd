package dev.weft.gateway.groups;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Group ids this gateway waited for lately and still did not know: a negative cache, so a client asking about one
 * again is answered at once instead of costing another wait. Bounded: past {@code max} entries the oldest goes, and
 * each expires {@code ttl} after it was (last) added. It never decides alone: {@link Memberships} asks the directory
 * first and drops the entry of a group the directory knows, so a group that does come into being is never refused
 * because of it. Any thread (event loops share it); every method is short.
 */
final class UnknownGroups {

  private final long ttlNanos;
  private final int max;
  private final LongSupplier nanoTime;
  /** Id to expiry, oldest first: with one TTL for all, insertion order is expiry order, so eviction looks at the head. */
  private final LinkedHashMap<String, Long> expiries = new LinkedHashMap<>();

  UnknownGroups(long ttlMillis, int max, LongSupplier nanoTime) {
    this.ttlNanos = ttlMillis * 1_000_000L;
    this.max = max;
    this.nanoTime = nanoTime;
  }

  synchronized void add(String conv) {
    long now = nanoTime.getAsLong();
    expiries.remove(conv); // re-added: to the back, with a new expiry
    expiries.put(conv, now + ttlNanos);
    for (Iterator<Map.Entry<String, Long>> it = expiries.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Long> oldest = it.next();
      if (expiries.size() <= max && oldest.getValue() - now > 0) {
        break;
      }
      it.remove();
    }
  }

  /** True while an unexpired entry for the id is held. */
  synchronized boolean contains(String conv) {
    Long expiry = expiries.get(conv);
    if (expiry == null) {
      return false;
    }
    if (expiry - nanoTime.getAsLong() <= 0) {
      expiries.remove(conv);
      return false;
    }
    return true;
  }

  synchronized void remove(String conv) {
    expiries.remove(conv);
  }

  synchronized int size() {
    return expiries.size();
  }
}
