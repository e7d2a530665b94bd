package dev.weft.persister.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The receipts table: positions that only move forward. Blocking JDBC: call off any event loop. */
public final class ReceiptStore {

  /** One member's positions in a conversation; -1 when nothing is reported yet. */
  public record Position(String conv, String member, long delivered, long read) {}

  private static final String UPSERT = "INSERT INTO receipts (conv_id, member, delivered_seq, read_seq) VALUES (?, ?, ?, ?) "
      + "ON DUPLICATE KEY UPDATE delivered_seq = GREATEST(delivered_seq, VALUES(delivered_seq)), "
      + "read_seq = GREATEST(read_seq, VALUES(read_seq))";
  private static final String OF_CONV = "SELECT conv_id, member, delivered_seq, read_seq FROM receipts WHERE conv_id = ? ORDER BY member";

  private final DataSource pool;

  ReceiptStore(DataSource pool) {
    this.pool = pool;
  }

  /** Applies every position in one transaction; replays and stale positions change nothing. */
  public void advance(List<Position> positions) throws SQLException {
    BatchWrite.run(pool, UPSERT, positions, (ps, p) -> {
      ps.setString(1, p.conv());
      ps.setString(2, p.member());
      ps.setLong(3, p.delivered());
      ps.setLong(4, p.read());
    });
  }


  public List<Position> of(String conv) throws SQLException {
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(OF_CONV)) {
      ps.setString(1, conv);
      List<Position> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Position(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
        }
      }
      return out;
    }
  }
}
