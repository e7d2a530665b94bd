package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group conversations: membership events in the conversation's order, members only, admins only. */
@WeftIntegrationTest
class GroupsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Frames a client received while a test waited for one of its answers: kept, not dropped. */
  private final Map<WsClient, List<JsonObject>> passed = new java.util.IdentityHashMap<>();

  JsonObject request(WsClient c, JsonObject frame) {
    c.send(frame);
    String ref = frame.getString("ref");
    while (true) {
      JsonObject f = c.next(WAIT);
      if (ref.equals(f.getString("ref"))) {
        return f;
      }
      passed.computeIfAbsent(c, k -> new ArrayList<>()).add(f);
    }
  }

  /** What the client received so far and was not read yet, in order. */
  List<JsonObject> received(WsClient c) {
    List<JsonObject> out = new ArrayList<>(passed.getOrDefault(c, List.of()));
    passed.remove(c);
    out.addAll(c.drain());
    return out;
  }

  JsonObject create(WsClient c, String ref, String title, List<String> members) {
    return request(c, new JsonObject().put("op", "group_create").put("ref", ref).put("title", title)
        .put("members", new JsonArray(new ArrayList<>(members))));
  }

  JsonObject change(WsClient c, String op, String ref, String conv, List<String> members) {
    JsonObject f = new JsonObject().put("op", op).put("ref", ref).put("conv", conv);
    if (members != null) {
      f.put("members", new JsonArray(new ArrayList<>(members)));
    }
    return request(c, f);
  }

  JsonObject say(WsClient c, String ref, String conv, String text) {
    return request(c, new JsonObject().put("op", "send").put("ref", ref).put("conv", conv).put("text", text));
  }

  @Test
  @DisplayName("a 100-member group over two gateways: 200 messages from five senders reach every member once, in one order,"
      + " and membership changes land in that order")
  void hundredMemberGroupGetsEveryMessageOnceInOneOrder(WeftInfra infra) throws Exception {
    int n = 100;
    List<String> users = IntStream.range(0, n).mapToObj(i -> "g1-u" + i).toList();
    try (Fabric fabric = Fabric.start(infra, 2, Map.of("WEFT_SEND_RATE", "100000", "WEFT_SEND_BURST", "100000"))) {
      List<WsClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < n; i++) {
          clients.add(WsClient.connect(fabric.port(1 + i % 2), fabric.token(users.get(i)), null));
        }
        fabric.awaitRoutable(n);
        JsonObject created = create(clients.get(0), "c", "a hundred", users.subList(1, n));
        assertEquals("ack", created.getString("op"), created.encode());
        String conv = created.getString("conv");

        List<JsonObject> acks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          acks.add(say(clients.get(i % 5), "m" + i, conv, "message " + i));
        }
        acks.forEach(a -> assertEquals("ack", a.getString("op"), a.encode()));
        // The admin removes the last member, then writes once more: the removed member sees its removal, not that.
        JsonObject removed = change(clients.get(0), "group_remove", "rm", conv, List.of(users.get(n - 1)));
        JsonObject after = say(clients.get(0), "after", conv, "after the removal");

        for (int i = 0; i < n; i++) {
          String me = users.get(i);
          Set<String> expected = new HashSet<>();
          for (int m = 0; m < 200; m++) {
            if (m % 5 != i || i >= 5) {
              expected.add(acks.get(m).getString("id"));
            }
          }
          if (i != 0) {
            expected.add(created.getString("id"));
            expected.add(removed.getString("id"));
          }
          if (i != 0 && i != n - 1) {
            expected.add(after.getString("id"));
          }
          List<JsonObject> got = new ArrayList<>();
          long deadline = System.nanoTime() + WAIT.toNanos();
          while (got.size() < expected.size()) {
            List<JsonObject> more = received(clients.get(i));
            more.stream().filter(f -> "msg".equals(f.getString("op")) || "event".equals(f.getString("op"))).forEach(got::add);
            if (System.nanoTime() > deadline) {
              Set<String> have = got.stream().map(f -> f.getString("id")).collect(Collectors.toSet());
              throw new AssertionError(me + " got " + got.size() + " of " + expected.size() + "; missing "
                  + expected.stream().filter(id -> !have.contains(id)).count() + ", e.g. "
                  + expected.stream().filter(id -> !have.contains(id)).limit(3).toList() + "; last " + (got.isEmpty() ? null : got.get(got.size() - 1)));
            }
            if (more.isEmpty()) {
              Thread.sleep(10);
            }
          }
          assertEquals(expected, got.stream().map(f -> f.getString("id")).collect(Collectors.toSet()), me);
          for (int k = 1; k < got.size(); k++) {
            assertTrue(got.get(k).getLong("seq") > got.get(k - 1).getLong("seq"), me + " sees one order");
          }
          if (i == n - 1) {
            JsonObject last = got.get(got.size() - 1);
            assertEquals("removed", last.getString("event"), "the removed member's last frame is its removal");
          }
        }
        Thread.sleep(300);
        assertTrue(received(clients.get(n - 1)).stream().noneMatch(f -> "msg".equals(f.getString("op"))),
            "nothing after the removal reaches the removed member");
      } finally {
        clients.forEach(WsClient::close);
      }
    }
  }

  @Test
  @DisplayName("non-members and non-admins are refused with documented codes; removed members stop receiving and reading;"
      + " a member added later reads from its addition on")
  void onlyMembersWriteAndReadAndOnlyAdminsChangeMembership(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 2, Map.of("WEFT_GROUP_MAX_MEMBERS", "4"));
        WsClient ann = WsClient.connect(fabric.port(1), fabric.token("g2-ann"), null);
        WsClient ben = WsClient.connect(fabric.port(2), fabric.token("g2-ben"), null);
        WsClient cat = WsClient.connect(fabric.port(2), fabric.token("g2-cat"), null);
        WsClient dan = WsClient.connect(fabric.port(1), fabric.token("g2-dan"), null)) {
      fabric.awaitRoutable(4);
      assertEquals("group_too_large", create(ann, "big", "too big", List.of("g2-ben", "g2-cat", "g2-dan", "g2-eve"))
          .getString("code"));
      assertEquals("bad_request", create(ann, "notitle", "", List.of("g2-ben")).getString("code"));
      String conv = create(ann, "c", "three", List.of("g2-ben", "g2-cat")).getString("conv");
      ben.await(f -> "event".equals(f.getString("op")), WAIT);
      cat.await(f -> "event".equals(f.getString("op")), WAIT);

      assertEquals("not_member", say(dan, "d1", conv, "let me in").getString("code"));
      assertEquals("not_admin", change(ben, "group_add", "b1", conv, List.of("g2-dan")).getString("code"));
      assertEquals("not_admin", change(ben, "group_remove", "b2", conv, List.of("g2-cat")).getString("code"));
      assertEquals("not_member", change(dan, "group_leave", "d2", conv, null).getString("code"));
      assertEquals(403, historyStatus(fabric, "g2-dan", conv));

      JsonObject first = say(ben, "b3", conv, "before cat leaves");
      assertEquals("ack", change(ann, "group_remove", "a1", conv, List.of("g2-cat")).getString("op"));
      JsonObject removal = cat.await(f -> "event".equals(f.getString("op")), WAIT);
      assertEquals("removed", removal.getString("event"));
      assertEquals(List.of("g2-cat"), removal.getJsonArray("users").getList());
      assertEquals("not_member", say(cat, "c1", conv, "still here?").getString("code"));
      assertEquals(403, historyStatus(fabric, "g2-cat", conv));

      assertEquals("ack", change(ann, "group_add", "a2", conv, List.of("g2-dan")).getString("op"));
      JsonObject second = say(ben, "b4", conv, "after dan joins");
      JsonObject toDan = dan.await(f -> "msg".equals(f.getString("op")), WAIT);
      assertEquals(second.getString("id"), toDan.getString("id"));
      Thread.sleep(300);
      assertTrue(received(cat).stream().noneMatch(f -> "msg".equals(f.getString("op"))), "cat gets nothing after her removal");

      List<JsonObject> bens = OneToOneEndToEndTest.readHistory(fabric.port(1), fabric.token("g2-ben"), conv);
      assertEquals(List.of("event:created", "msg", "event:removed", "event:added", "msg"), kinds(bens));
      List<JsonObject> dans = OneToOneEndToEndTest.readHistory(fabric.port(1), fabric.token("g2-dan"), conv);
      assertEquals(List.of("event:added", "msg"), kinds(dans), "dan reads from the event that added him");
      assertTrue(dans.stream().noneMatch(m -> first.getString("id").equals(m.getString("id"))));

      try (Connection db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword())) {
        assertEquals(1, Sql.count(db, "SELECT COUNT(*) FROM conversation_members WHERE conv_id = '" + conv
            + "' AND user_id = 'g2-cat' AND left_seq IS NOT NULL"), "cat's membership ended in MySQL");
        assertEquals(3, Sql.count(db, "SELECT COUNT(*) FROM conversation_members WHERE conv_id = '" + conv
            + "' AND left_seq IS NULL"));
      }
    }
  }

  @Test
  @DisplayName("a group member resuming with a cursor catches up on the group; a removed one only up to its removal")
  void groupCatchUpRespectsMembership(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of());
        WsClient ann = WsClient.connect(fabric.port(1), fabric.token("g3-ann"), null)) {
      String benCursor;
      String catCursor;
      try (WsClient ben = WsClient.resume(fabric.port(1), fabric.token("g3-ben"), null, "new");
          WsClient cat = WsClient.resume(fabric.port(1), fabric.token("g3-cat"), null, "new")) {
        benCursor = ResumeTest.untilSynced(ben).cursor();
        catCursor = ResumeTest.untilSynced(cat).cursor();
      }
      JsonObject created = create(ann, "c", "away", List.of("g3-ben", "g3-cat"));
      String conv = created.getString("conv");
      JsonObject one = say(ann, "1", conv, "one");
      JsonObject removed = change(ann, "group_remove", "r", conv, List.of("g3-cat"));
      JsonObject two = say(ann, "2", conv, "two");
      try (WsClient ben = WsClient.resume(fabric.port(1), fabric.token("g3-ben"), null, benCursor);
          WsClient cat = WsClient.resume(fabric.port(1), fabric.token("g3-cat"), null, catCursor)) {
        assertEquals(ids(created, one, removed, two), ids(ResumeTest.untilSynced(ben).messages()));
        assertEquals(ids(created, one, removed), ids(ResumeTest.untilSynced(cat).messages()), "nothing after her removal");
      }
    }
  }

  @Test
  @DisplayName("a restarted router rebuilds group membership from Kafka: members still get messages, the removed still not")
  void routerRestartRebuildsMembershipFromKafka(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 2, Map.of());
        WsClient ann = WsClient.connect(fabric.port(1), fabric.token("g4-ann"), null);
        WsClient ben = WsClient.connect(fabric.port(2), fabric.token("g4-ben"), null);
        WsClient cat = WsClient.connect(fabric.port(2), fabric.token("g4-cat"), null)) {
      fabric.awaitRoutable(3);
      String conv = create(ann, "c", "restart", List.of("g4-ben", "g4-cat")).getString("conv");
      change(ann, "group_remove", "r", conv, List.of("g4-cat"));
      cat.await(f -> "removed".equals(f.getString("event")), WAIT);

      fabric.stopRouter();
      fabric.startRouter();
      fabric.awaitRoutable(3);
      JsonObject after = say(ann, "after", conv, "after the restart");
      assertEquals(after.getString("id"), ben.await(f -> "msg".equals(f.getString("op")), WAIT).getString("id"));
      Thread.sleep(300);
      assertTrue(received(cat).stream().noneMatch(f -> "msg".equals(f.getString("op"))));
    }
  }

  private static List<String> ids(JsonObject... frames) {
    return ids(List.of(frames));
  }

  private static List<String> ids(List<JsonObject> frames) {
    return frames.stream().map(f -> f.getString("id")).toList();
  }

  private static List<String> kinds(List<JsonObject> history) {
    return history.stream().map(m -> "event".equals(m.getString("op")) ? "event:" + m.getString("event") : m.getString("op")).toList();
  }

  private static int historyStatus(Fabric fabric, String user, String conv) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + fabric.port(1) + "/v1/conversations/" + conv + "/messages")).header("Authorization", "Bearer " + fabric.token(user))
        .build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode();
  }
}
