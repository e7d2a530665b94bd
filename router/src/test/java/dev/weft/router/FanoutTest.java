package dev.weft.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FanoutTest {

  private final SessionTable table = new SessionTable();
  private final Fanout fanout = new Fanout(table, Topics.withPrefix("t."));

  private Map<String, List<String>> group(List<String> members, String from, String fromSession) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Fanout.Bucket b : fanout.group(members, from, fromSession)) {
      assertEquals("t.deliver." + b.gateway, b.topic);
      out.put(b.gateway, List.copyOf(b.recipients));
    }
    return out;
  }

  @Test
  void groupsMembersByTheGatewaysHoldingTheirSessions() {
    table.put("a1", "alice", "gw-a");
    table.put("b1", "bob", "gw-b");
    table.put("b2", "bob", "gw-c");
    table.put("c1", "carol", "gw-b");

    assertEquals(Map.of("gw-a", List.of("alice"), "gw-b", List.of("bob", "carol"), "gw-c", List.of("bob")),
        group(List.of("alice", "bob", "carol", "dave"), "dave", "d1"));
  }

  @Test
  void membersWithoutSessionsYieldNothing() {
    assertTrue(group(List.of("alice", "bob"), "alice", "a1").isEmpty());
  }

  @Test
  void skipsAGatewayWhereTheSendersOnlySessionIsTheSendingOne() {
    table.put("a1", "alice", "gw-a");
    table.put("b1", "bob", "gw-b");
    assertEquals(Map.of("gw-b", List.of("bob")), group(List.of("alice", "bob"), "alice", "a1"));

    table.put("a2", "alice", "gw-a"); // alice's second device on the same gateway must get it
    assertEquals(Map.of("gw-a", List.of("alice"), "gw-b", List.of("bob")), group(List.of("alice", "bob"), "alice", "a1"));
  }

  @Test
  void deliversToTheSenderWhenTheSendingSessionIsNotKnownYet() {
    table.put("a1", "alice", "gw-a");
    assertEquals(Map.of("gw-a", List.of("alice")), group(List.of("alice"), "alice", "a9"));
  }

  @Test
  void eachCallStartsAfresh() {
    table.put("a1", "alice", "gw-a");
    table.put("b1", "bob", "gw-a");
    assertEquals(Map.of("gw-a", List.of("alice", "bob")), group(List.of("alice", "bob"), "x", "x1"));
    assertEquals(Map.of("gw-a", List.of("bob")), group(List.of("bob"), "x", "x1"));
    assertTrue(group(List.of("zed"), "x", "x1").isEmpty());
  }
}
