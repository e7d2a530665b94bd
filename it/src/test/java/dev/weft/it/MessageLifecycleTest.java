package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, a message's lifecycle: edits, deletes for everyone and reactions, each an entry of the conversation's
 * stream with its own seq, delivered, caught up, stored and shown in history; only the sender edits, the sender or
 * a group admin deletes, and a deleted message's text is gone from MySQL.
 */
@WeftIntegrationTest
class MessageLifecycleTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void editsReactionsAndADeleteReachTheOtherSideAndHistoryShowsWhereTheyLeftTheMessage(WeftInfra infra)
      throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of());
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("ml-alice"), "phone");
        WsClient bob = WsClient.connect(fabric.port(1), fabric.token("ml-bob"), "phone")) {
      fabric.awaitRoutable(2);
      JsonObject sent = alice.acked(send("1", "ml-bob", "helo wrold"), WAIT);
      String conv = sent.getString("conv");
      String id = sent.getString("id");
      bob.await(f -> id.equals(f.getString("id")), WAIT);

      JsonObject edited = alice.acked(action("e1", "edit", conv, id).put("text", "hello world"), WAIT);
      assertTrue(edited.getLong("seq") > sent.getLong("seq"), "an entry of its own, after the message");
      JsonObject edit = bob.await(f -> "edit".equals(f.getString("op")), WAIT);
      assertEquals(id, edit.getString("target"));
      assertEquals("hello world", edit.getString("text"));
      assertEquals(edited.getLong("seq"), edit.getLong("seq"));

      assertEquals("not_sender", refused(bob, action("e2", "edit", conv, id).put("text", "mine now")));
      assertEquals("no_such_message", refused(alice, action("e3", "edit", conv, "no-such-id").put("text", "x")));

      bob.acked(action("r1", "react", conv, id).put("emoji", "👍"), WAIT);
      bob.acked(action("r2", "react", conv, id).put("emoji", "❤️"), WAIT); // replaces his 👍
      JsonObject react = alice.await(f -> "react".equals(f.getString("op")) && "ml-bob".equals(f.getString("from"))
          && "❤️".equals(f.getString("emoji")), WAIT);
      assertEquals(id, react.getString("target"));
      alice.acked(action("r3", "react", conv, id).put("emoji", "👍"), WAIT);
      assertEquals("bad_request", refused(bob, action("r4", "react", conv, id).put("emoji", "two words")));

      JsonObject msg = awaitHistory(fabric, conv, h -> h.stream().anyMatch(m -> "react".equals(m.getString("op"))
          && "ml-alice".equals(m.getString("from")))).get(0);
      assertEquals("hello world", msg.getString("text"));
      assertEquals(true, msg.getBoolean("edited"));
      assertEquals(new JsonObject().put("❤️", new JsonArray().add("ml-bob")).put("👍", new JsonArray().add("ml-alice")),
          msg.getJsonObject("reactions"));

      bob.acked(action("r5", "react", conv, id).putNull("emoji"), WAIT); // removed
      JsonObject deleted = alice.acked(action("d1", "delete", conv, id), WAIT);
      bob.await(f -> "delete".equals(f.getString("op")) && id.equals(f.getString("target")), WAIT);
      assertEquals("no_such_message", refused(alice, action("e4", "edit", conv, id).put("text", "back")));
      assertEquals("no_such_message", refused(bob, action("r6", "react", conv, id).put("emoji", "👍")));

      List<JsonObject> history = awaitHistory(fabric, conv, h -> h.stream().anyMatch(m -> "delete".equals(m.getString("op"))));
      assertEquals(List.of("msg", "edit", "react", "react", "react", "react", "delete"),
          history.stream().map(m -> m.getString("op")).toList(), "every entry stays, in order");
      assertEquals("", history.get(0).getString("text"));
      assertEquals(true, history.get(0).getBoolean("deleted"));
      assertNull(history.get(0).getValue("reactions"), "a deleted message shows no reactions");
      assertEquals("", history.get(1).getString("text"), "the edit's text went with the message");
      assertEquals(deleted.getLong("seq"), history.get(6).getLong("seq"));
      try (Connection db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword())) {
        assertEquals(0, Sql.count(db, "SELECT COUNT(*) FROM messages WHERE text LIKE '%hel%' OR text LIKE '%wrold%'"),
            "no copy of the text is left in MySQL");
      }

      // A device that catches up gets the entries in order, like messages.
      try (WsClient tablet = WsClient.resume(fabric.port(1), fabric.token("ml-bob"), "tablet", "new")) {
        List<JsonObject> caught = tablet.collect(f -> f.containsKey("seq"), 7, WAIT);
        assertEquals(List.of("msg", "edit", "react", "react", "react", "react", "delete"),
            caught.stream().map(f -> f.getString("op")).toList());
        assertEquals(true, caught.get(0).getBoolean("deleted"), "the message as it stands now: " + caught.get(0));
        tablet.await(f -> "synced".equals(f.getString("op")), WAIT);
      }
    }
  }

  @Test
  void inAGroupAnAdminDeletesAnyonesMessageAndAMemberOnlyTheirOwn(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of());
        WsClient admin = WsClient.connect(fabric.port(1), fabric.token("mg-admin"), "phone");
        WsClient bob = WsClient.connect(fabric.port(1), fabric.token("mg-bob"), "phone");
        WsClient carol = WsClient.connect(fabric.port(1), fabric.token("mg-carol"), "phone")) {
      fabric.awaitRoutable(3);
      String group = admin.acked(new JsonObject().put("op", "group_create").put("ref", "g").put("title", "t")
          .put("members", new JsonArray().add("mg-bob").add("mg-carol")), WAIT).getString("conv");
      JsonObject fromBob = bob.acked(new JsonObject().put("op", "send").put("ref", "1").put("conv", group)
          .put("text", "spam"), WAIT);
      JsonObject fromCarol = carol.acked(new JsonObject().put("op", "send").put("ref", "2").put("conv", group)
          .put("text", "fine"), WAIT);
      assertEquals("not_sender", refused(bob, action("d1", "delete", group, fromCarol.getString("id"))));
      assertEquals("not_sender", refused(admin, action("e1", "edit", group, fromBob.getString("id")).put("text", "x")),
          "an admin deletes, but does not edit, others' messages");
      admin.acked(action("d2", "delete", group, fromBob.getString("id")), WAIT);
      carol.await(f -> "delete".equals(f.getString("op")) && fromBob.getString("id").equals(f.getString("target")), WAIT);
      carol.acked(action("d3", "delete", group, fromCarol.getString("id")), WAIT);
      List<JsonObject> history = awaitHistory(fabric, "mg-bob", group,
          h -> h.stream().filter(m -> "delete".equals(m.getString("op"))).count() == 2);
      List<JsonObject> messages = history.stream().filter(m -> "msg".equals(m.getString("op"))).toList();
      assertEquals(2, messages.size());
      messages.forEach(m -> assertEquals(true, m.getBoolean("deleted"), m.encode()));
    }
  }

  private static JsonObject send(String ref, String to, String text) {
    return new JsonObject().put("op", "send").put("ref", ref).put("to", to).put("text", text);
  }

  private static JsonObject action(String ref, String op, String conv, String target) {
    return new JsonObject().put("op", op).put("ref", ref).put("conv", conv).put("id", target);
  }

  private static String refused(WsClient c, JsonObject frame) {
    c.send(frame);
    JsonObject answer = c.await(f -> frame.getString("ref").equals(f.getString("ref")), WAIT);
    assertEquals("error", answer.getString("op"), frame.encode() + " → " + answer.encode());
    return answer.getString("code");
  }

  private static List<JsonObject> awaitHistory(Fabric fabric, String conv,
      java.util.function.Predicate<List<JsonObject>> done) {
    return awaitHistory(fabric, "ml-alice", conv, done);
  }

  private static List<JsonObject> awaitHistory(Fabric fabric, String user, String conv,
      java.util.function.Predicate<List<JsonObject>> done) {
    return org.awaitility.Awaitility.await().atMost(WAIT).until(
        () -> OneToOneEndToEndTest.readHistory(fabric.port(1), fabric.token(user), conv), done::test);
  }
}
