package dev.weft.common;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UserIdsTest {

  @Test
  void ordinaryIdsInAnyScriptAreValid() {
    for (String id : new String[] {"alice", "bob-2", "a.b_c@example.com", "Zoë", "ユーザー", "用户42", "😀x", "é"}) {
      assertTrue(UserIds.valid(id), id);
    }
  }

  @Test
  void emptyNullAndTooLongAreRefused() {
    assertFalse(UserIds.valid(null));
    assertFalse(UserIds.valid(""));
    assertFalse(UserIds.valid("a".repeat(65)));
    assertTrue(UserIds.valid("a".repeat(64)));
  }

  @Test
  void zeroWidthAndOtherFormatCharactersAreRefused() {
    for (String id : new String[] {"ad\u200Bmin", "ad\u200Cmin", "ad\u200Dmin", "\uFEFFadmin", "admin\u202E", "a\u2060b",
        "a\u00ADb"}) {
      assertFalse(UserIds.valid(id), () -> LogSafe.of(id));
    }
  }

  @Test
  void whitespaceSpacesAndControlCharactersAreRefused() {
    for (String id : new String[] {"a b", "a\tb", "a\nb", "a\u00A0b", "a\u2028b", "a\u3000b", "a\u0000b", "a\u007Fb",
        "a\u0085b"}) {
      assertFalse(UserIds.valid(id), () -> LogSafe.of(id));
    }
  }

  @Test
  void unpairedSurrogatesAreRefusedPairedOnesAccepted() {
    assertFalse(UserIds.valid("x\uD800"));
    assertFalse(UserIds.valid("x\uDBFF"));
    assertFalse(UserIds.valid("\uDC00x"));
    assertFalse(UserIds.valid("x\uDC00\uD800"));
    assertTrue(UserIds.valid("x\uD83D\uDE00"));
  }

  @Test
  void privateUseAndUnassignedCodePointsAreRefused() {
    assertFalse(UserIds.valid("a\uE000"));
    assertFalse(UserIds.valid("a\uFFFF"));
    assertFalse(UserIds.valid("a" + new String(Character.toChars(0x10FFFD))));
  }

  @Test
  void anIdNotInNfcIsRefusedNotNormalised() {
    String nfd = "Zoe\u0308"; // e + combining diaeresis: looks like "Zoë"
    assertFalse(UserIds.valid(nfd));
    assertTrue(UserIds.valid(java.text.Normalizer.normalize(nfd, java.text.Normalizer.Form.NFC)));
    assertFalse(UserIds.valid("\u212B")); // ANGSTROM SIGN: its NFC form is U+00C5
  }
}
