package dev.weft.router;

import java.util.HashMap;
import java.util.Map;

/**
 * User ids as numbers, with one {@code int} of state each (the table's presence word), packed: an ASCII id's bytes
 * live in shared pages of bytes, found through an open-addressing table of numbers (linear probing, deleted by
 * shifting back, so no tombstones). About 30 bytes a user for the ids gateways make, against some 100 as
 * {@code String} keys in a map. Ids with other characters, or longer than 255 (rare), are kept in a plain map. The
 * bytes of removed users are reclaimed by compacting once they are half of what is stored. Every large array is in
 * pages ({@link LongPages}).
 *
 * <p>One writer. {@link #find} and {@link #word} read plain arrays and fields and may see a writer's change half
 * made: the caller validates an optimistic read and tries again under a lock. They never loop forever on a torn state.
 */
final class UserIndex {

  private static final double MAX_LOAD = 0.8;
  private static final int PAGE_BYTES = 1 << 16;

  /** Slot → user number + 1 and a tag ({@link #slot}); 0 is empty. */
  private IntPages slots = new IntPages(16);
  /**
   * User number → where its id is (page << 16 | offset in the page; the id's length first, one byte), or -1 for an id
   * in {@link #others}, in the high 32 bits; the user's word in the low 32.
   */
  private LongPages data = new LongPages(16);
  private byte[][] pages = {new byte[PAGE_BYTES]};
  /** Where the next id goes, as in {@link #data}. */
  private int end;
  private long stored;
  private long garbage;
  private final Map<String, Integer> others = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<Integer, String> otherIds = new HashMap<>();
  private int[] free = new int[16];
  private int freeCount;
  private int next;
  private int packed;
  /** True once a user's number was too large for a slot: such users are in {@link #others} too. */
  private volatile boolean overflowed;

  /** The user's number, or -1 when unknown. Reader-safe (see the class comment). */
  int find(String user) {
    if (!packable(user)) {
      Integer n = others.get(user);
      return n == null ? -1 : n;
    }
    IntPages s = slots;
    LongPages d = data;
    byte[][] b = pages;
    int cap = s.length();
    int hash = user.hashCode();
    int tag = tag(hash);
    for (int i = home(hash, cap), probes = 0; probes < cap; i = i + 1 == cap ? 0 : i + 1, probes++) {
      int v = s.get(i);
      if (v == 0) {
        break;
      }
      // The tag sorts out most other users without reading their ids: an unknown user (an offline member, the common
      // case in a group) costs a run of one page, not a cache miss per slot.
      if ((v >>> NUMBER_BITS) == tag && matches(b, (int) (d.get(number(v)) >> 32), user)) {
        return number(v);
      }
    }
    if (overflowed) {
      Integer n = others.get(user);
      return n == null ? -1 : n;
    }
    return -1;
  }

  /** A slot holds the user's number + 1 in its low 24 bits and 8 bits of the id's hash above them. */
  private static final int NUMBER_BITS = 24;
  private static final int MAX_PACKED_NUMBER = (1 << NUMBER_BITS) - 2;

  private static int tag(int hash) {
    return (hash * 0x9E3779B9 >>> 8) & 0xff;
  }

  private static int number(int slot) {
    return (slot & ((1 << NUMBER_BITS) - 1)) - 1;
  }

  private static int slot(int n, int hash) {
    return (tag(hash) << NUMBER_BITS) | (n + 1);
  }

  int word(int user) {
    return (int) data.get(user);
  }

  void setWord(int user, int word) {
    data.set(user, (data.get(user) & 0xffffffff00000000L) | (word & 0xffffffffL));
  }

  private int location(int user) {
    return (int) (data.get(user) >> 32);
  }

  private void setLocation(int user, int location, int word) {
    data.set(user, ((long) location << 32) | (word & 0xffffffffL));
  }

  int size() {
    return packed + others.size();
  }

  /** The user's number, adding the user when unknown (with word 0). Writer only. */
  int add(String user) {
    int n = find(user);
    if (n >= 0) {
      return n;
    }
    n = freeCount > 0 ? free[--freeCount] : next++;
    if (n >= data.length()) {
      data = data.grownTo(LongPages.nextLength(data.length()));
    }
    if (!packable(user) || n > MAX_PACKED_NUMBER) {
      overflowed |= n > MAX_PACKED_NUMBER; // beyond 16 million users at once: the rest cost what a map entry costs
      setLocation(n, -1, 0);
      others.put(user, n);
      otherIds.put(n, user);
      return n;
    }
    if (packed + 1 > slots.length() * MAX_LOAD) {
      rehash(slots.length() + slots.length() / 2);
    }
    setLocation(n, append(user), 0);
    insert(slots, n, user.hashCode());
    packed++;
    return n;
  }

  /** Frees the user's number. Writer only. */
  void remove(int n) {
    int at = location(n);
    if (at < 0) {
      others.remove(otherIds.remove(n));
    } else {
      delete(n);
      garbage += 1 + (pages[at >>> 16][at & 0xffff] & 0xff);
      packed--;
    }
    setLocation(n, 0, 0);
    if (freeCount == free.length) {
      free = java.util.Arrays.copyOf(free, free.length * 2);
    }
    free[freeCount++] = n;
    if (garbage > PAGE_BYTES && garbage > stored / 2) {
      compact();
    }
  }

  /** ASCII ids of at most 255 characters: stored as bytes, hashed as their {@code String} is. */
  private static boolean packable(String user) {
    if (user.length() > 255) {
      return false;
    }
    for (int i = 0; i < user.length(); i++) {
      if (user.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static boolean matches(byte[][] b, int at, String user) {
    int page = at >>> 16;
    int off = at & 0xffff;
    if (at < 0 || page >= b.length) {
      return false;
    }
    byte[] p = b[page];
    int len = p[off] & 0xff;
    if (len != user.length() || off + len >= p.length) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (p[off + 1 + i] != user.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int home(int hash, int cap) {
    int h = hash ^ (hash >>> 16);
    h *= 0x9E3779B9;
    return (int) (((h & 0xffffffffL) * cap) >>> 32);
  }

  /** String.hashCode of the ASCII id stored for user n. */
  private int hashAt(int n) {
    int at = location(n);
    byte[] p = pages[at >>> 16];
    int off = at & 0xffff;
    int len = p[off] & 0xff;
    int h = 0;
    for (int i = 0; i < len; i++) {
      h = 31 * h + p[off + 1 + i];
    }
    return h;
  }

  private int append(String user) {
    int len = user.length();
    int page = end >>> 16;
    int off = end & 0xffff;
    if (off + 1 + len > PAGE_BYTES) {
      page++;
      off = 0;
    }
    if (page >= pages.length) {
      byte[][] more = java.util.Arrays.copyOf(pages, pages.length + 1);
      more[page] = new byte[PAGE_BYTES];
      pages = more;
    }
    byte[] p = pages[page];
    p[off] = (byte) len;
    for (int i = 0; i < len; i++) {
      p[off + 1 + i] = (byte) user.charAt(i);
    }
    end = (page << 16) + off + 1 + len; // a full page carries into the next: "|" would not, on an odd page
    stored += 1 + len;
    return (page << 16) | off;
  }

  private static void insert(IntPages s, int n, int hash) {
    int cap = s.length();
    int i = home(hash, cap);
    while (s.get(i) != 0) {
      i = i + 1 == cap ? 0 : i + 1;
    }
    s.set(i, slot(n, hash));
  }

  /** Linear probing's deletion: later entries of the run move back into the hole, so lookups need no tombstones. */
  private void delete(int n) {
    IntPages s = slots;
    int cap = s.length();
    int i = home(hashAt(n), cap);
    while (s.get(i) == 0 || number(s.get(i)) != n) {
      i = i + 1 == cap ? 0 : i + 1;
    }
    int hole = i;
    for (int j = hole + 1 == cap ? 0 : hole + 1; s.get(j) != 0; j = j + 1 == cap ? 0 : j + 1) {
      int h = home(hashAt(number(s.get(j))), cap);
      boolean stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
      if (!stays) {
        s.set(hole, s.get(j));
        hole = j;
      }
    }
    s.set(hole, 0);
  }

  private void rehash(int capacity) {
    IntPages s = new IntPages(capacity);
    for (int i = 0; i < slots.length(); i++) {
      int v = slots.get(i);
      if (v != 0) {
        insert(s, number(v), hashAt(number(v)));
      }
    }
    slots = s;
  }

  /** Copies the live ids into new pages; numbers stay. */
  private void compact() {
    byte[][] old = pages;
    pages = new byte[][] {new byte[PAGE_BYTES]};
    end = 0;
    stored = 0;
    garbage = 0;
    for (int i = 0; i < slots.length(); i++) {
      int v = slots.get(i);
      if (v != 0) {
        int n = number(v);
        int at = location(n);
        byte[] p = old[at >>> 16];
        int off = at & 0xffff;
        String id = new String(p, off + 1, p[off] & 0xff, java.nio.charset.StandardCharsets.US_ASCII);
        setLocation(n, append(id), word(n));
      }
    }
  }
}
