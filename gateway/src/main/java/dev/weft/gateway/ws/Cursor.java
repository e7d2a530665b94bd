package dev.weft.gateway.ws;

import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * A client's resume position: for each partition of the inbound topic, the offset of the next message it has not
 * seen. A conversation lives on one partition and its seq is the offset there, so "everything after the cursor" is
 * "every message of my conversations at or past {@code next[partition]}".
 *
 * <p>Written as {@code c1.<epoch>.<asOf>.<next0>.<next1>...}: the epoch is the inbound topic's id (a recreated
 * topic restarts its offsets, and an old cursor must not be read against it), {@code asOf} the persister's clock
 * when this position was last caught up from history (receipts stored since then are replayed on resume). Clients
 * treat it as opaque. Mutable; one connection's event loop only.
 */
final class Cursor {

  private static final String VERSION = "c1";
  private static final Pattern EPOCH = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  /** Far more than any deployment's partitions; bounds the work of parsing a hostile cursor. */
  private static final int MAX_PARTITIONS = 10_000;

  final String epoch;
  private long asOf;
  private final long[] next;

  Cursor(String epoch, long asOf, long[] next) {
    this.epoch = epoch;
    this.asOf = asOf;
    this.next = next;
  }

  /** A position before everything: used while a new device's recent history is read. */
  static Cursor start(String epoch, int partitions) {
    return new Cursor(epoch, 0, new long[partitions]);
  }

  /** Thrown for a cursor this gateway did not write. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message);
    }
  }

  static Cursor parse(String text) throws Malformed {
    if (text.length() > 64 + 24 * MAX_PARTITIONS) {
      throw new Malformed("cursor is too long");
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length < 4 || !VERSION.equals(parts[0]) || !EPOCH.matcher(parts[1]).matches()) {
      throw new Malformed("not a cursor this server wrote");
    }
    try {
      long asOf = Long.parseLong(parts[2]);
      long[] next = new long[parts.length - 3];
      for (int i = 0; i < next.length; i++) {
        next[i] = Long.parseLong(parts[i + 3]);
        if (next[i] < 0) {
          throw new Malformed("cursor holds a negative position");
        }
      }
      return new Cursor(parts[1], asOf, next);
    } catch (NumberFormatException e) {
      throw new Malformed("cursor holds a position that is not a number");
    }
  }

  int partitions() {
    return next.length;
  }

  long asOf() {
    return asOf;
  }

  void asOf(long millis) {
    asOf = millis;
  }

  long[] next() {
    return next.clone();
  }

  /**
   * True when the message at {@code seq} on {@code partition} is past the position, which then moves past it. A
   * partition's messages reach a socket in offset order, so anything behind the position was already sent.
   */
  boolean admit(int partition, long seq) {
    if (partition < 0 || partition >= next.length) {
      return true; // written by a router that did not say; never hold a message back for it
    }
    if (seq < next[partition]) {
      return false;
    }
    next[partition] = seq + 1;
    return true;
  }

  /** History was read up to these end offsets: everything below them was sent or was not the client's. */
  void reach(long[] ends) {
    for (int i = 0; i < next.length && i < ends.length; i++) {
      next[i] = Math.max(next[i], ends[i]);
    }
  }

  String encode() {
    StringBuilder b = new StringBuilder(24 + epoch.length() + 8 * next.length).append(VERSION).append('.')
        .append(epoch).append('.').append(asOf);
    for (long n : next) {
      b.append('.').append(n);
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return "Cursor[" + epoch + ", " + asOf + ", " + Arrays.toString(next) + "]";
  }
}
