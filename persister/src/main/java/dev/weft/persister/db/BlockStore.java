package dev.weft.persister.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Who blocks whom in one-to-one conversations, as their block entries left it. Blocking JDBC. */
public final class BlockStore {

  /** A block entry: {@code blocker} blocks ({@code active}) or unblocks the other user of {@code conv}, at {@code seq}. */
  public record Change(String conv, String blocker, boolean active, long seq) {}

  /** A conversation's state: its latest block entry's seq, and who of the pair blocks the other. */
  public record State(long seq, List<String> blockers) {}

  static final String UPSERT = "INSERT INTO blocks (conv_id, blocker, active, seq) VALUES (?, ?, ?, ?) "
      + "ON DUPLICATE KEY UPDATE active = IF(VALUES(seq) > seq, VALUES(active), active), seq = GREATEST(seq, VALUES(seq))";
  private static final String OF = "SELECT conv_id, blocker, active, seq FROM blocks WHERE conv_id IN (%s)";

  private final DataSource pool;

  BlockStore(DataSource pool) {
    this.pool = pool;
  }

  /** The state of each of these conversations that ever had a block entry. */
  public Map<String, State> of(List<String> convs) throws SQLException {
    Map<String, State> out = new HashMap<>();
    if (convs.isEmpty()) {
      return out;
    }
    try (Connection c = pool.getConnection(); PreparedStatement ps = InList.prepare(c, OF, convs);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String conv = rs.getString(1);
        State s = out.getOrDefault(conv, new State(-1, new ArrayList<>()));
        List<String> blockers = new ArrayList<>(s.blockers());
        if (rs.getBoolean(3)) {
          blockers.add(rs.getString(2));
        }
        out.put(conv, new State(Math.max(s.seq(), rs.getLong(4)), blockers));
      }
    }
    return out;
  }
}
