package dev.weft.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
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

  @Test
  void eachSessionKeepsItsOwnGatewayWhileItsUsersHomeGatewayMovesAndNumbersAreReused() {
    String a = "00000000-0000-4000-8000-00000000000a";
    String b = "00000000-0000-4000-8000-00000000000b";
    String c = "00000000-0000-4000-8000-00000000000c";
    String d = "00000000-0000-4000-8000-00000000000d";
    table.put(a, "alice", "gw-h"); // her home
    table.put(b, "alice", "gw-1"); // away from it
    table.remove(a); // on gw-1 alone now: gw-1 becomes her home, gw-h's number is free
    assertEquals("gw-1", table.gatewayOf(b));
    assertEquals(Map.of("gw-1", 1), presence("alice"));
    table.put("ffffffff-0000-4000-8000-000000000001", "zed", "gw-x"); // takes gw-h's old number
    table.put(c, "alice", "gw-1");
    table.put(d, "alice", "gw-x");
    assertEquals("gw-1", table.gatewayOf(b));
    assertEquals("gw-1", table.gatewayOf(c));
    assertEquals("gw-x", table.gatewayOf(d));
    assertEquals(java.util.Set.of(b, c), new java.util.HashSet<>(table.sessionsOf("gw-1")));
    assertEquals(java.util.Set.of(d, "ffffffff-0000-4000-8000-000000000001"),
        new java.util.HashSet<>(table.sessionsOf("gw-x")));
    table.remove(b);
    table.remove(c); // on gw-x alone: back to one gateway, the away session's own
    assertEquals("gw-x", table.gatewayOf(d));
    assertEquals(Map.of("gw-x", 1), presence("alice"));
    table.put(d, "alice", "gw-1"); // moved
    assertEquals("gw-1", table.gatewayOf(d));
    assertEquals(List.of(d), table.sessionsOf("gw-1"));
    table.remove(d);
    assertEquals(1, table.sessionCount());
    assertEquals(java.util.Set.of("gw-x"), table.gateways());
  }

  @Test
  void agreesWithASimpleModelThroughAHundredThousandRandomChanges() {
    java.util.Random random = new java.util.Random(42);
    Map<String, String[]> model = new java.util.HashMap<>(); // session -> {user, gateway}
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      // mostly canonical UUIDs, as gateways make them; some other ids too
      ids.add(i % 10 == 0 ? "s-" + i : new java.util.UUID(random.nextLong(), random.nextLong()).toString());
    }
    String[] people = new String[500];
    for (int i = 0; i < people.length; i++) {
      people[i] = i % 50 == 0 ? "ünï-" + i : "user-" + i; // some ids that are not ASCII
    }
    for (int step = 0; step < 100_000; step++) {
      String session = ids.get(random.nextInt(ids.size()));
      if (random.nextInt(3) == 0) {
        table.remove(session);
        model.remove(session);
      } else {
        String user = people[random.nextInt(people.length)];
        String gateway = "gw-" + random.nextInt(step < 50_000 ? 8 : 200); // later, gateways come and go
        table.put(session, user, gateway);
        model.put(session, new String[] {user, gateway});
      }
      if (step % 10_000 == 0 || step == 99_999) {
        assertSameAs(model, ids, people);
      }
    }
    for (String id : ids) {
      table.remove(id);
    }
    assertEquals(0, table.sessionCount());
    assertEquals(0, table.userCount());
    assertEquals(java.util.Set.of(), table.gateways());
  }

  private void assertSameAs(Map<String, String[]> model, List<String> ids, String[] people) {
    assertEquals(model.size(), table.sessionCount());
    Map<String, Map<String, Integer>> where = new java.util.HashMap<>();
    Map<String, java.util.Set<String>> byGateway = new java.util.HashMap<>();
    model.forEach((session, ug) -> {
      where.computeIfAbsent(ug[0], u -> new java.util.HashMap<>()).merge(ug[1], 1, Integer::sum);
      byGateway.computeIfAbsent(ug[1], g -> new java.util.HashSet<>()).add(session);
    });
    assertEquals(where.size(), table.userCount());
    for (String user : people) {
      assertEquals(where.getOrDefault(user, Map.of()), presence(user), user);
    }
    for (String id : ids) {
      String[] ug = model.get(id);
      assertEquals(ug == null ? null : ug[1], table.gatewayOf(id), id);
    }
    assertEquals(byGateway.keySet(), table.gateways());
    byGateway.forEach((g, sessions) -> assertEquals(sessions, new java.util.HashSet<>(table.sessionsOf(g)), g));
  }

  @Test
  void readersOnAnotherThreadNeverSeeAStateThatWasNeverThere() throws Exception {
    // bob stays on gw-b throughout; alice's sessions churn and make the tables grow, shrink and compact meanwhile.
    table.put("bob-1", "bob", "gw-b");
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<String> wrong = new java.util.concurrent.atomic.AtomicReference<>();
    Thread reader = new Thread(() -> {
      while (!stop.get()) {
        SessionTable.Presence p = table.presenceOf("bob");
        if (p.size() != 1 || !p.gateway(0).equals("gw-b") || p.sessions(0) != 1) {
          wrong.set("bob's presence read as " + p.size() + " gateways");
        }
        if (!"gw-b".equals(table.gatewayOf("bob-1"))) {
          wrong.set("bob's session read as on " + table.gatewayOf("bob-1"));
        }
      }
    });
    reader.start();
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < 5000; i++) {
        table.put(new java.util.UUID(round, i).toString(), "user-" + round + "-" + i, "gw-" + (i % 7));
      }
      for (int i = 0; i < 5000; i++) {
        table.remove(new java.util.UUID(round, i).toString());
      }
    }
    stop.set(true);
    reader.join();
    assertNull(wrong.get(), wrong.get());
    assertEquals(1, table.sessionCount());
  }

  @Test
  void aUserWithMoreSessionsOnOneGatewayThanAWordCountsIsStillCountedRight() {
    for (int i = 0; i < 70_000; i++) {
      table.put("s" + i, "bot", "gw-a");
    }
    assertEquals(Map.of("gw-a", 70_000), presence("bot"));
    for (int i = 0; i < 69_999; i++) {
      table.remove("s" + i);
    }
    assertEquals(Map.of("gw-a", 1), presence("bot"));
    table.remove("s69999");
    assertEquals(0, table.userCount());
  }
}
