package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Issue 16, erasure: a user deleted through the server API leaves no text, receipt, membership, reaction, session or
 * last seen of theirs in MySQL, is out of every group, has their sockets closed and their tokens refused; the other
 * users' messages stay, and the conversations keep their order.
 */
@WeftIntegrationTest
class ErasureTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void anErasedUsersDataLeavesMySqlTheirGroupsAndTheirSocketsAndTheOthersKeepTheirs(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of("WEFT_SERVER_API_KEYS", ServerApi.KEY));
        ServerApi api = new ServerApi(fabric.serverApiPort(1));
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("er-alice"), "phone");
        WsClient bob = WsClient.connect(fabric.port(1), fabric.token("er-bob"), "phone")) {
      fabric.awaitRoutable(2);
      String aliceToken = fabric.token("er-alice");
      JsonObject dm = alice.acked(new JsonObject().put("op", "send").put("ref", "1").put("to", "er-bob")
          .put("text", "alice's secret"), WAIT);
      bob.acked(new JsonObject().put("op", "send").put("ref", "2").put("to", "er-alice").put("text", "bob's words"), WAIT);
      String group = bob.acked(new JsonObject().put("op", "group_create").put("ref", "g").put("title", "t")
          .put("members", new JsonArray().add("er-alice")), WAIT).getString("conv");
      alice.acked(new JsonObject().put("op", "send").put("ref", "3").put("conv", group).put("text", "alice in the group"), WAIT);
      alice.acked(new JsonObject().put("op", "receipt").put("ref", "4").put("conv", dm.getString("conv"))
          .put("kind", "read").put("seq", dm.getLong("seq")), WAIT);
      alice.acked(new JsonObject().put("op", "react").put("ref", "5").put("conv", dm.getString("conv"))
          .put("id", dm.getString("id")).put("emoji", "👍"), WAIT);

      ServerApi.Answer erased = api.post("eraseUser", "/v1/server/users/er-alice/erase", null);
      assertEquals(202, erased.status(), erased.body().encode());
      assertEquals(List.of(group), erased.body().getJsonArray("groups_left").getList());
      assertEquals(4011, alice.closeCode(WAIT), "her socket closed");
      assertEquals(401, WsClient.handshakeStatus(WsClient.uri(fabric.port(1), null), aliceToken),
          "the token she had is refused");

      try (Connection db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword())) {
        org.awaitility.Awaitility.await().atMost(WAIT).until(
            () -> Sql.count(db, "SELECT COUNT(*) FROM messages WHERE sender = 'er-alice' AND text <> ''") == 0);
        assertEquals(0, Sql.count(db, "SELECT COUNT(*) FROM receipts WHERE member = 'er-alice'"));
        assertEquals(0, Sql.count(db, "SELECT COUNT(*) FROM conversation_members WHERE user_id = 'er-alice'"));
        assertEquals(0, Sql.count(db, "SELECT COUNT(*) FROM reactions WHERE user_id = 'er-alice'"));
        assertEquals(0, Sql.count(db, "SELECT COUNT(*) FROM sessions WHERE user_id = 'er-alice'"));
        assertEquals(0, Sql.count(db, "SELECT COUNT(*) FROM last_seen WHERE user_id = 'er-alice'"));
        assertEquals(0, Sql.count(db, "SELECT COUNT(*) FROM messages WHERE text LIKE '%alice%'"));
        assertEquals(1, Sql.count(db, "SELECT COUNT(*) FROM messages WHERE text = 'bob''s words'"), "bob's stay");
        // A message to her afterwards stores bob's text, and indexes nobody for her.
        bob.acked(new JsonObject().put("op", "send").put("ref", "6").put("to", "er-alice").put("text", "are you there"), WAIT);
        org.awaitility.Awaitility.await().atMost(WAIT).until(
            () -> Sql.count(db, "SELECT COUNT(*) FROM messages WHERE text = 'are you there'") == 1);
        assertEquals(0, Sql.count(db, "SELECT COUNT(*) FROM conversation_members WHERE user_id = 'er-alice'"));
      }
      List<JsonObject> history = OneToOneEndToEndTest.readHistory(fabric.port(1), fabric.token("er-bob"), dm.getString("conv"));
      assertEquals("", history.get(0).getString("text"), "her message stays in the order, empty");
      assertEquals("bob's words", history.get(1).getString("text"));
      JsonObject presence = api.get("userPresence", "/v1/server/users/er-alice/presence").body();
      assertTrue(!presence.getBoolean("online"), presence.encode());
      assertEquals(202, api.post("eraseUser", "/v1/server/users/er-alice/erase", null).status(), "it repeats safely");
    }
  }
}
