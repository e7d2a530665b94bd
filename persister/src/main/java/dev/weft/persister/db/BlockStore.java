package dev.weft.persister.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Who blocks whom in one-to-one conversations, as their block entries left it. Blocking JDBC. */
public final class BlockStore {

  /** A block entry: {@code blocker} blocks ({@code active}) or unblocks {@code blocked}, in {@code conv}, at {@code seq}. */
  public record Change(String conv, String blocker, String blocked, boolean active, long seq) {}

  static final String UPSERT = "INSERT INTO blocks (conv_id, blocker, blocked, active, seq) VALUES (?, ?, ?, ?, ?) "
      + "ON DUPLICATE KEY UPDATE active = IF(VALUES(seq) > seq, VALUES(active), active), seq = GREATEST(seq, VALUES(seq))";
  private static final String INVOLVING = "SELECT conv_id, blocker, blocked, active, seq FROM blocks "
      + "WHERE blocker IN (%1$s) UNION SELECT conv_id, blocker, blocked, active, seq FROM blocks WHERE blocked IN (%1$s)";

  private final DataSource pool;

  BlockStore(DataSource pool) {
    this.pool = pool;
  }

  /** Every block row naming one of these users, either way, unblocked ones included (their seq counts). */
  public List<Change> involving(List<String> users) throws SQLException {
    List<Change> out = new ArrayList<>();
    if (users.isEmpty()) {
      return out;
    }
    List<String> twice = new ArrayList<>(users);
    twice.addAll(users);
    String in = String.join(",", java.util.Collections.nCopies(users.size(), "?"));
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(String.format(INVOLVING, in))) {
      for (int i = 0; i < twice.size(); i++) {
        ps.setString(i + 1, twice.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Change(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getLong(5)));
        }
      }
    }
    return out;
  }
}
