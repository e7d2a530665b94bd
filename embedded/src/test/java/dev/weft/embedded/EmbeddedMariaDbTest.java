package dev.weft.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EmbeddedMariaDbTest {

  /** Shared by every test run of this module: unpacking the binaries once is enough. */
  private static final Path BASE = Path.of("target", "embedded-mariadb-test", "base");

  private final Path data = Path.of("target", "embedded-mariadb-test", "data-" + UUID.randomUUID());

  @AfterEach
  void deleteData() throws Exception {
    EmbeddedKafkaTest.deleteRecursively(data);
  }

  @Test
  void server_answersQueries_andKeepsItsDataAcrossARestartOnTheSameDirectory() throws Exception {
    try (EmbeddedMariaDb db = EmbeddedMariaDb.start(0, BASE, data)) {
      assertTrue(db.port() > 0);
      db.createDatabase("weft_embedded_test");
      try (Connection c = DriverManager.getConnection(db.jdbcUrl("weft_embedded_test"), EmbeddedMariaDb.USER,
          EmbeddedMariaDb.PASSWORD);
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(100))");
        s.execute("INSERT INTO notes VALUES (1, 'kept')");
        try (ResultSet rs = s.executeQuery("SELECT VERSION()")) {
          assertTrue(rs.next());
          assertTrue(rs.getString(1).contains("MariaDB"), rs.getString(1));
        }
      }
      db.close();
      db.close(); // idempotent
    }

    try (EmbeddedMariaDb again = EmbeddedMariaDb.start(0, BASE, data);
        Connection c = DriverManager.getConnection(again.jdbcUrl("weft_embedded_test"), "root", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT body FROM notes WHERE id = 1")) {
      assertTrue(rs.next());
      assertEquals("kept", rs.getString(1));
    }
  }
}
