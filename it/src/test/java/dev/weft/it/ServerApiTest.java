package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.Operation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, the server API: an app's backend publishes as a user and as the system, makes and changes groups, reads
 * presence and history, disconnects users and revokes their tokens, on a real broker, MariaDB and WebSocket clients;
 * every answer is held against docs/server-api.yaml.
 */
@WeftIntegrationTest
class ServerApiTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Map<String, String> ENV = Map.of("WEFT_SERVER_API_KEYS", ServerApi.KEY);

  @Test
  void theOpenApiFileDescribesExactlyTheRoutesTheGatewayServes(WeftInfra infra) {
    try (Fabric fabric = Fabric.start(infra, 1, ENV); ServerApi api = new ServerApi(fabric.serverApiPort(1))) {
      Set<String> documented = api.contract().operations().stream()
          .map(o -> o.getHttpMethod().name() + " " + o.getOpenAPIPath()).collect(Collectors.toCollection(TreeSet::new));
      Set<String> served = new TreeSet<>(fabric.gateways.get(0).serverApiRoutes());
      assertEquals(served, documented);
      assertEquals(8, served.size(), String.valueOf(served));
      for (Operation o : api.contract().operations()) {
        assertTrue(o.getOperationId() != null && !o.getOperationId().isBlank(), o.getOpenAPIPath());
      }
    }
  }

  @Test
  void withoutTheServerCredentialNothingIsServedAndAUsersTokenIsNotOne(WeftInfra infra) {
    try (Fabric fabric = Fabric.start(infra, 1, ENV); ServerApi api = new ServerApi(fabric.serverApiPort(1))) {
      String body = new JsonObject().put("conv", "dm:x").put("text", "hi").encode();
      for (String auth : new String[] {null, "Bearer " + fabric.token("sa-alice"), "Bearer wrong-key-wrong-key-wrong-key-000",
          "Basic " + ServerApi.KEY, "Bearer "}) {
        ServerApi.Answer a = api.raw("POST", "/v1/server/messages", body, auth);
        assertEquals(401, a.status(), auth + ": " + a.body());
        assertEquals("unauthorized", a.code());
      }
      assertEquals(401, api.raw("GET", "/v1/server/users/sa-alice/presence", null, null).status());
      ServerApi.Answer unknown = api.raw("GET", "/v1/server/nothing-here", null, "Bearer " + ServerApi.KEY);
      assertEquals(404, unknown.status());
      assertEquals("not_found", unknown.code());
    }
    try (Fabric off = Fabric.start(infra, 1, Map.of())) {
      assertEquals(-1, off.serverApiPort(1), "no WEFT_SERVER_API_KEYS: no server API, no port opened");
    }
  }

  @Test
  void aBackendPublishesAsAUserAndAsTheSystemManagesAGroupAndReadsPresenceAndHistory(WeftInfra infra) {
    try (Fabric fabric = Fabric.start(infra, 1, ENV); ServerApi api = new ServerApi(fabric.serverApiPort(1));
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("sa-alice"), "phone");
        WsClient bob = WsClient.connect(fabric.port(1), fabric.token("sa-bob"), "phone")) {
      fabric.awaitRoutable(2);

      ServerApi.Answer dm = api.post("publishMessage", "/v1/server/messages",
          new JsonObject().put("from", "sa-alice").put("to", "sa-bob").put("text", "from the backend, as alice"));
      assertEquals(201, dm.status(), dm.body().encode());
      JsonObject atBob = bob.await(f -> "msg".equals(f.getString("op")) && dm.body().getString("id").equals(f.getString("id")), WAIT);
      assertEquals("sa-alice", atBob.getString("from"));
      assertEquals("from the backend, as alice", atBob.getString("text"));
      assertEquals(dm.body().getLong("seq"), atBob.getLong("seq"));
      // Her own devices get it too: it came from no socket of hers.
      alice.await(f -> "msg".equals(f.getString("op")) && dm.body().getString("id").equals(f.getString("id")), WAIT);

      ServerApi.Answer created = api.post("createGroup", "/v1/server/groups", new JsonObject().put("title", "team")
          .put("admin", "sa-alice").put("members", new JsonArray().add("sa-bob").add("sa-carol")));
      assertEquals(201, created.status(), created.body().encode());
      String group = created.body().getString("conv");
      assertEquals(List.of("sa-alice", "sa-bob", "sa-carol"), created.body().getJsonArray("members").getList());

      ServerApi.Answer notice = api.post("publishMessage", "/v1/server/messages",
          new JsonObject().put("conv", group).put("text", "welcome to the team"));
      assertEquals(201, notice.status(), notice.body().encode());
      assertEquals("", notice.body().getString("from"), "a notice from the system");
      for (WsClient c : List.of(alice, bob)) {
        JsonObject got = c.await(f -> "msg".equals(f.getString("op")) && "welcome to the team".equals(f.getString("text")), WAIT);
        assertEquals("", got.getString("from"));
        assertEquals(group, got.getString("conv"));
      }

      ServerApi.Answer stranger = api.post("publishMessage", "/v1/server/messages",
          new JsonObject().put("from", "sa-dave").put("conv", group).put("text", "let me in"));
      assertEquals(403, stranger.status());
      assertEquals("not_member", stranger.code());

      ServerApi.Answer changed = api.post("changeGroupMembers", "/v1/server/groups/" + group + "/members",
          new JsonObject().put("add", new JsonArray().add("sa-dave")).put("remove", new JsonArray().add("sa-carol")));
      assertEquals(200, changed.status(), changed.body().encode());
      JsonArray changes = changed.body().getJsonArray("changes");
      assertEquals(List.of("added", "removed"), changes.stream().map(c -> ((JsonObject) c).getString("kind")).toList());
      assertTrue(changes.getJsonObject(0).getLong("seq") < changes.getJsonObject(1).getLong("seq"));
      bob.await(f -> "event".equals(f.getString("op")) && group.equals(f.getString("conv"))
          && changes.getJsonObject(1).getString("id").equals(f.getString("id")), WAIT);

      // Dave is a member now: the check reads the group as stored after the change.
      ServerApi.Answer fromDave = api.post("publishMessage", "/v1/server/messages",
          new JsonObject().put("from", "sa-dave").put("conv", group).put("text", "dave here").put("ref", "backend-1"));
      assertEquals(201, fromDave.status(), fromDave.body().encode());
      bob.await(f -> "msg".equals(f.getString("op")) && "dave here".equals(f.getString("text")), WAIT);

      JsonArray history = org.awaitility.Awaitility.await().atMost(WAIT).until(
          () -> api.get("conversationHistory", "/v1/server/conversations/" + group + "/messages?after=-1&limit=50")
              .body().getJsonArray("messages"),
          m -> m.size() == 5);
      assertEquals(List.of("event", "msg", "event", "event", "msg"),
          history.stream().map(m -> ((JsonObject) m).getString("op")).toList());
      assertEquals("", history.getJsonObject(1).getString("from"));
      assertEquals("dave here", history.getJsonObject(4).getString("text"));
      assertEquals("sa-dave", history.getJsonObject(4).getString("from"));

      JsonObject online = api.get("userPresence", "/v1/server/users/sa-bob/presence").body();
      assertTrue(online.getBoolean("online"), online.encode());
      assertEquals(1, online.getJsonArray("sessions").size());
      JsonObject never = api.get("userPresence", "/v1/server/users/sa-nobody/presence").body();
      assertFalse(never.getBoolean("online"));
      assertNull(never.getValue("last_seen"));

      bob.close();
      JsonObject gone = org.awaitility.Awaitility.await().atMost(WAIT)
          .until(() -> api.get("userPresence", "/v1/server/users/sa-bob/presence").body(), p -> !p.getBoolean("online"));
      assertTrue(gone.getLong("last_seen") > 0, gone.encode());
    }
  }

  @Test
  void badRequestsGetTheirCodeAndWriteNothing(WeftInfra infra) {
    try (Fabric fabric = Fabric.start(infra, 1, ENV); ServerApi api = new ServerApi(fabric.serverApiPort(1))) {
      String unknownGroup = dev.weft.common.ConversationIds.newGroup();
      Object[][] cases = {
          {"publishMessage", "/v1/server/messages", "not json", 400, "bad_json"},
          {"publishMessage", "/v1/server/messages", "[1]", 400, "bad_json"},
          {"publishMessage", "/v1/server/messages", new JsonObject().put("to", "sa-bob").put("text", "x").encode(), 400, "bad_recipient"},
          {"publishMessage", "/v1/server/messages", new JsonObject().put("from", "sa-a").put("to", "sa-a").put("text", "x").encode(), 400, "bad_recipient"},
          {"publishMessage", "/v1/server/messages", new JsonObject().put("from", "sa-a").put("to", "sa-b").encode(), 400, "bad_request"},
          {"publishMessage", "/v1/server/messages", new JsonObject().put("from", "sa-a").put("to", "sa-b").put("conv", "dm:x").put("text", "x").encode(), 400, "bad_request"},
          {"publishMessage", "/v1/server/messages", new JsonObject().put("from", "bad id").put("to", "sa-b").put("text", "x").encode(), 400, "bad_request"},
          {"publishMessage", "/v1/server/messages", new JsonObject().put("from", "sa-a").put("to", "sa-b").put("text", "x".repeat(16_385)).encode(), 400, "text_too_long"},
          {"publishMessage", "/v1/server/messages", new JsonObject().put("conv", unknownGroup).put("text", "x").encode(), 404, "no_such_group"},
          {"publishMessage", "/v1/server/messages", new JsonObject().put("conv", "nonsense").put("text", "x").encode(), 400, "bad_request"},
          {"publishMessage", "/v1/server/messages", new JsonObject().put("from", "sa-c").put("conv", dev.weft.common.ConversationIds.direct("sa-a", "sa-b")).put("text", "x").encode(), 403, "not_member"},
          {"createGroup", "/v1/server/groups", new JsonObject().put("title", "t").encode(), 400, "bad_request"},
          {"createGroup", "/v1/server/groups", new JsonObject().put("title", " ").put("admin", "sa-a").encode(), 400, "bad_request"},
          {"createGroup", "/v1/server/groups", new JsonObject().put("title", "t").put("admin", "sa-a").put("members", "sa-b").encode(), 400, "bad_request"},
          {"changeGroupMembers", "/v1/server/groups/" + unknownGroup + "/members", new JsonObject().put("add", new JsonArray().add("sa-b")).encode(), 404, "no_such_group"},
          {"changeGroupMembers", "/v1/server/groups/" + unknownGroup + "/members", "{}", 400, "bad_request"},
          {"changeGroupMembers", "/v1/server/groups/not-a-group/members", new JsonObject().put("add", new JsonArray().add("sa-b")).encode(), 400, "bad_request"},
          {"revokeTokens", "/v1/server/users/sa-a/revoke", new JsonObject().put("before", System.currentTimeMillis() + 3_600_000).encode(), 400, "bad_request"},
          {"revokeTokens", "/v1/server/users/sa-a/revoke", new JsonObject().put("before", "yesterday").encode(), 400, "bad_request"},
          {"disconnectUser", "/v1/server/users/sa-a/disconnect", new JsonObject().put("device", 7).encode(), 400, "bad_request"},
          {"conversationHistory", "/v1/server/conversations/dm:x/messages?limit=0", null, 400, "bad_request"},
      };
      for (Object[] c : cases) {
        String method = "conversationHistory".equals(c[0]) ? "GET" : "POST";
        ServerApi.Answer a = api.call((String) c[0], method, (String) c[1], (String) c[2]);
        assertEquals(c[3], a.status(), c[1] + " " + c[2] + ": " + a.body());
        assertEquals(c[4], a.code(), c[1] + " " + c[2] + ": " + a.body());
      }
      ServerApi.Answer tooBig = api.raw("POST", "/v1/server/messages", "{\"text\":\"" + "x".repeat(70_000) + "\"}",
          "Bearer " + ServerApi.KEY);
      assertEquals(413, tooBig.status());
      assertEquals("too_large", tooBig.code());
      // Nothing above was written: the conversation of the one case that named an existing shape holds nothing.
      assertEquals(0, api.get("conversationHistory", "/v1/server/conversations/"
          + dev.weft.common.ConversationIds.direct("sa-a", "sa-b") + "/messages").body().getJsonArray("messages").size());
    }
  }

  @Test
  void disconnectsAndRevocationsCloseSocketsOnEveryGatewayAndRevokedTokensAreRefused(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 2, ENV); ServerApi api = new ServerApi(fabric.serverApiPort(1))) {
      String aliceOld = fabric.token("sa-alice");
      try (WsClient bobPhone = WsClient.connect(fabric.port(1), fabric.token("sa-bob"), "phone");
          WsClient bobTablet = WsClient.connect(fabric.port(2), fabric.token("sa-bob"), "tablet");
          WsClient alice = WsClient.connect(fabric.port(2), aliceOld, "phone")) {
        fabric.awaitRoutable(3);

        ServerApi.Answer one = api.post("disconnectUser", "/v1/server/users/sa-bob/disconnect",
            new JsonObject().put("device", "tablet"));
        assertEquals(202, one.status(), one.body().encode());
        assertEquals(4010, bobTablet.closeCode(WAIT), "closed by gateway 2, the order given to gateway 1");
        Thread.sleep(500);
        assertFalse(bobPhone.isClosed(), "only the tablet was named");

        assertEquals(202, api.post("disconnectUser", "/v1/server/users/sa-bob/disconnect", null).status());
        assertEquals(4010, bobPhone.closeCode(WAIT));
        // A disconnect is not a ban: bob connects again at once.
        try (WsClient again = WsClient.connect(fabric.port(1), fabric.token("sa-bob"), "phone")) {
          assertFalse(again.isClosed(), "welcomed");
        }

        ServerApi.Answer revoked = api.post("revokeTokens", "/v1/server/users/sa-alice/revoke", null);
        assertEquals(202, revoked.status(), revoked.body().encode());
        assertEquals(4011, alice.closeCode(WAIT));
        for (int gateway = 1; gateway <= 2; gateway++) {
          int port = fabric.port(gateway);
          org.awaitility.Awaitility.await().atMost(WAIT)
              .until(() -> WsClient.handshakeStatus(WsClient.uri(port, null), aliceOld) == 401);
        }
        long validFrom = revoked.body().getLong("tokens_valid_from");
        Thread.sleep(Math.max(0, validFrom - System.currentTimeMillis() + 50));
        try (WsClient fresh = WsClient.connect(fabric.port(2), fabric.token("sa-alice"), "phone")) {
          // A refresh with the revoked token is refused too.
          fresh.send(new JsonObject().put("op", "refresh").put("ref", "r").put("token", aliceOld));
          JsonObject refused = fresh.await(f -> "r".equals(f.getString("ref")), WAIT);
          assertEquals("token_revoked", refused.getString("code"), refused.encode());
        }
      }
    }
  }
}
