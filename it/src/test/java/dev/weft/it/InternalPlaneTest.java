package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConversationIds;
import dev.weft.common.InternalSecret;
import dev.weft.gateway.GatewayApplication;
import dev.weft.gateway.config.GatewayConfig;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The internal plane is closed: a persister serves its {@code /internal} routes only to callers with the internal
 * secret (the gateways), and metrics are on ops ports, never on a port clients or gateways call.
 */
@WeftIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InternalPlaneTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private WeftInfra infra;
  private Fabric fabric;
  private String conv;
  /** Every internal route, with parameters that make it answer with alice's data when the caller may have it. */
  private List<String> internalRoutes;

  @BeforeAll
  void start(WeftInfra infra) {
    this.infra = infra;
    fabric = Fabric.start(infra, 1, Map.of());
    conv = ConversationIds.direct("ip-alice", "ip-bob");
    try (WsClient alice = WsClient.connect(fabric.port(1), fabric.token("ip-alice"), null)) {
      ResumeTest.sendAll(alice, "ip-bob", "secret-text-", 2);
    }
    String c = URLEncoder.encode(conv, StandardCharsets.UTF_8);
    internalRoutes = List.of(
        "/internal/v1/conversations/" + c + "/messages",
        "/internal/v1/refs?user=ip-alice&ref=secret-text-0&conv=" + c,
        "/internal/v1/users/ip-bob/catchup?next=0,0,0",
        "/internal/v1/users/ip-bob/recent",
        "/internal/v1/users/ip-bob/conversations");
    // History reads do not wait for the persister: wait here until both messages are stored.
    org.awaitility.Awaitility.await().atMost(WAIT).until(() -> {
      HttpResponse<String> r = get(fabric.persister.httpPort(), internalRoutes.get(0), WeftInfra.INTERNAL_SECRET);
      return r.statusCode() == 200 && new JsonObject(r.body()).getJsonArray("messages").size() == 2;
    });
  }

  @AfterAll
  void stop() {
    fabric.close();
  }

  private static HttpResponse<String> get(int port, String path, String secret) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(WAIT);
    if (secret != null) {
      b.header(InternalSecret.HEADER, secret);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("the persister's internal routes answer 401 unauthorized, with no data, without the secret or with a wrong one")
  void internalRoutesRefuseCallersWithoutTheSecret() throws Exception {
    int port = fabric.persister.httpPort();
    for (String route : internalRoutes) {
      for (String secret : new String[] {null, "", "a-wrong-internal-secret-of-enough-bytes-0123",
          WeftInfra.INTERNAL_SECRET.substring(1), WeftInfra.INTERNAL_SECRET + "x"}) {
        HttpResponse<String> r = get(port, route, secret);
        assertEquals(401, r.statusCode(), route + " with " + secret + ": " + r.body());
        JsonObject body = new JsonObject(r.body());
        assertEquals("unauthorized", body.getString("code"), route);
        assertEquals(Map.of("code", "unauthorized", "message", body.getString("message")), body.getMap(),
            route + ": nothing but the error");
        assertFalse(r.body().contains("secret-text"), route + " leaked a message");
      }
    }
  }

  @Test
  @DisplayName("with the secret, every internal route answers with the data")
  void internalRoutesServeCallersWithTheSecret() throws Exception {
    for (String route : internalRoutes) {
      HttpResponse<String> r = get(fabric.persister.httpPort(), route, WeftInfra.INTERNAL_SECRET);
      assertEquals(200, r.statusCode(), route + ": " + r.body());
    }
    HttpResponse<String> history = get(fabric.persister.httpPort(), internalRoutes.get(0), WeftInfra.INTERNAL_SECRET);
    assertEquals(2, new JsonObject(history.body()).getJsonArray("messages").size(), history.body());
  }

  @Test
  @DisplayName("the gateway sends the secret: clients read history through it; a gateway with another secret gets none")
  void gatewaysPresentTheSecret() throws Exception {
    String path = "/v1/conversations/" + conv + "/messages";
    HttpResponse<String> ok = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fabric.port(1) + path))
        .header("Authorization", "Bearer " + fabric.token("ip-bob")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(2, new JsonObject(ok.body()).getJsonArray("messages").size());

    Map<String, String> env = new HashMap<>(Map.of("WEFT_GATEWAY_ID", "gw-wrong-secret",
        "WEFT_PERSISTER_URL", "http://127.0.0.1:" + fabric.persister.httpPort(),
        "WEFT_INTERNAL_SECRET", "a-wrong-internal-secret-of-enough-bytes-0123"));
    try (GatewayApplication wrong = GatewayApplication.start(GatewayConfig.from(infra.env(env)))) {
      HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wrong.httpPort() + path))
          .header("Authorization", "Bearer " + fabric.token("ip-bob")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, refused.statusCode(), refused.body());
      assertEquals("unavailable", new JsonObject(refused.body()).getString("code"));
      assertFalse(refused.body().contains("secret-text"));
    }
  }

  @Test
  @DisplayName("metrics are on the ops ports only: 404 on the gateway's public port and the persister's internal port")
  void metricsAreOnTheOpsPortsOnly() throws Exception {
    GatewayApplication gateway = fabric.gateways.get(0);
    assertEquals(404, get(gateway.httpPort(), "/metrics", null).statusCode(), "gateway public port");
    HttpResponse<String> gatewayOps = get(gateway.opsPort(), "/metrics", null);
    assertEquals(200, gatewayOps.statusCode());
    assertTrue(gatewayOps.body().contains("weft_gateway_connections{"), "the gateway's meters");

    int internal = fabric.persister.httpPort();
    for (String path : List.of("/metrics", "/health/live", "/health/ready")) {
      assertEquals(404, get(internal, path, null).statusCode(), "persister internal port " + path);
      assertEquals(404, get(internal, path, WeftInfra.INTERNAL_SECRET).statusCode(), "persister internal port " + path);
    }
    HttpResponse<String> persisterOps = get(fabric.persister.opsPort(), "/metrics", null);
    assertEquals(200, persisterOps.statusCode());
    assertTrue(persisterOps.body().contains("weft_persister_internal_refused_total{"), "refusals are counted");
    for (int ops : List.of(gateway.opsPort(), fabric.persister.opsPort())) {
      assertEquals(200, get(ops, "/health/live", null).statusCode(), "live on " + ops);
      assertEquals(200, get(ops, "/health/ready", null).statusCode(), "ready on " + ops);
    }
  }
}
