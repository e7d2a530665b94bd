package dev.weft.router;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;

/** {@code ./weft router}: one router, configured from the environment (see {@link RouterConfig}). */
public final class RouterMain {

  private RouterMain() {}

  public static void main(String[] args) {
    RouterConfig config;
    try {
      config = RouterConfig.from(Env.system());
    } catch (ConfigException e) {
      System.err.println("weft router: " + e.getMessage());
      System.exit(2);
      return;
    }
    RouterApplication app;
    try {
      // Not from the loop's own thread: exiting runs the shutdown hook, which waits for that thread to stop.
      app = RouterApplication.start(config, e -> new Thread(() -> {
        System.err.println("weft router: stopped by an error no retry cures: " + e);
        System.exit(1);
      }, "weft-fatal").start());
    } catch (RuntimeException e) {
      System.err.println("weft router: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "weft-shutdown"));
    System.out.println("Weft router " + config.routerId() + " routing " + config.kafka().topics().inbound()
        + " in group " + config.group());
  }
}
