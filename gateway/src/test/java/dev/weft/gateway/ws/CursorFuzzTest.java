package dev.weft.gateway.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The cursor decoder, fed what a client may put in {@code ?cursor=}: it refuses with Malformed or reads it back whole. */
class CursorFuzzTest {

  private static Cursor someCursor(Random r) {
    long[] next = new long[1 + r.nextInt(12)];
    for (int i = 0; i < next.length; i++) {
      next[i] = r.nextBoolean() ? r.nextInt(1000) : Math.abs(r.nextLong() >> r.nextInt(63));
    }
    String epoch = "AbC_d-" + Integer.toString(r.nextInt(1 << 20), 36);
    return new Cursor(epoch, r.nextLong() >>> 1, next);
  }

  private static String hostile(Random r) {
    return switch (r.nextInt(3)) {
      case 0 -> Fuzz.string(r);
      case 1 -> "c1." + Fuzz.string(r);
      default -> Fuzz.mutate(r, someCursor(r).encode());
    };
  }

  /** Either refused with a message fit for the client, or read as a cursor that writes back as itself. */
  private static void decodes(String text) {
    Cursor c;
    try {
      c = Cursor.parse(text);
    } catch (Cursor.Malformed e) {
      assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
      Fuzz.assertNoLeak(e.getMessage());
      return;
    } catch (RuntimeException e) {
      throw new AssertionError("parse threw " + e, e);
    }
    assertTrue(c.partitions() >= 1, "a cursor has a position per partition");
    for (long n : c.next()) {
      assertTrue(n >= 0, "no negative position is accepted");
    }
    try {
      assertEquals(c.encode(), Cursor.parse(c.encode()).encode(), "what it writes reads back the same");
    } catch (Cursor.Malformed e) {
      throw new AssertionError("a cursor it accepted writes one it refuses: " + c.encode(), e);
    }
  }

  @Test
  void anyTextIsRefusedWithMalformedOrReadBackWhole() {
    Fuzz.forAll("cursor-any-text", CursorFuzzTest::hostile, CursorFuzzTest::decodes);
  }

  @Test
  void everyCursorTheServerWritesReadsBackTheSame() {
    Fuzz.forAll("cursor-round-trip", CursorFuzzTest::someCursor, c -> {
      Cursor back = Cursor.parse(c.encode());
      assertEquals(c.encode(), back.encode());
      assertEquals(c.epoch, back.epoch);
    });
  }

  @Test
  void aCursorNeverAdmitsAMessageTwice() {
    Fuzz.forAll("cursor-admit", r -> r.nextLong(), seed -> {
      Random r = new Random(seed);
      Cursor c = someCursor(r);
      long[] highest = c.next();
      for (int i = 0; i < 200; i++) {
        int p = r.nextInt(c.partitions() + 2) - 1;
        long seq = Math.max(0, highest[Math.max(0, Math.min(p, highest.length - 1))] + r.nextInt(7) - 3);
        boolean admitted = c.admit(p, seq);
        if (p >= 0 && p < highest.length) {
          assertEquals(seq >= highest[p], admitted, "admits exactly what is at or past its position");
          if (admitted) {
            highest[p] = seq + 1;
          }
        }
      }
    });
  }
}
