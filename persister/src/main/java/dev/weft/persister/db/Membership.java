package dev.weft.persister.db;

import dev.weft.common.UserIds;

/**
 * One row of the per-user conversation index: {@code user} is a member of {@code conv}, whose records are in inbound
 * partition {@code part}, and its latest message so far has timestamp {@code lastTs}.
 */
public record Membership(String user, String conv, int part, long lastTs) {

  /** A group member's interval in the index: from the event at {@code joined} to the one at {@code left} (-1: still in). */
  public record Interval(String user, String conv, int part, long lastTs, long joined, long left) {}


  /**
   * True when the user id fits the index. Besides the column's 64 characters, no whitespace: {@code utf8mb4_bin} pads
   * with spaces when it compares, so {@code "bob "} would be the same key as {@code "bob"}.
   */
  public static boolean fits(String user) {
    return UserIds.valid(user);
  }
}
