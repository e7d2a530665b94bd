package dev.weft.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A second class, so the first's record shows what is shared by the run (the broker) and what is not (schema). */
@WeftIntegrationTest
class SecondClassTest {

  private static final Set<String> PREFIXES = new HashSet<>();

  @Test
  void sharesTheRunsBroker_butNotTheOtherClassesSchema(WeftInfra infra) throws Exception {
    SharedRecord.BOOTSTRAPS.add(infra.kafkaBootstrap());
    assertEquals(1, SharedRecord.BOOTSTRAPS.size(), "one broker per run: " + SharedRecord.BOOTSTRAPS);

    String other = SharedRecord.SCHEMAS.get(WeftInfraExtensionTest.class.getName());
    assertNotEquals(other, infra.dbSchema());
    SharedRecord.SCHEMAS.put(SecondClassTest.class.getName(), infra.dbSchema());

    try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword());
        Statement s = c.createStatement()) {
      // A fresh schema: the other class's table is not here.
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()")) {
        assertTrue(rs.next());
        assertEquals(0, rs.getInt(1));
      }
      if (other != null && SharedRecord.FINISHED.contains(WeftInfraExtensionTest.class.getName())) {
        try (ResultSet rs = s.executeQuery("SHOW DATABASES LIKE '" + other + "'")) {
          assertFalse(rs.next(), "the other class's schema is dropped once that class is done");
        }
      }
    }
    assertTrue(PREFIXES.add(infra.topicPrefix()));
  }

  @Test
  void anotherTest_getsAnotherPrefix(WeftInfra infra) {
    assertTrue(PREFIXES.add(infra.topicPrefix()), "prefix seen before: " + infra.topicPrefix());
  }

  @AfterAll
  static void bothTestsHadTheirOwnPrefix() {
    assertEquals(2, PREFIXES.size());
  }
}
