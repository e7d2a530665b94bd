package dev.weft.router;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Gateway ids as small numbers, so a session stores two bytes for its gateway rather than a reference: each id
 * present in the table has a number until its last session goes, and numbers are reused after that (gateways come
 * and go over months). At most {@link #MAX} gateways hold sessions at once. Writer-only state, except
 * {@link #name} and {@link #single}, which readers call under the table's optimistic read.
 */
final class GatewayIndex {

  /** Numbers fit a {@code char}. */
  static final int MAX = 65_535;

  private final Map<String, Integer> numbers = new HashMap<>();
  private String[] names = new String[16];
  private int[] sessions = new int[16];
  /** The presence of a user with one session on this gateway, shared by every such user. */
  private SessionTable.Presence[] singles = new SessionTable.Presence[16];
  private int[] free = new int[16];
  private int freeCount;
  private int next;

  /** The gateway's number, counting one more session on it. */
  int acquire(String gateway) {
    Integer n = numbers.get(gateway);
    if (n == null) {
      n = freeCount > 0 ? free[--freeCount] : next++;
      if (n >= MAX) {
        next--;
        throw new IllegalStateException("more than " + MAX + " gateways hold sessions at once");
      }
      if (n >= names.length) {
        int size = Math.min(MAX, names.length * 2);
        names = Arrays.copyOf(names, size);
        sessions = Arrays.copyOf(sessions, size);
        singles = Arrays.copyOf(singles, size);
      }
      numbers.put(gateway, n);
      names[n] = gateway;
      singles[n] = SessionTable.Presence.single(gateway);
    }
    sessions[n]++;
    return n;
  }

  /** Counts one session fewer on the gateway; its number is freed with its last one. */
  void release(int n) {
    if (--sessions[n] == 0) {
      numbers.remove(names[n]);
      names[n] = null;
      singles[n] = null;
      if (freeCount == free.length) {
        free = Arrays.copyOf(free, free.length * 2);
      }
      free[freeCount++] = n;
    }
  }

  /** The number of a gateway holding sessions, or -1. */
  int numberOf(String gateway) {
    Integer n = numbers.get(gateway);
    return n == null ? -1 : n;
  }

  String name(int n) {
    return names[n];
  }

  SessionTable.Presence single(int n) {
    return singles[n];
  }

  /** Every gateway that holds at least one session. */
  java.util.Set<String> present() {
    return new java.util.HashSet<>(numbers.keySet());
  }
}
