package dev.weft.persister;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import dev.weft.persister.config.PersisterConfig;

/** {@code ./weft persister}: one persister, configured from the environment. */
public final class PersisterMain {

  private PersisterMain() {}

  public static void main(String[] args) {
    PersisterConfig config;
    try {
      config = PersisterConfig.from(Env.system());
    } catch (ConfigException e) {
      System.err.println("weft persister: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      PersisterApplication app = PersisterApplication.start(config);
      Runtime.getRuntime().addShutdownHook(new Thread(app::close, "weft-shutdown"));
    } catch (RuntimeException e) {
      System.err.println("weft persister: " + e.getMessage());
      System.exit(1);
    }
  }
}
