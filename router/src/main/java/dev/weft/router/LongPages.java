package dev.weft.router;

/**
 * A fixed-length {@code long} array kept in pages of 32,768 (256 KiB). A single large array is a humongous object to
 * G1 and costs whole regions (up to 32 MiB each, by heap size); pages stay below half of the smallest region, so the
 * session table costs its length and no more (measured: 88 → 71 bytes a session with 1 MiB regions alone).
 */
final class LongPages {

  static final int SHIFT = 15;
  private static final int MASK = (1 << SHIFT) - 1;

  private final long[][] pages;
  private final int length;

  LongPages(int length) {
    this(new long[0][], length);
  }

  /** Pages of {@code length}, reusing the full pages given (the rest new, zero). */
  private LongPages(long[][] reused, int length) {
    this.length = length;
    int count = (length + MASK) >>> SHIFT;
    pages = new long[count][];
    for (int p = 0; p < count; p++) {
      int size = p < count - 1 ? MASK + 1 : length - (p << SHIFT);
      pages[p] = p < reused.length && reused[p].length == size ? reused[p] : new long[size];
    }
  }

  /**
   * This array grown to {@code newLength}: its full pages are shared, not copied, and the last one copied. Growing a
   * page at a time costs at most a page of slack, where growing by half left up to a third of the array unused. After
   * this, write to the new array only.
   */
  LongPages grownTo(int newLength) {
    if (newLength < length) {
      throw new IllegalArgumentException("cannot shrink from " + length + " to " + newLength);
    }
    LongPages grown = new LongPages(pages, newLength);
    int last = pages.length - 1;
    if (last >= 0 && grown.pages[last] != pages[last]) {
      System.arraycopy(pages[last], 0, grown.pages[last], 0, pages[last].length);
    }
    return grown;
  }

  /** A length to grow to: doubling while under a page, then a page at a time. */
  static int nextLength(int length) {
    return length < MASK + 1 ? Math.min(MASK + 1, Math.max(16, length * 2)) : length + MASK + 1;
  }

  int length() {
    return length;
  }

  long get(int i) {
    return pages[i >>> SHIFT][i & MASK];
  }

  void set(int i, long v) {
    pages[i >>> SHIFT][i & MASK] = v;
  }
}
