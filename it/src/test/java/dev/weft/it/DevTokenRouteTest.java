package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.common.DevDefaults;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonObject;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code /dev/token} mints a token for anyone, so it is served only under WEFT_DEV with the development secret, and
 * only to callers on the gateway's own machine.
 */
@WeftIntegrationTest
class DevTokenRouteTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Map<String, String> dev(String secret) {
    return Map.of("WEFT_DEV", "1", "WEFT_DEMO", "1", "WEFT_JWT_SECRET", secret,
        "WEFT_DEMO_DIR", Path.of("..", "clients", "js").toAbsolutePath().normalize().toString());
  }

  private static HttpResponse<String> get(String host, int port) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/dev/token?user=alice")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void withTheDevelopmentSecretItServesLoopbackCallersOnly(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, dev(DevDefaults.JWT_SECRET))) {
      HttpResponse<String> local = get("127.0.0.1", fabric.port(1));
      assertEquals(200, local.statusCode(), local.body());
      String token = new JsonObject(local.body()).getString("token");
      WsClient.connect(fabric.port(1), token, null).close(); // a working token for this gateway

      Optional<InetAddress> outside = nonLoopbackAddress();
      assumeTrue(outside.isPresent(), "this machine has no non-loopback IPv4 address to call from");
      HttpResponse<String> remote = get(outside.get().getHostAddress(), fabric.port(1));
      assertEquals(403, remote.statusCode(), remote.body());
      assertEquals("forbidden", new JsonObject(remote.body()).getString("code"));
    }
  }

  @Test
  void withARealSecretThereIsNoDevTokenRouteEvenUnderWeftDev(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 1, dev(infra.jwtSecret()))) {
      // The demo routes are mounted (so a 404 below is the token route alone being left out).
      HttpResponse<String> demo = HTTP.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + fabric.port(1) + "/client/demo/")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, demo.statusCode(), demo.body());
      assertEquals(404, get("127.0.0.1", fabric.port(1)).statusCode());
    }
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
    for (NetworkInterface nif : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) {
        continue;
      }
      for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }
}
