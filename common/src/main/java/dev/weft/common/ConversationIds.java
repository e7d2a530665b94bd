package dev.weft.common;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Ids of one-to-one conversations, derived from the two user ids so both sides land in the same
 * conversation whoever writes first.
 *
 * <p>Form: {@code dm:<base64url(a)>.<base64url(b)>} with {@code a < b} (by code point), unpadded. The
 * members can be read back from the id, so checking membership of a one-to-one conversation needs
 * no lookup anywhere.
 */
public final class ConversationIds {

  /** Longest possible id: two 64-character user ids of 4-byte characters, base64url-encoded. */
  public static final int MAX_LENGTH = 3 + 2 * 344 + 1;

  private static final String DM = "dm:";
  private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DEC = Base64.getUrlDecoder();

  private ConversationIds() {}

  public static String direct(String userA, String userB) {
    if (userA.equals(userB)) {
      throw new IllegalArgumentException("a one-to-one conversation needs two different users");
    }
    String lo = userA.compareTo(userB) < 0 ? userA : userB;
    String hi = lo.equals(userA) ? userB : userA;
    return DM + encode(lo) + "." + encode(hi);
  }

  /** The two members of a one-to-one conversation id, or empty when the id is not one. */
  public static Optional<List<String>> directMembers(String conv) {
    if (conv == null || !conv.startsWith(DM) || conv.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    String rest = conv.substring(DM.length());
    int dot = rest.indexOf('.');
    if (dot <= 0 || dot == rest.length() - 1 || rest.indexOf('.', dot + 1) >= 0) {
      return Optional.empty();
    }
    try {
      String a = decode(rest.substring(0, dot));
      String b = decode(rest.substring(dot + 1));
      if (!UserIds.valid(a) || !UserIds.valid(b) || a.compareTo(b) >= 0 || !direct(a, b).equals(conv)) {
        return Optional.empty();
      }
      return Optional.of(List.of(a, b));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static final String GROUP = "g:";
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  /** A new group conversation id: {@code g:} + 16 random bytes, base64url. */
  public static String newGroup() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return GROUP + ENC.encodeToString(bytes);
  }

  /** True when the id has the shape of a group id (whether the group exists is another matter). */
  public static boolean isGroup(String conv) {
    return conv != null && conv.length() == GROUP.length() + 22 && conv.startsWith(GROUP)
        && conv.substring(GROUP.length()).chars().allMatch(ch -> Character.isLetterOrDigit(ch) && ch < 128 || ch == '-' || ch == '_');
  }

  /** True for a one-to-one conversation the user is in. Groups are checked against their membership instead. */
  /** The other user of a one-to-one conversation {@code user} is in; empty for a group, or one not theirs. */
  public static Optional<String> otherMember(String conv, String user) {
    return directMembers(conv).filter(m -> m.contains(user))
        .flatMap(m -> m.stream().filter(u -> !u.equals(user)).findFirst());
  }

  public static boolean isMember(String conv, String user) {
    return directMembers(conv).map(m -> m.contains(user)).orElse(false);
  }

  private static String encode(String s) {
    return ENC.encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String s) {
    return new String(DEC.decode(s), StandardCharsets.UTF_8);
  }
}
