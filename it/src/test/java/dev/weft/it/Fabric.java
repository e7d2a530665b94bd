package dev.weft.it;

import dev.weft.common.JwtSettings;
import dev.weft.common.Tokens;
import dev.weft.gateway.GatewayApplication;
import dev.weft.gateway.config.GatewayConfig;
import dev.weft.persister.PersisterApplication;
import dev.weft.persister.config.PersisterConfig;
import dev.weft.router.RouterApplication;
import dev.weft.router.RouterConfig;
import dev.weft.testkit.WeftInfra;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A whole Weft for one test: a persister, a router and N gateways, on the test kit's broker and database. */
final class Fabric implements AutoCloseable {

  PersisterApplication persister;
  RouterApplication router;
  final List<GatewayApplication> gateways = new ArrayList<>();
  final Tokens tokens;
  private WeftInfra infra;
  private Map<String, String> overrides;

  private Fabric(PersisterApplication persister, RouterApplication router, Tokens tokens) {
    this.persister = persister;
    this.router = router;
    this.tokens = tokens;
  }

  /** Stops the router cleanly (finishing and committing its batch) and starts a new one in the same group. */
  void stopRouter() {
    router.close();
  }

  void startRouter() {
    router = RouterApplication.start(RouterConfig.from(infra.env(overrides)));
  }

  /** Starts one more router in the same group, beside {@link #router}; the caller closes it. */
  RouterApplication startAnotherRouter(String routerId) {
    Map<String, String> env = new HashMap<>(overrides);
    env.put("WEFT_ROUTER_ID", routerId);
    env.put("WEFT_ROUTER_HTTP_PORT", "0");
    return RouterApplication.start(RouterConfig.from(infra.env(env)));
  }

  /** Stops the persister and starts a new one on the same port, in the same group. */
  void stopPersister() {
    persister.close();
  }

  void startPersister(int port) {
    Map<String, String> env = new HashMap<>(overrides);
    env.put("WEFT_PERSISTER_HTTP_PORT", String.valueOf(port));
    persister = PersisterApplication.start(PersisterConfig.from(infra.env(env)));
  }

  static Fabric start(WeftInfra infra, int gateways, Map<String, String> given) {
    // Groups are per test too, so no test ever shares a consumer group with another.
    Map<String, String> overrides = new HashMap<>(given);
    overrides.putIfAbsent("WEFT_ROUTER_GROUP", infra.topic("router"));
    overrides.putIfAbsent("WEFT_PERSISTER_GROUP", infra.topic("persister"));
    PersisterApplication persister = PersisterApplication.start(PersisterConfig.from(infra.env(overrides)));
    RouterApplication router = null;
    Fabric fabric = null;
    try {
      router = RouterApplication.start(RouterConfig.from(infra.env(overrides)));
      Tokens tokens = new Tokens(JwtSettings.from(infra.env(overrides)), Clock.systemUTC());
      fabric = new Fabric(persister, router, tokens);
      fabric.infra = infra;
      fabric.overrides = overrides;
      for (int i = 1; i <= gateways; i++) {
        Map<String, String> env = new HashMap<>(overrides);
        env.put("WEFT_GATEWAY_ID", "gw-" + i);
        env.put("WEFT_PERSISTER_URL", "http://127.0.0.1:" + persister.httpPort());
        fabric.gateways.add(GatewayApplication.start(GatewayConfig.from(infra.env(env))));
      }
      return fabric;
    } catch (RuntimeException e) {
      if (fabric != null) {
        fabric.close();
      } else {
        if (router != null) {
          router.close();
        }
        persister.close();
      }
      throw e;
    }
  }

  /** Waits until the router has seen this many live sessions, so live delivery to them is certain. */
  void awaitRoutable(int sessions) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> router.knownSessions() >= sessions);
  }

  int port(int gateway) {
    return gateways.get(gateway - 1).httpPort();
  }

  /** Gateway n's server API port (-1 when off: the test did not set WEFT_SERVER_API_KEYS). */
  int serverApiPort(int gateway) {
    return gateways.get(gateway - 1).serverApiPort();
  }

  /** Gateway n's ops port: its /metrics and probes. */
  int opsPort(int gateway) {
    return gateways.get(gateway - 1).opsPort();
  }

  String token(String user) {
    return tokens.issue(user, Duration.ofHours(1));
  }

  @Override
  public void close() {
    List<GatewayApplication> reversed = new ArrayList<>(gateways);
    Collections.reverse(reversed);
    reversed.forEach(GatewayApplication::close);
    router.close();
    persister.close();
  }
}
