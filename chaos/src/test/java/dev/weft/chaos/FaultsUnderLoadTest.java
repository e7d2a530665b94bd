package dev.weft.chaos;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The short fault run of the suite: the real cluster of {@code ./weft chaos} (three KRaft brokers and a controller,
 * MariaDB, two of each service as processes) at a low rate, with one fault of each kind: a gateway, a router and the
 * leader broker of a partition killed, a broker hung for 10 s, the database killed. Every acked message must be delivered to its
 * recipient's device and stored, none shown twice, none out of order. The full table is {@code ./weft chaos}; docs/reliability.md has it.
 */
class FaultsUnderLoadTest {

  @Test
  void noAckedMessageIsLostDuplicatedOrReorderedWhenAGatewayARouterALeaderBrokerAndTheDatabaseDieOrABrokerHangs() throws Exception {
    Path out = Files.createTempDirectory("weft-chaos-test");
    ChaosConfig config = new ChaosConfig(40, 20,
        List.of(Fault.GATEWAY_KILL, Fault.ROUTER_KILL, Fault.LEADER_BROKER_KILL, Fault.BROKER_PAUSE, Fault.DATABASE_KILL),
        16, 8, 10, 60, 500, out, Path.of(System.getProperty("weft.root", "..")).toAbsolutePath().normalize(),
        List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));

    List<FaultResult> results = new ChaosRun(config).run();
    ChaosReport.write(config, results);
    System.out.println(ChaosReport.markdown(config, results));

    assertEquals(7, results.size(), "the warm-up, the baseline and one window per fault");
    List<Executable> checks = new ArrayList<>();
    for (FaultResult r : results) {
      String where = r.fault() + " (" + r.detail() + "), see " + out;
      checks.add(() -> assertEquals(0, r.ackedLost(), "acked and lost in " + where));
      checks.add(() -> assertEquals(0, r.ackedNotStored(), "acked and not stored in " + where));
      checks.add(() -> assertEquals(0, r.neverDelivered(), "acked and never delivered in " + where));
      checks.add(() -> assertEquals(0, r.shownTwice(), "shown twice in " + where));
      checks.add(() -> assertEquals(0, r.orderViolations(), "out of order in " + where));
      // Sends are resent until acked: nearly all must be acked by the end, whatever the fault did.
      checks.add(() -> assertTrue(r.sent() > 0 && r.acked() >= r.sent() * 0.95,
          r.acked() + " of " + r.sent() + " acked in " + where));
    }
    assertAll(checks);
    // Passed: its data (brokers' logs, the database, some 600 MB) goes; a failed run keeps everything to look at.
    try (var files = Files.walk(out)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
