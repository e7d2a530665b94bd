package dev.weft.common;

/**
 * The offline push hook: what routers and gateways write to the push topic for an app's push worker.
 *
 * @param enabled WEFT_PUSH: {@code 1} (default) writes push notices; {@code 0} writes none
 * @param previewChars WEFT_PUSH_PREVIEW_CHARS: how many characters of a message's text a notice carries (default 0:
 *     none, since bodies may be ciphertext; at most 1000)
 * @param undeliveredMs WEFT_PUSH_UNDELIVERED_MS: a message written to a socket whose client has not confirmed it (by
 *     answering a ping sent after it) within this long is noticed as undelivered (default 15000; 0: only when the
 *     socket closes)
 */
public record PushSettings(boolean enabled, int previewChars, int undeliveredMs) {

  public static PushSettings from(Env env) {
    String flag = env.string("WEFT_PUSH", "1");
    if (!flag.equals("0") && !flag.equals("1")) {
      throw new ConfigException("WEFT_PUSH=" + flag + " must be 1 (write push notices) or 0 (none)");
    }
    return new PushSettings(flag.equals("1"), env.integer("WEFT_PUSH_PREVIEW_CHARS", 0, 0, 1000),
        env.integer("WEFT_PUSH_UNDELIVERED_MS", 15_000, 0, 3_600_000));
  }

  /** The preview a notice carries of {@code text}: its first {@link #previewChars} characters, whole code points. */
  public String preview(String text) {
    if (previewChars == 0 || text == null) {
      return "";
    }
    if (text.codePointCount(0, text.length()) <= previewChars) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, previewChars));
  }
}
