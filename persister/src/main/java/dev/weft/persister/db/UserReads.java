package dev.weft.persister.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.sql.DataSource;

/**
 * What a user catches up on after a reconnect, read through the per-user conversation index
 * ({@code conversation_members}). Blocking JDBC: call off any event loop.
 *
 * <p>Every read is bounded by {@code ends}, the inbound end offsets the caller waited for the persisters to reach:
 * below them every message and its index rows are stored (both in one transaction, before the offset commit), so
 * the answer does not depend on how far the writer got since. The index is per conversation, not per message: a
 * member sees every message of a conversation it is in.
 */
public final class UserReads {

  /** A message with the inbound partition it is in: a catch-up cursor holds one position per partition. */
  public record Located(int part, StoredMessage message) {}

  /** The latest messages of a user's most recent conversations, and those conversations (oldest first). */
  public record Recent(List<Located> messages, List<String> conversations) {}

  private static final String COLUMNS = MessageStore.columns("m.");
  // A member reads a conversation from the event that added it up to (and including) the one that removed it.
  private static final String IN_INTERVAL = " AND m.seq >= cm.joined_seq AND (cm.left_seq IS NULL OR m.seq <= cm.left_seq)";
  // Within a partition seq is the offset, unique across conversations: (part, seq) orders a user's whole stream.
  private static final String CATCH_UP = "SELECT " + COLUMNS + " FROM conversation_members cm "
      + "JOIN messages m ON m.conv_id = cm.conv_id "
      + "WHERE cm.user_id = ? AND cm.part = ? AND m.seq >= ? AND m.seq < ?" + IN_INTERVAL + " ORDER BY m.seq LIMIT ?";
  // conv_id breaks ties so the choice is stable between calls.
  private static final String MOST_RECENT = "SELECT conv_id, part, joined_seq, left_seq FROM conversation_members WHERE user_id = ? "
      + "ORDER BY last_ts DESC, conv_id DESC LIMIT ?";
  private static final String LAST_OF_CONV = "SELECT " + COLUMNS + " FROM messages m "
      + "WHERE m.conv_id = ? AND m.seq < ? AND m.seq >= ? AND m.seq <= ? ORDER BY m.seq DESC LIMIT ?";

  private final DataSource pool;

  /**
   * Which of {@code candidates} have a one-to-one conversation with {@code user} holding at least one stored message:
   * its index row exists from the first message on, one per member, and is never deleted. One indexed query (the
   * primary key), however many candidates.
   */
  public java.util.Set<String> partners(String user, java.util.Collection<String> candidates) throws SQLException {
    java.util.Map<String, String> byConv = new java.util.HashMap<>();
    for (String other : candidates) {
      if (!other.equals(user)) {
        byConv.put(dev.weft.common.ConversationIds.direct(user, other), other);
      }
    }
    java.util.Set<String> out = new java.util.HashSet<>();
    if (byConv.isEmpty()) {
      return out;
    }
    String sql = "SELECT conv_id FROM conversation_members WHERE user_id = ? AND conv_id IN ("
        + String.join(",", Collections.nCopies(byConv.size(), "?")) + ")";
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, user);
      int i = 2;
      for (String conv : byConv.keySet()) {
        ps.setString(i++, conv);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String other = byConv.get(rs.getString(1));
          if (other != null) {
            out.add(other);
          }
        }
      }
    }
    return out;
  }

  UserReads(DataSource pool) {
    this.pool = pool;
  }

  /**
   * The user's messages with {@code next[p] <= seq < ends[p]} in each partition p, ordered by partition then seq, at
   * most {@code limit} in all: fewer than {@code limit} means nothing below {@code ends} is left.
   */
  public List<Located> catchUp(String user, long[] next, long[] ends, int limit) throws SQLException {
    if (next.length != ends.length) {
      throw new IllegalArgumentException(next.length + " positions for " + ends.length + " partitions");
    }
    List<Located> out = new ArrayList<>();
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(CATCH_UP)) {
      for (int p = 0; p < ends.length && out.size() < limit; p++) {
        if (next[p] >= ends[p]) {
          continue;
        }
        ps.setString(1, user);
        ps.setInt(2, p);
        ps.setLong(3, next[p]);
        ps.setLong(4, ends[p]);
        ps.setInt(5, limit - out.size());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Located(p, MessageStore.row(rs)));
          }
        }
      }
    }
    return out;
  }

  /**
   * The {@code conversations} conversations of the user with the latest messages, and the last {@code perConversation}
   * messages (below {@code ends}) of each. Conversations come oldest first, each one's messages in seq order, so the
   * most recent conversation is the last one a client renders.
   */
  public Recent recent(String user, int perConversation, int conversations, long[] ends) throws SQLException {
    List<Located> messages = new ArrayList<>();
    List<String> convs = new ArrayList<>();
    if (conversations == 0) {
      return new Recent(messages, convs);
    }
    try (Connection c = pool.getConnection()) {
      List<Integer> parts = new ArrayList<>();
      List<long[]> intervals = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(MOST_RECENT)) {
        ps.setString(1, user);
        ps.setInt(2, conversations);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            convs.add(rs.getString(1));
            parts.add(rs.getInt(2));
            long joined = rs.getLong(3);
            long left = rs.getLong(4);
            intervals.add(new long[] {joined, rs.wasNull() ? Long.MAX_VALUE : left});
          }
        }
      }
      Collections.reverse(convs);
      Collections.reverse(parts);
      Collections.reverse(intervals);
      if (perConversation > 0) {
        try (PreparedStatement ps = c.prepareStatement(LAST_OF_CONV)) {
          for (int i = 0; i < convs.size(); i++) {
            int part = parts.get(i);
            if (part >= ends.length) {
              continue; // a partition the topic no longer has: nothing of it is below an end
            }
            messages.addAll(lastOf(ps, convs.get(i), part, ends[part], intervals.get(i), perConversation));
          }
        }
      }
    }
    return new Recent(messages, convs);
  }

  private static List<Located> lastOf(PreparedStatement ps, String conv, int part, long end, long[] interval, int n)
      throws SQLException {
    ps.setString(1, conv);
    ps.setLong(2, end);
    ps.setLong(3, interval[0]);
    ps.setLong(4, interval[1]);
    ps.setInt(5, n);
    List<Located> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new Located(part, MessageStore.row(rs)));
      }
    }
    Collections.reverse(out);
    return out;
  }
}
