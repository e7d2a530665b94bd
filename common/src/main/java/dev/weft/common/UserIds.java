package dev.weft.common;

/** What a user or device id may be: 1 to 64 characters, none of them whitespace or control characters. */
public final class UserIds {

  public static final int MAX_LENGTH = 64;

  private UserIds() {}

  public static boolean valid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        return false;
      }
    }
    return true;
  }
}
