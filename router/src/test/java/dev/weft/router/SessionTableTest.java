package dev.weft.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionTableTest {

  private final SessionTable table = new SessionTable();

  private Map<String, Integer> presence(String user) {
    SessionTable.Presence p = table.presenceOf(user);
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < p.size(); i++) {
      m.put(p.gateway(i), p.sessions(i));
    }
    return m;
  }

  @Test
  void countsSessionsPerUserAndGateway() {
    table.put("s1", "alice", "gw-a");
    table.put("s2", "alice", "gw-a");
    table.put("s3", "alice", "gw-b");
    table.put("s4", "bob", "gw-b");

    assertEquals(Map.of("gw-a", 2, "gw-b", 1), presence("alice"));
    assertEquals(Map.of("gw-b", 1), presence("bob"));
    assertEquals("gw-a", table.gatewayOf("s2"));
    assertEquals(4, table.sessionCount());
    assertEquals(2, table.userCount());
  }

  @Test
  void aRetractedSessionLeavesOnlyTheOthers() {
    table.put("s1", "alice", "gw-a");
    table.put("s2", "alice", "gw-a");
    table.put("s3", "alice", "gw-b");

    table.remove("s1");
    assertEquals(Map.of("gw-a", 1, "gw-b", 1), presence("alice"));
    table.remove("s3");
    assertEquals(Map.of("gw-a", 1), presence("alice"));
    table.remove("s2");
    assertSame(SessionTable.Presence.NONE, table.presenceOf("alice"));
    assertNull(table.gatewayOf("s2"));
    assertEquals(0, table.userCount());
  }

  @Test
  void retractingAnUnknownSessionOrTwiceChangesNothing() {
    table.put("s1", "alice", "gw-a");
    table.remove("nope");
    table.remove("s1");
    table.remove("s1");
    assertEquals(0, table.sessionCount());
    assertSame(SessionTable.Presence.NONE, table.presenceOf("alice"));
  }

  @Test
  void aSessionAnnouncedAgainIsCountedOnceAndMayMove() {
    table.put("s1", "alice", "gw-a");
    table.put("s1", "alice", "gw-a");
    assertEquals(Map.of("gw-a", 1), presence("alice"));

    table.put("s1", "alice", "gw-b");
    assertEquals(Map.of("gw-b", 1), presence("alice"));
    assertEquals("gw-b", table.gatewayOf("s1"));
  }

  @Test
  void refusesAGatewayIdThatCannotNameATopic() {
    assertThrows(IllegalArgumentException.class, () -> table.put("s1", "alice", "gw/../x"));
    assertThrows(IllegalArgumentException.class, () -> table.put("s1", "alice", ""));
    assertEquals(0, table.sessionCount());
  }
}
