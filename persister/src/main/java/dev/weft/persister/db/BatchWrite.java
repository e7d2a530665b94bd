package dev.weft.persister.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/** JDBC batches of one or more statements in one transaction: all rows of all of them, or (rolled back) none. */
final class BatchWrite {

  /** Sets one row's parameters on the statement. */
  interface Binder<T> {
    void bind(PreparedStatement ps, T row) throws SQLException;
  }

  /** One statement and the rows to run it for. */
  record Step<T>(String sql, List<T> rows, Binder<T> binder) {

    void run(Connection c) throws SQLException {
      if (rows.isEmpty()) {
        return;
      }
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (T row : rows) {
          binder.bind(ps, row);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
  }

  private BatchWrite() {}

  static <T> void run(DataSource pool, String sql, List<T> rows, Binder<T> binder) throws SQLException {
    run(pool, List.of(new Step<>(sql, rows, binder)));
  }

  /** Runs the steps in order, in one transaction. */
  static void run(DataSource pool, List<Step<?>> steps) throws SQLException {
    if (steps.stream().allMatch(s -> s.rows().isEmpty())) {
      return;
    }
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        for (Step<?> step : steps) {
          step.run(c);
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }
}
