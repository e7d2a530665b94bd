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

  // updated_ms is set by every receipt, even a stale one that moves nothing: harmless, a catch-up resends a position.
  private static final String UPSERT = "INSERT INTO receipts (conv_id, member, delivered_seq, read_seq, updated_ms) "
      + "VALUES (?, ?, ?, ?, ?) "
      + "ON DUPLICATE KEY UPDATE delivered_seq = GREATEST(delivered_seq, VALUES(delivered_seq)), "
      + "read_seq = GREATEST(read_seq, VALUES(read_seq)), updated_ms = VALUES(updated_ms)";
  private static final String COLUMNS = "r.conv_id, r.member, r.delivered_seq, r.read_seq";
  private static final String OF_CONV = "SELECT " + COLUMNS + " FROM receipts r WHERE r.conv_id = ? ORDER BY r.member";
  private static final String OF_USER_SINCE = "SELECT " + COLUMNS + " FROM conversation_members cm "
      + "JOIN receipts r ON r.conv_id = cm.conv_id WHERE cm.user_id = ? AND r.updated_ms >= ? ORDER BY r.conv_id, r.member";

  private final DataSource pool;

  ReceiptStore(DataSource pool) {
    this.pool = pool;
  }

  /**
   * Applies every position in one transaction; replays and stale positions change no position. Each row applied gets
   * this persister's clock as {@code updated_ms}, which {@link #ofUserSince} filters on.
   */
  public void advance(List<Position> positions) throws SQLException {
    long now = System.currentTimeMillis();
    BatchWrite.run(pool, UPSERT, positions, (ps, p) -> {
      ps.setString(1, p.conv());
      ps.setString(2, p.member());
      ps.setLong(3, p.delivered());
      ps.setLong(4, p.read());
      ps.setLong(5, now);
    });
  }

  public List<Position> of(String conv) throws SQLException {
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(OF_CONV)) {
      return of(ps, conv);
    }
  }

  /** Every position in each of the conversations, conversation by conversation. */
  public List<Position> of(List<String> convs) throws SQLException {
    List<Position> out = new ArrayList<>();
    if (convs.isEmpty()) {
      return out;
    }
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(OF_CONV)) {
      for (String conv : convs) {
        out.addAll(of(ps, conv));
      }
    }
    return out;
  }

  /**
   * Every position, in every conversation the user is a member of (by the conversation index), applied at or after
   * {@code sinceMs} of the persisters' clocks.
   */
  public List<Position> ofUserSince(String user, long sinceMs) throws SQLException {
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(OF_USER_SINCE)) {
      ps.setString(1, user);
      ps.setLong(2, sinceMs);
      return read(ps);
    }
  }

  private static List<Position> of(PreparedStatement ps, String conv) throws SQLException {
    ps.setString(1, conv);
    return read(ps);
  }

  private static List<Position> read(PreparedStatement ps) throws SQLException {
    List<Position> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new Position(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
      }
    }
    return out;
  }
}
