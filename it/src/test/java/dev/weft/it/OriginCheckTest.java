package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** With WEFT_ALLOWED_ORIGINS set, a page from another origin cannot open a socket, even with a valid token. */
@WeftIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OriginCheckTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private Fabric fabric;

  @BeforeAll
  void start(WeftInfra infra) {
    fabric = Fabric.start(infra, 1, Map.of("WEFT_ALLOWED_ORIGINS", "https://app.example.com, http://localhost:3000"));
  }

  @AfterAll
  void stop() {
    fabric.close();
  }

  /** HTTP status of a refused upgrade with this Origin header, or -1 if the socket opened. */
  private int upgrade(String origin, String user) {
    WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + fabric.token(user));
    if (origin != null) {
      b.header("Origin", origin);
    }
    try {
      WebSocket ws = b.buildAsync(WsClient.uri(fabric.port(1), null), new WebSocket.Listener() {}).join();
      ws.abort();
      return -1;
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
      throw e;
    }
  }

  @Test
  void aPageFromAnotherOriginIsRefusedWith403() {
    assertEquals(403, upgrade("https://evil.example.net", "victim"));
    assertEquals(403, upgrade("https://app.example.com.evil.net", "victim"), "a suffix is not the origin");
    assertEquals(403, upgrade("null", "victim"), "a sandboxed page");
  }

  @Test
  void allowedOriginsAndClientsWithoutAnOriginConnect() {
    assertEquals(-1, upgrade("https://app.example.com", "fan"));
    assertEquals(-1, upgrade("HTTPS://APP.EXAMPLE.COM", "fan"), "origins compare without case");
    assertEquals(-1, upgrade("http://localhost:3000", "fan"));
    assertEquals(-1, upgrade(null, "fan"), "a native app sends no Origin");
  }

  @Test
  void theRefusalNamesItsCode() throws Exception {
    java.net.http.HttpResponse<String> r = HTTP.send(java.net.http.HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + fabric.port(1) + "/v1/ws"))
        .header("Origin", "https://evil.example.net").GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(403, r.statusCode());
    assertEquals("origin_not_allowed", new JsonObject(r.body()).getString("code"));
  }
}
