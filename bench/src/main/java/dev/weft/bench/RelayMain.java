package dev.weft.bench;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import dev.weft.common.JwtSettings;
import dev.weft.common.Tokens;
import java.time.Clock;

/**
 * The baseline relay as a process of its own, so the bench reads its CPU and RSS from /proc as it reads Weft's.
 * WEFT_RELAY_PORT (default 0: a free port), WEFT_EVENT_LOOPS (default: CPU cores, as the gateway); tokens are checked
 * with WEFT_JWT_SECRET or the dev secret under WEFT_DEV=1. Prints {@value #READY} and the port once it listens.
 */
public final class RelayMain {

  static final String READY = "relay listening on port ";

  private RelayMain() {}

  public static void main(String[] args) throws InterruptedException {
    RelayServer relay;
    try {
      Env env = Env.system();
      relay = RelayServer.start(env.integer("WEFT_RELAY_PORT", 0, 0, 65535),
          new Tokens(JwtSettings.from(env), Clock.systemUTC()),
          env.integer("WEFT_EVENT_LOOPS", Runtime.getRuntime().availableProcessors(), 1, 256));
    } catch (ConfigException e) {
      System.err.println("weft relay: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(relay::close, "relay-shutdown"));
    System.out.println(READY + relay.port());
    Thread.currentThread().join();
  }
}
