package dev.weft.router;

/**
 * Session ids in the form gateways make them: a canonical lowercase UUID ({@code UUID.toString()}), kept as its
 * two longs, which print back as the same id. Any other id (uppercase hex, another format) is not one, and is kept
 * as it came. Allocation-free: called for every routed message.
 */
final class SessionIds {

  private SessionIds() {}

  static boolean canonical(String id) {
    if (id.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = id.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return false;
        }
      } else if (digit(c) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The first 16 hex digits of a {@link #canonical} id. */
  static long high(String id) {
    return hex(id, 0, 19);
  }

  /** The last 16 hex digits of a {@link #canonical} id. */
  static long low(String id) {
    return hex(id, 19, 36);
  }

  private static long hex(String id, int from, int to) {
    long v = 0;
    for (int i = from; i < to; i++) {
      char c = id.charAt(i);
      if (c != '-') {
        v = (v << 4) | digit(c);
      }
    }
    return v;
  }

  /** Lowercase hex only: an uppercase digit is not what UUID.toString() writes, so the id would not print back. */
  private static int digit(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  }
}
