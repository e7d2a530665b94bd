package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 13, item 1: groups are never deleted and every router and gateway holds all of them, so creating them, and
 * the memberships in them, are quotas per user. Small limits here; each refusal is {@code quota_exceeded} naming the
 * quota, and nothing of the refused request is published or stored.
 */
@WeftIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupQuotaTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private Fabric fabric;
  private WeftInfra infra;

  @BeforeAll
  void start(WeftInfra infra) {
    this.infra = infra;
    fabric = Fabric.start(infra, 1, Map.of(
        "WEFT_GROUPS_CREATED_PER_HOUR", "2",
        "WEFT_GROUPS_PER_USER", "3",
        "WEFT_GROUP_MEMBERS_ADDED_PER_MINUTE", "4"));
  }

  @AfterAll
  void stop() {
    fabric.close();
  }

  private WsClient connect(String user) {
    return WsClient.connect(fabric.port(1), fabric.token(user), null);
  }

  private static JsonObject request(WsClient c, JsonObject frame) {
    c.send(frame);
    String ref = frame.getString("ref");
    return c.await(f -> ref.equals(f.getString("ref")), WAIT);
  }

  private static JsonObject create(WsClient c, String ref, List<String> members) {
    return request(c, new JsonObject().put("op", "group_create").put("ref", ref).put("title", "quota " + ref)
        .put("members", new JsonArray(new ArrayList<>(members))));
  }

  private static JsonObject change(WsClient c, String op, String ref, String conv, List<String> members) {
    JsonObject f = new JsonObject().put("op", op).put("ref", ref).put("conv", conv);
    if (members != null) {
      f.put("members", new JsonArray(new ArrayList<>(members)));
    }
    return request(c, f);
  }

  private static void assertOverQuota(JsonObject answer, String quota) {
    assertEquals("error", answer.getString("op"), answer.encode());
    assertEquals("quota_exceeded", answer.getString("code"), answer.encode());
    assertEquals(quota, answer.getString("quota"), answer.encode());
    assertFalse(answer.getString("message").isEmpty());
    assertNull(answer.getValue("conv"), "no group was made");
  }

  /** Sends a one-to-one message and waits until it is stored: everything the user published before it is stored too. */
  private long groupEventsStoredFrom(WsClient c, String user) throws Exception {
    String marker = "marker-" + System.nanoTime();
    JsonObject ack = request(c, new JsonObject().put("op", "send").put("ref", marker).put("to", user + "-peer").put("text", "x"));
    assertEquals("ack", ack.getString("op"), ack.encode());
    try (Connection db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword())) {
      await().atMost(WAIT).until(() -> Sql.count(db, "SELECT COUNT(*) FROM messages WHERE ref = '" + marker + "'") == 1);
      return Sql.count(db, "SELECT COUNT(*) FROM messages WHERE sender = '" + user + "' AND event IS NOT NULL");
    }
  }

  @Test
  @DisplayName("a user's third group within the hour is refused with quota_exceeded, groups_created_per_hour and when the"
      + " window ends; a new connection does not reset it; another user is not affected; nothing is stored")
  void groupsCreatedPerHourIsAQuotaPerUser() throws Exception {
    try (WsClient alice = connect("q1-alice"); WsClient bob = connect("q1-bob")) {
      assertEquals("ack", create(alice, "c1", List.of()).getString("op"));
      assertEquals("ack", create(alice, "c2", List.of()).getString("op"));
      JsonObject third = create(alice, "c3", List.of());
      assertOverQuota(third, "groups_created_per_hour");
      long retryAfter = third.getLong("retry_after_ms");
      assertTrue(retryAfter > 3_500_000 && retryAfter <= 3_600_000, "the hour opened with the first creation: " + retryAfter);
      assertEquals("ack", create(bob, "b1", List.of()).getString("op"), "per user");
      try (WsClient again = connect("q1-alice")) {
        assertOverQuota(create(again, "c4", List.of()), "groups_created_per_hour");
        assertEquals(2, groupEventsStoredFrom(again, "q1-alice"), "only the two groups acked were stored");
      }
    }
  }

  @Test
  @DisplayName("members added per minute count a create's members and an add's newcomers; over it the add is refused"
      + " with members_added_per_minute, and the refused members are in no group")
  void membersAddedPerMinuteIsAQuotaPerUser() throws Exception {
    try (WsClient admin = connect("q2-admin")) {
      JsonObject created = create(admin, "c", List.of("q2-a", "q2-b", "q2-c"));
      assertEquals("ack", created.getString("op"), created.encode());
      String conv = created.getString("conv");
      JsonObject two = change(admin, "group_add", "add2", conv, List.of("q2-d", "q2-e"));
      assertOverQuota(two, "members_added_per_minute");
      assertTrue(two.getLong("retry_after_ms") <= 60_000, two.encode());
      JsonObject five = change(admin, "group_add", "add5", conv, List.of("q2-1", "q2-2", "q2-3", "q2-4", "q2-5"));
      assertOverQuota(five, "members_added_per_minute");
      assertNull(five.getValue("retry_after_ms"), "more than the limit at once never fits");
      JsonObject already = change(admin, "group_add", "again", conv, List.of("q2-a", "q2-b", "q2-d"));
      assertEquals("ack", already.getString("op"), "members already in count nothing: " + already.encode());
      assertOverQuota(change(admin, "group_add", "one-more", conv, List.of("q2-e")), "members_added_per_minute");

      assertEquals(2, groupEventsStoredFrom(admin, "q2-admin"), "the create and the add that fit");
      try (Connection db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword())) {
        assertEquals(0, Sql.count(db, "SELECT COUNT(*) FROM conversation_members WHERE conv_id = '" + conv
            + "' AND user_id IN ('q2-e', 'q2-1', 'q2-5')"), "refused members were never added");
        assertEquals(5, Sql.count(db, "SELECT COUNT(*) FROM conversation_members WHERE conv_id = '" + conv + "'"));
      }
    }
  }

  @Test
  @DisplayName("a user in as many groups as allowed cannot be added to another, nor create one (groups_per_user), until"
      + " they leave one; nothing of the refused requests is stored")
  void groupsPerUserHoldsUntilTheUserLeavesOne() throws Exception {
    List<WsClient> admins = new ArrayList<>();
    try (WsClient carol = connect("q3-carol"); WsClient dan = connect("q3-dan")) {
      List<String> convs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        WsClient admin = connect("q3-admin" + i);
        admins.add(admin);
        JsonObject created = create(admin, "c" + i, List.of("q3-carol"));
        assertEquals("ack", created.getString("op"), created.encode());
        convs.add(created.getString("conv"));
        // Carol's send waits, if need be, until this gateway knows she is in the group: then it counts her in it.
        JsonObject said = request(carol, new JsonObject().put("op", "send").put("ref", "s" + i).put("conv", convs.get(i)).put("text", "hi"));
        assertEquals("ack", said.getString("op"), said.encode());
      }
      JsonObject mine = create(dan, "d1", List.of());
      assertEquals("ack", mine.getString("op"));
      String dansGroup = mine.getString("conv");

      JsonObject adding = change(dan, "group_add", "add-carol", dansGroup, List.of("q3-carol"));
      assertOverQuota(adding, "groups_per_user");
      assertNull(adding.getValue("retry_after_ms"), "no wait helps");
      assertTrue(adding.getString("message").contains("q3-carol"), adding.encode());
      assertOverQuota(create(dan, "d2", List.of("q3-carol")), "groups_per_user");
      assertOverQuota(create(carol, "own", List.of()), "groups_per_user");

      assertEquals("ack", change(carol, "group_leave", "leave", convs.get(0), null).getString("op"));
      // The gateway counts her out once the router has applied the leave: until then it still refuses.
      long deadline = System.nanoTime() + WAIT.toNanos();
      JsonObject answer;
      int attempt = 0;
      do {
        answer = change(dan, "group_add", "retry" + attempt++, dansGroup, List.of("q3-carol"));
      } while (!"ack".equals(answer.getString("op")) && System.nanoTime() < deadline && sleep());
      assertEquals("ack", answer.getString("op"), "after leaving one: " + answer.encode());

      assertEquals(2, groupEventsStoredFrom(dan, "q3-dan"), "dan's create and the add that fit; the refused ones left nothing");
      try (Connection db = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword())) {
        await().atMost(WAIT).until(() -> Sql.count(db, "SELECT COUNT(*) FROM conversation_members WHERE conv_id = '"
            + dansGroup + "' AND user_id = 'q3-carol'") == 1);
        assertEquals(1, Sql.count(db, "SELECT COUNT(*) FROM messages WHERE sender = 'q3-carol' AND event IS NOT NULL"),
            "her leave; her refused create left nothing");
      }
    } finally {
      admins.forEach(WsClient::close);
    }
  }

  private static boolean sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return true;
  }
}
