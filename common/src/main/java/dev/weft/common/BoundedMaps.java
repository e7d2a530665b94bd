package dev.weft.common;

import java.util.LinkedHashMap;
import java.util.Map;

/** Maps that forget their eldest entry past a size: a memory bound for per-key state nobody removes reliably. */
public final class BoundedMaps {

  private BoundedMaps() {}

  /**
   * A map of at most {@code max} entries. With {@code accessOrder} the least recently read or written entry goes
   * first (an LRU), otherwise the least recently inserted. Not thread-safe, like {@link LinkedHashMap}.
   */
  public static <K, V> Map<K, V> evictingEldest(int max, boolean accessOrder) {
    return new LinkedHashMap<>(16, 0.75f, accessOrder) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
      }
    };
  }
}
