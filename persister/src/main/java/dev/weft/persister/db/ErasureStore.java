package dev.weft.persister.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * A user's erasure (the server API's {@code erase}): in one transaction, the texts, attachments and refs of every
 * message they sent (the rows stay, empty, so every conversation's order holds), their receipts, their memberships,
 * their reactions, their sessions and last seen; and their id in {@code erased_users}, so that what comes for them
 * later stores none of it. Blocking JDBC: call off any event loop.
 */
public final class ErasureStore {

  private static final List<String> ERASE = List.of(
      "UPDATE messages SET text = '', content = NULL, ref = NULL WHERE sender = ?",
      "DELETE FROM receipts WHERE member = ?",
      "DELETE FROM conversation_members WHERE user_id = ?",
      "DELETE FROM reactions WHERE user_id = ?",
      "DELETE FROM sessions WHERE user_id = ?",
      "DELETE FROM last_seen WHERE user_id = ?");
  private static final String RECORD = "INSERT INTO erased_users (user_id, erased_ms) VALUES (?, ?) "
      + "ON DUPLICATE KEY UPDATE erased_ms = VALUES(erased_ms)";
  private static final String WHICH = "SELECT user_id FROM erased_users WHERE user_id IN (%s)";

  private final DataSource pool;

  ErasureStore(DataSource pool) {
    this.pool = pool;
  }

  /** Erases the user's data; running it again changes nothing more. */
  public void erase(String user, long erasedMs) throws SQLException {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        for (String sql : ERASE) {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, user);
            ps.executeUpdate();
          }
        }
        try (PreparedStatement ps = c.prepareStatement(RECORD)) {
          ps.setString(1, user);
          ps.setLong(2, erasedMs);
          ps.executeUpdate();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Which of these users were erased. */
  public Set<String> erased(java.util.Collection<String> users) throws SQLException {
    Set<String> out = new HashSet<>();
    if (users.isEmpty()) {
      return out;
    }
    try (Connection c = pool.getConnection(); PreparedStatement ps = InList.prepare(c, WHICH, List.copyOf(users));
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
