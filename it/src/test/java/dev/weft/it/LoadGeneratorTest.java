package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.Env;
import dev.weft.loadgen.LoadConfig;
import dev.weft.loadgen.LoadGenerator;
import dev.weft.loadgen.LoadReport;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The load generator measures a real fabric: every message it sends is acked and delivered once. */
@WeftIntegrationTest
class LoadGeneratorTest {

  @Test
  void aShortRunOverTwoGatewaysAccountsForEveryMessageLiveAndCaughtUp(WeftInfra infra) throws Exception {
    try (Fabric fabric = Fabric.start(infra, 2, Map.of())) {
      Map<String, String> env = new HashMap<>(infra.env().values());
      env.put("WEFT_LOAD_GATEWAYS", "127.0.0.1:" + fabric.port(1) + ",127.0.0.1:" + fabric.port(2));
      env.put("WEFT_LOAD_PAIRS", "10");
      env.put("WEFT_LOAD_RATE", "200");
      env.put("WEFT_LOAD_SECONDS", "2");
      env.put("WEFT_LOAD_CATCHUP_MESSAGES", "200");
      LoadReport report = new LoadGenerator(LoadConfig.from(new Env(env))).run();
      System.out.println(report);
      assertEquals(400, report.sent());
      assertEquals(400, report.acked());
      assertEquals(400, report.delivered());
      assertEquals(0, report.errors());
      assertTrue(report.deliveryMs(50) > 0);
      assertEquals(200, report.catchUp().caughtUp(), "every message sent while the receivers were away, once");
      assertEquals(10, report.catchUp().syncMicros().length);
    }
  }
}
