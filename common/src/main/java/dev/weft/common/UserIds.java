package dev.weft.common;

import java.text.Normalizer;

/**
 * What a user or device id may be; the one check every caller uses (token {@code sub}, device ids, recipients, group
 * members, presence targets, the persister's routes).
 *
 * <p>1 to 64 UTF-16 characters, in Unicode Normalization Form C, with none of: whitespace or other space separators
 * (so also U+00A0), control characters, format characters (zero-width space U+200B, joiners, bidi overrides, U+FEFF),
 * private-use or unassigned code points (as the running JDK's Unicode tables know them), or unpaired surrogates.
 *
 * <p>Why each: an id is what a person reads in a client, and what keys every table and topic. Format and space
 * characters make two ids look the same ("admin" and "ad\u200Bmin"); an id not in NFC looks the same as its NFC form
 * but is another id; an unpaired surrogate has no UTF-8 form, so Kafka and MySQL would store it as '?' and two ids
 * would become one ("x\uD800" and "x\uDBFF"). A non-NFC id is refused, never normalised: accepting it silently as its
 * NFC twin would let one token act as another user.
 */
public final class UserIds {

  public static final int MAX_LENGTH = 64;

  /** The rule in one sentence, for error messages. */
  public static final String RULE = "1-64 characters in Unicode NFC, with no whitespace, control, format (zero-width),"
      + " private-use or unassigned characters and no unpaired surrogates";

  private UserIds() {}

  public static boolean valid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); ) {
      int cp = id.codePointAt(i);
      if (!allowed(cp)) {
        return false;
      }
      i += Character.charCount(cp);
    }
    // After the scan: the normaliser copes with lone surrogates, but there is no need to ask it about them.
    return Normalizer.isNormalized(id, Normalizer.Form.NFC);
  }

  private static boolean allowed(int cp) {
    if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.isISOControl(cp)) {
      return false;
    }
    return switch (Character.getType(cp)) {
      // codePointAt returns a lone surrogate as itself: its type is SURROGATE.
      case Character.FORMAT, Character.CONTROL, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
          Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
      default -> true;
    };
  }
}
