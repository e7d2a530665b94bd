package dev.weft.router;

/** A fixed-length {@code int} array in pages of 32,768 (128 KiB): why, see {@link LongPages}. */
final class IntPages {

  private static final int SHIFT = LongPages.SHIFT;
  private static final int MASK = (1 << SHIFT) - 1;

  private final int[][] pages;
  private final int length;

  IntPages(int length) {
    this.length = length;
    int count = (length + MASK) >>> SHIFT;
    pages = new int[count][];
    for (int p = 0; p < count; p++) {
      pages[p] = new int[p < count - 1 ? MASK + 1 : length - (p << SHIFT)];
    }
  }

  int length() {
    return length;
  }

  int get(int i) {
    return pages[i >>> SHIFT][i & MASK];
  }

  void set(int i, int v) {
    pages[i >>> SHIFT][i & MASK] = v;
  }
}
