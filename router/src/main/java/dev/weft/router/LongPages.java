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
    this.length = length;
    int count = (length + MASK) >>> SHIFT;
    pages = new long[count][];
    for (int p = 0; p < count; p++) {
      pages[p] = new long[p < count - 1 ? MASK + 1 : length - (p << SHIFT)];
    }
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
