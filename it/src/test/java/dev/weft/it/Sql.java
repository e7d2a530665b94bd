package dev.weft.it;

import java.sql.Connection;
import java.sql.ResultSet;

/** Reading counts straight from the database the persister writes to. */
final class Sql {

  private Sql() {}

  static long count(Connection db, String sql) throws Exception {
    try (ResultSet rs = db.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
