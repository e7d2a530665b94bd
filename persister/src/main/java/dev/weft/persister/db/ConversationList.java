package dev.weft.persister.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A user's conversations, most recently active first, each with its latest message (or event) and how many messages
 * from others came after the user's read position. Blocking JDBC: call off any event loop.
 */
public final class ConversationList {

  /** One conversation of the list; {@code title} only for groups, {@code last} null when nothing is readable. */
  public record Entry(String conv, String title, StoredMessage last, long unread, long read) {}

  private static final String MINE = "SELECT cm.conv_id, cm.joined_seq, g.title, COALESCE(r.read_seq, -1) "
      + "FROM conversation_members cm LEFT JOIN groups_state g ON g.conv_id = cm.conv_id "
      + "LEFT JOIN receipts r ON r.conv_id = cm.conv_id AND r.member = cm.user_id "
      + "WHERE cm.user_id = ? AND cm.left_seq IS NULL ORDER BY cm.last_ts DESC, cm.conv_id LIMIT ?";
  // Edits, deletes and reactions are entries, not messages: the preview and the unread count are of messages (a
  // message shows its edit, and a deleted one shows as deleted).
  private static final String LAST = "SELECT " + MessageStore.COLUMNS + " FROM messages "
      + "WHERE conv_id = ? AND seq >= ? AND action IS NULL ORDER BY seq DESC LIMIT 1";
  private static final String UNREAD = "SELECT COUNT(*) FROM messages WHERE conv_id = ? AND seq > ? AND seq >= ? "
      + "AND sender <> ? AND event IS NULL AND action IS NULL";

  private final DataSource pool;

  ConversationList(DataSource pool) {
    this.pool = pool;
  }

  public List<Entry> of(String user, int limit) throws SQLException {
    List<Entry> out = new ArrayList<>();
    try (Connection c = pool.getConnection();
        PreparedStatement mine = c.prepareStatement(MINE);
        PreparedStatement last = c.prepareStatement(LAST);
        PreparedStatement unread = c.prepareStatement(UNREAD)) {
      mine.setString(1, user);
      mine.setInt(2, limit);
      List<Object[]> rows = new ArrayList<>();
      try (ResultSet rs = mine.executeQuery()) {
        while (rs.next()) {
          rows.add(new Object[] {rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4)});
        }
      }
      for (Object[] row : rows) {
        String conv = (String) row[0];
        long joined = (Long) row[1];
        long read = (Long) row[3];
        StoredMessage latest = null;
        last.setString(1, conv);
        last.setLong(2, joined);
        try (ResultSet rs = last.executeQuery()) {
          if (rs.next()) {
            latest = MessageStore.row(rs);
          }
        }
        unread.setString(1, conv);
        unread.setLong(2, read);
        unread.setLong(3, joined);
        unread.setString(4, user);
        long count;
        try (ResultSet rs = unread.executeQuery()) {
          rs.next();
          count = rs.getLong(1);
        }
        out.add(new Entry(conv, (String) row[2], latest, count, read));
      }
    }
    return out;
  }
}
