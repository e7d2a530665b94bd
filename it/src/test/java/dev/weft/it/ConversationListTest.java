package dev.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/conversations}: each conversation with its latest message and unread count. */
@WeftIntegrationTest
class ConversationListTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  @DisplayName("a user's conversations come most recent first, with the latest message, group title and unread count")
  void listsConversationsWithLastMessageAndUnreadCount(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, Map.of());
        WsClient alice = WsClient.connect(fabric.port(1), fabric.token("cl-alice"), null);
        WsClient bob = WsClient.connect(fabric.port(1), fabric.token("cl-bob"), null);
        WsClient carol = WsClient.connect(fabric.port(1), fabric.token("cl-carol"), null)) {
      List<JsonObject> fromBob = ResumeTest.sendAll(bob, "cl-alice", "b", 3);
      GroupsTest groups = new GroupsTest();
      String club = groups.create(carol, "g", "club", List.of("cl-alice")).getString("conv");
      JsonObject inClub = groups.say(carol, "g1", club, "welcome");
      alice.send(new JsonObject().put("op", "receipt").put("ref", "rd").put("conv", fromBob.get(0).getString("conv"))
          .put("kind", "read").put("seq", fromBob.get(0).getLong("seq")));

      await().atMost(Duration.ofSeconds(20)).until(() -> {
        JsonArray list = list(fabric, "cl-alice", "");
        return list.size() == 2 && list.getJsonObject(1).getLong("read") >= 0;
      });
      JsonArray list = list(fabric, "cl-alice", "");
      JsonObject first = list.getJsonObject(0);
      assertEquals(club, first.getString("conv"), "the most recently active first");
      assertEquals("club", first.getString("title"));
      assertEquals(inClub.getString("id"), first.getJsonObject("last").getString("id"));
      assertEquals(1, first.getLong("unread"), "the group's one message (its creation is an event, not unread)");
      JsonObject dm = list.getJsonObject(1);
      assertEquals(fromBob.get(2).getString("id"), dm.getJsonObject("last").getString("id"));
      assertEquals(2, dm.getLong("unread"), "read up to Bob's first: two unread");
      assertEquals(1, list(fabric, "cl-alice", "?limit=1").size());

      assertEquals(401, status(fabric, null, ""));
      assertEquals(400, status(fabric, fabric.token("cl-alice"), "?limit=0"));
      assertEquals(400, status(fabric, fabric.token("cl-alice"), "?limit=x"));
    }
  }

  private static JsonArray list(Fabric fabric, String user, String query) throws Exception {
    HttpResponse<String> r = get(fabric, fabric.token(user), query);
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getJsonArray("conversations");
  }

  private static int status(Fabric fabric, String token, String query) throws Exception {
    return get(fabric, token, query).statusCode();
  }

  private static HttpResponse<String> get(Fabric fabric, String token, String query) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fabric.port(1) + "/v1/conversations" + query));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
