package dev.weft.common;

/**
 * A client-supplied string made safe for a log line: at most {@link #MAX_CHARS} characters, with control, format
 * (bidi overrides, zero-width), line-separator and unpaired surrogate characters written as {@code \\uXXXX} escapes
 * (and a backslash as {@code \\\\}, so an escape a client typed cannot pass for one we wrote). Without this a ref of
 * {@code "x\n12:00:00 INFO admin logged in"} forges a log line, and a megabyte ref fills the disk.
 */
public final class LogSafe {

  /** Longest part of a client string that reaches a log line; the rest is counted, not written. */
  public static final int MAX_CHARS = 80;

  private LogSafe() {}

  /** {@code value} escaped and truncated; "null" for null; any object by its {@code toString}. */
  public static String of(Object value) {
    if (value == null) {
      return "null";
    }
    String s = value.toString();
    int end = Math.min(s.length(), MAX_CHARS);
    StringBuilder out = new StringBuilder(end + 16);
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        out.append("\\\\");
      } else if (needsEscape(s, i, c)) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    if (s.length() > end) {
      out.append("...(").append(s.length() - end).append(" more chars)");
    }
    return out.toString();
  }

  private static boolean needsEscape(String s, int i, char c) {
    if (Character.isHighSurrogate(c)) {
      // A pair is written as is, unless truncation would split it.
      return i + 1 >= Math.min(s.length(), MAX_CHARS) || !Character.isLowSurrogate(s.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
    }
    if (Character.isISOControl(c)) {
      return true;
    }
    int type = Character.getType(c);
    return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
  }
}
