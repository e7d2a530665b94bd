package dev.weft.loadgen;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;

/** {@code ./weft load}: runs the load generator against running gateways and prints one report line. */
public final class LoadMain {

  private LoadMain() {}

  public static void main(String[] args) throws Exception {
    LoadConfig config;
    try {
      config = LoadConfig.from(Env.system());
    } catch (ConfigException e) {
      System.err.println("weft load: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.out.println(new LoadGenerator(config).run());
    System.exit(0);
  }
}
