package dev.weft.it;

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
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A gateway holds the groups of the users connected to it, and nothing else: it loads a user's groups from the
 * persister when the user connects, follows their changes on the groups topic, and forgets them when the user's last
 * socket closes; membership checks stay as strict as when every gateway held every group.
 */
@WeftIntegrationTest
class GatewayMembershipsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  @DisplayName("a gateway holds only its connected users' groups, loads a user's groups on connect, applies changes,"
      + " and forgets them when the last socket closes")
  void aGatewayHoldsTheGroupsOfItsConnectedUsersOnly(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 2, Map.of())) {
      String g1;
      String g2;
      try (WsClient alice = WsClient.connect(fabric.port(1), fabric.token("gm-alice"), null);
          WsClient carol = WsClient.connect(fabric.port(2), fabric.token("gm-carol"), null)) {
        g1 = create(alice, "one", "gm-bob");
        g2 = create(carol, "two", "gm-dave");
        Awaitility.await().atMost(WAIT).untilAsserted(() -> {
          assertEquals(1, gauge(fabric, 1, "weft_gateway_groups"), "gateway 1 holds alice's group only");
          assertEquals(1, gauge(fabric, 2, "weft_gateway_groups"), "gateway 2 holds carol's group only");
        });

        // bob was connected nowhere when he was added: gateway 2 never held his group, and loads it as he connects.
        try (WsClient bob = WsClient.connect(fabric.port(2), fabric.token("gm-bob"), null)) {
          JsonObject ack = request(bob, new JsonObject().put("op", "send").put("ref", "b1").put("conv", g1)
              .put("text", "hello from a gateway that loaded my groups"));
          assertEquals("ack", ack.getString("op"), ack.encode());
          assertEquals(2, gauge(fabric, 2, "weft_gateway_groups"));
          assertEquals(2, gauge(fabric, 2, "weft_gateway_member_users"));

          JsonObject removed = request(alice, new JsonObject().put("op", "group_remove").put("ref", "r1").put("conv", g1)
              .put("members", new JsonArray().add("gm-bob")));
          assertEquals("ack", removed.getString("op"), removed.encode());
          bob.await(f -> "event".equals(f.getString("op")) && g1.equals(f.getString("conv"))
              && "removed".equals(f.getString("event")), WAIT);
          JsonObject refused = request(bob, new JsonObject().put("op", "send").put("ref", "b2").put("conv", g1)
              .put("text", "no longer a member"));
          assertEquals("not_member", refused.getString("code"), refused.encode());
          Awaitility.await().atMost(WAIT).untilAsserted(() -> assertEquals(1, gauge(fabric, 2, "weft_gateway_groups"),
              "a group with no member among gateway 2's users is forgotten"));
        }
        Awaitility.await().atMost(WAIT).untilAsserted(() ->
            assertEquals(1, gauge(fabric, 2, "weft_gateway_member_users"), "bob's socket closed: carol only"));
      }
      Awaitility.await().atMost(WAIT).untilAsserted(() -> {
        assertEquals(0, gauge(fabric, 1, "weft_gateway_groups"));
        assertEquals(0, gauge(fabric, 2, "weft_gateway_groups"));
        assertEquals(0, gauge(fabric, 2, "weft_gateway_member_users"));
      });

      // Over HTTP with no socket: the user's groups are loaded for the request, then forgotten.
      assertEquals(200, history(fabric, 2, "gm-dave", g2).statusCode());
      assertEquals(403, history(fabric, 2, "gm-bob", g1).statusCode(), "a former member may not read on");
      assertEquals(200, history(fabric, 2, "gm-alice", g1).statusCode());
      assertEquals(0, gauge(fabric, 2, "weft_gateway_groups"));
      assertEquals(0, gauge(fabric, 2, "weft_gateway_member_users"));
    }
  }

  @Test
  @DisplayName("the per-user group quota counts the groups a newcomer is in on other gateways")
  void theGroupQuotaCountsGroupsHeldOnOtherGateways(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 2, Map.of("WEFT_GROUPS_PER_USER", "2"))) {
      try (WsClient erin = WsClient.connect(fabric.port(1), fabric.token("gq-erin"), null);
          WsClient fay = WsClient.connect(fabric.port(2), fabric.token("gq-fay"), null)) {
        create(erin, "a", "gq-gus");
        create(erin, "b", "gq-gus");
        // gus is connected nowhere, and gateway 2 holds none of his groups: the persister counts them.
        JsonObject refused = request(fay, new JsonObject().put("op", "group_create").put("ref", "c")
            .put("title", "c").put("members", new JsonArray().add("gq-gus")));
        assertEquals("quota_exceeded", refused.getString("code"), refused.encode());
        assertEquals("groups_per_user", refused.getString("quota"), refused.encode());
      }
    }
  }

  private static String create(WsClient c, String title, String... members) {
    JsonArray m = new JsonArray();
    for (String u : members) {
      m.add(u);
    }
    JsonObject ack = request(c, new JsonObject().put("op", "group_create").put("ref", "create-" + title)
        .put("title", title).put("members", m));
    assertEquals("ack", ack.getString("op"), ack.encode());
    return ack.getString("conv");
  }

  private static JsonObject request(WsClient c, JsonObject frame) {
    c.send(frame);
    String ref = frame.getString("ref");
    return c.await(f -> ref.equals(f.getString("ref")), WAIT);
  }

  private static HttpResponse<String> history(Fabric fabric, int gateway, String user, String conv) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fabric.port(gateway) + "/v1/conversations/"
        + conv + "/messages")).header("Authorization", "Bearer " + fabric.token(user)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static double gauge(Fabric fabric, int gateway, String name) throws Exception {
    String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fabric.opsPort(gateway) + "/metrics"))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} (\\S+)$").matcher(body);
    if (!m.find()) {
      throw new AssertionError(name + " not in the metrics of gateway " + gateway);
    }
    return Double.parseDouble(m.group(1));
  }
}
