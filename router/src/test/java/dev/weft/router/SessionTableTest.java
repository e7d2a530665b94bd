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

  @Test
  void sessionIdsThatAreUuidsAndOnesThatAreNotAreKeptApartAndGivenBackAsTheyCame() {
    String uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
    String upper = uuid.toUpperCase(java.util.Locale.ROOT); // the same UUID to a parser, another id to a gateway
    table.put(uuid, "alice", "gw-a");
    table.put(upper, "alice", "gw-b");
    table.put("not-a-uuid", "alice", "gw-a");
    assertEquals(3, table.sessionCount());
    assertEquals("gw-a", table.gatewayOf(uuid));
    assertEquals("gw-b", table.gatewayOf(upper));
    assertEquals(java.util.Set.of(uuid, "not-a-uuid"), new java.util.HashSet<>(table.sessionsOf("gw-a")));
    assertEquals(java.util.List.of(upper), table.sessionsOf("gw-b"));
    table.remove(uuid);
    assertNull(table.gatewayOf(uuid));
    assertEquals("gw-b", table.gatewayOf(upper));
    assertEquals(Map.of("gw-a", 1, "gw-b", 1), presence("alice"));
  }

  @Test
  void usersWithOneSessionOnAGatewayShareOnePresenceAndCountStaysRightThroughEveryChange() {
    table.put("s1", "alice", "gw-a");
    table.put("s2", "bob", "gw-a");
    assertSame(table.presenceOf("alice"), table.presenceOf("bob"), "one immutable presence for every such user");
    table.put("s3", "alice", "gw-a"); // two sessions: her own presence now, bob's unchanged
    assertEquals(Map.of("gw-a", 2), presence("alice"));
    assertEquals(Map.of("gw-a", 1), presence("bob"));
    table.remove("s3");
    assertSame(table.presenceOf("alice"), table.presenceOf("bob"));
    table.put("s4", "alice", "gw-b");
    assertEquals(Map.of("gw-a", 1, "gw-b", 1), presence("alice"));
    table.remove("s1");
    assertEquals(Map.of("gw-b", 1), presence("alice"));
    table.put("s5", "carol", "gw-b");
    assertSame(table.presenceOf("alice"), table.presenceOf("carol"));
    table.remove("s4");
    assertEquals(0, table.presenceOf("alice").size());
    assertEquals(Map.of("gw-a", 1), presence("bob"));
  }
}
