package dev.weft.chaos;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import java.util.List;

/**
 * {@code ./weft chaos}: one fault run, its table printed and written to WEFT_CHAOS_OUT. Exits 1 when an acked message
 * was lost or not stored, or a message was shown twice or out of order; 2 on a bad setting.
 */
public final class ChaosMain {

  private ChaosMain() {}

  public static void main(String[] args) throws Exception {
    // Every client reconnecting at once makes Vert.x's client pool warn once per socket; the table counts them.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.vertx.core.http.impl"))
        .setLevel(ch.qos.logback.classic.Level.ERROR);
    ChaosConfig config;
    try {
      config = ChaosConfig.from(Env.system());
    } catch (ConfigException e) {
      System.err.println("weft chaos: " + e.getMessage());
      System.exit(2);
      return;
    }
    List<FaultResult> results = new ChaosRun(config).run();
    ChaosReport.write(config, results);
    System.out.println();
    System.out.println(ChaosReport.markdown(config, results));
    System.out.println("written to " + config.outDir());
    boolean clean = results.stream().allMatch(FaultResult::lossFree);
    if (!clean) {
      System.out.println("weft chaos: FAILED: a loss column is not 0");
    }
    System.exit(clean ? 0 : 1);
  }
}
