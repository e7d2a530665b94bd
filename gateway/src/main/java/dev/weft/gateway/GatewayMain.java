package dev.weft.gateway;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import dev.weft.gateway.config.GatewayConfig;

/** {@code ./weft gateway}: one gateway, configured from the environment. */
public final class GatewayMain {

  private GatewayMain() {}

  public static void main(String[] args) {
    GatewayConfig config;
    try {
      config = GatewayConfig.from(Env.system());
    } catch (ConfigException e) {
      System.err.println("weft gateway: " + e.getMessage());
      System.exit(2);
      return;
    }
    GatewayApplication app = GatewayApplication.start(config);
    // SIGTERM (Kubernetes, docker stop, Ctrl-C): drain, so clients move elsewhere spread out and nothing is lost.
    Runtime.getRuntime().addShutdownHook(new Thread(app::drainAndClose, "weft-drain"));
    System.out.println("Weft gateway " + app.gatewayId() + " on ws://localhost:" + app.httpPort() + "/v1/ws");
  }
}
