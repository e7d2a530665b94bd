package dev.weft.chaos;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/** The ids of every message in MySQL's history, read straight from the persisters' table once the run is quiet. */
final class StoredMessages {

  private StoredMessages() {}

  static Set<String> ids(String jdbcUrl) throws SQLException {
    Set<String> ids = new HashSet<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl, "root", "chaos");
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT id FROM messages")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  /** "conv seq sender ts" of each of {@code ids} that history holds. */
  static java.util.Map<String, String> describe(String jdbcUrl, java.util.Collection<String> ids) throws SQLException {
    java.util.Map<String, String> out = new java.util.HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    String in = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
    try (Connection c = DriverManager.getConnection(jdbcUrl, "root", "chaos");
         java.sql.PreparedStatement s = c.prepareStatement(
             "SELECT id, conv_id, seq, sender, ts FROM messages WHERE id IN (" + in + ")")) {
      int i = 1;
      for (String id : ids) {
        s.setString(i++, id);
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2) + " seq " + rs.getLong(3) + " from " + rs.getString(4)
              + " ts " + rs.getLong(5));
        }
      }
    }
    return out;
  }
}
