package dev.weft.persister.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/** One JDBC batch of one statement in one transaction: all rows, or (rolled back) none. */
final class BatchWrite {

  /** Sets one row's parameters on the statement. */
  interface Binder<T> {
    void bind(PreparedStatement ps, T row) throws SQLException;
  }

  private BatchWrite() {}

  static <T> void run(DataSource pool, String sql, List<T> rows, Binder<T> binder) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (T row : rows) {
          binder.bind(ps, row);
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }
}
