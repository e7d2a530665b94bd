package dev.weft.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LongPagesTest {

  private static final int PAGE = 1 << LongPages.SHIFT;

  @Test
  void growingKeepsEveryValueAcrossPartialAndFullPagesAndAddsZeros() {
    LongPages a = new LongPages(16);
    for (int i = 0; i < 16; i++) {
      a.set(i, i + 1);
    }
    int length = 16;
    // Through doubling under a page, then a page at a time, writing each new slot as it comes.
    while (length < 3 * PAGE + 5) {
      int next = LongPages.nextLength(length);
      a = a.grownTo(next);
      assertEquals(next, a.length());
      for (int i = length; i < next; i++) {
        assertEquals(0, a.get(i), "new slots are zero");
        a.set(i, i + 1);
      }
      length = next;
    }
    for (int i = 0; i < length; i++) {
      assertEquals(i + 1, a.get(i), "slot " + i);
    }
    assertEquals(4 * PAGE, length, "a page at a time past the first: at most one page of slack");
  }

  @Test
  void nextLengthDoublesUnderAPageThenAddsOne() {
    assertEquals(32, LongPages.nextLength(16));
    assertEquals(PAGE, LongPages.nextLength(PAGE / 2 + 1));
    assertEquals(2 * PAGE, LongPages.nextLength(PAGE));
    assertThrows(IllegalArgumentException.class, () -> new LongPages(32).grownTo(16));
  }
}
