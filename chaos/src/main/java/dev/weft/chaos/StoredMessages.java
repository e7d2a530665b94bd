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
}
