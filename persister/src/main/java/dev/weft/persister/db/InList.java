package dev.weft.persister.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;

/** A statement whose {@code %s} is an {@code IN} list: one placeholder per key, each bound. */
final class InList {

  private InList() {}

  static PreparedStatement prepare(Connection c, String sql, List<String> keys) throws SQLException {
    PreparedStatement ps = c.prepareStatement(String.format(sql, String.join(",", Collections.nCopies(keys.size(), "?"))));
    try {
      for (int i = 0; i < keys.size(); i++) {
        ps.setString(i + 1, keys.get(i));
      }
    } catch (SQLException e) {
      ps.close();
      throw e;
    }
    return ps;
  }
}
