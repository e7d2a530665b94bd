package dev.weft.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogSafeTest {

  @Test
  void plainTextIsUnchanged() {
    assertEquals("alice r-1 Zoë 😀", LogSafe.of("alice r-1 Zoë 😀"));
    assertEquals("null", LogSafe.of(null));
    assertEquals("42", LogSafe.of(42));
  }

  @Test
  void newlinesAndControlsCannotForgeALogLine() {
    String forged = LogSafe.of("x\r\n04:00:00 INFO admin logged in\u001B[31m");
    assertFalse(forged.contains("\n"));
    assertFalse(forged.contains("\r"));
    assertFalse(forged.contains("\u001B"));
    assertEquals("x\\u000D\\u000A04:00:00 INFO admin logged in\\u001B[31m", forged);
  }

  @Test
  void formatCharactersAndLoneSurrogatesAreEscaped() {
    assertEquals("ad\\u200Bmin", LogSafe.of("ad\u200Bmin"));
    assertEquals("abc\\u202E", LogSafe.of("abc\u202E"));
    assertEquals("x\\uD800", LogSafe.of("x\uD800"));
    assertEquals("\\uDC00x", LogSafe.of("\uDC00x"));
    assertEquals("a\\u2028b", LogSafe.of("a\u2028b"));
  }

  @Test
  void aBackslashIsDoubledSoATypedEscapeIsNotMistakenForOurs() {
    assertEquals("a\\\\u000Ab", LogSafe.of("a\\u000Ab"));
  }

  @Test
  void longStringsAreTruncatedWithTheirLength() {
    String s = LogSafe.of("y".repeat(1_000_000));
    assertTrue(s.startsWith("y".repeat(LogSafe.MAX_CHARS) + "..."), s);
    assertTrue(s.endsWith("(" + (1_000_000 - LogSafe.MAX_CHARS) + " more chars)"), s);
  }

  @Test
  void aPairSplitByTruncationIsEscapedNotCut() {
    String s = LogSafe.of("a".repeat(LogSafe.MAX_CHARS - 1) + "😀tail");
    assertTrue(s.startsWith("a".repeat(LogSafe.MAX_CHARS - 1) + "\\uD83D..."), s);
  }
}
