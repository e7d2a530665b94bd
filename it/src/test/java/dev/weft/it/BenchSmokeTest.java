package dev.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bench.Bench;
import dev.weft.bench.BenchConfig;
import dev.weft.bench.RelayServer;
import dev.weft.bench.Target;
import dev.weft.common.Env;
import dev.weft.testkit.WeftInfra;
import dev.weft.testkit.WeftIntegrationTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few seconds of {@code ./weft bench}'s measuring core against a test Weft and the in-process relay, so the
 * benchmark cannot rot. It checks what the bench counts and writes, never a time: the benchmark is not a test.
 */
@WeftIntegrationTest
class BenchSmokeTest {

  @Test
  @DisplayName("a short bench run accounts for every message against Weft and the relay, and reports every figure")
  void shortRunAccountsForEveryMessageAndWritesTheReport(WeftInfra infra, @TempDir Path out) throws Exception {
    Map<String, String> env = new HashMap<>(infra.env().values());
    env.put("WEFT_BENCH_QUICK", "1");
    env.put("WEFT_BENCH_OUT", out.toString());
    env.put("WEFT_BENCH_USERS", "10");
    env.put("WEFT_BENCH_COLD_RATE", "50");
    env.put("WEFT_BENCH_COLD_SECONDS", "1");
    env.put("WEFT_BENCH_WARM_RATES", "50,100");
    env.put("WEFT_BENCH_WARM_SECONDS", "1");
    env.put("WEFT_BENCH_RAMP_RATES", "100");
    env.put("WEFT_BENCH_RAMP_SECONDS", "1");
    // Long enough that a busy test machine still sees every message: the drain ends once all have arrived.
    env.put("WEFT_BENCH_DRAIN_SECONDS", "30");
    env.put("WEFT_BENCH_IDLE_CONNECTIONS", "50");
    env.put("WEFT_BENCH_LOGINS_IN_FLIGHT", "10");
    BenchConfig config = BenchConfig.from(new Env(env));
    // The servers run in this JVM, so "server" CPU and RSS are this JVM's: the figures exist but mean little here.
    List<Long> self = List.of(ProcessHandle.current().pid());
    try (Fabric fabric = Fabric.start(infra, 1, Map.of());
         RelayServer relay = RelayServer.start(0, fabric.tokens, 2);
         Bench bench = new Bench(config)) {
      bench.measure(new Target(Target.WEFT, "127.0.0.1", fabric.port(1), () -> self));
      bench.measure(new Target(Target.BASELINE, "127.0.0.1", relay.port(), () -> self));
      bench.writeReport();
    }

    JsonObject report = new JsonObject(Files.readString(out.resolve("bench.json")));
    for (String target : List.of(Target.WEFT, Target.BASELINE)) {
      JsonObject t = report.getJsonObject(target);
      assertNotNull(t, target);
      assertEquals(0, t.getJsonObject("connect").getInteger("failures"), target + ": " + t.getJsonObject("connect"));
      assertEquals(10, t.getJsonObject("connect").getInteger("logins"), target);
      assertEquals(50, t.getJsonObject("idle").getInteger("logins"), target + ": " + t.getJsonObject("idle"));
      assertNotNull(t.getJsonObject("idle").getDouble("rssPerConnectionKb"), target);
      JsonArray phases = t.getJsonArray("phases");
      assertEquals(List.of("cold", "warm", "warm", "ramp"),
          phases.stream().map(p -> ((JsonObject) p).getString("kind")).toList(), target);
      for (Object o : phases) {
        JsonObject p = (JsonObject) o;
        String what = target + " " + p.getString("name") + ": " + p.encode();
        assertEquals(p.getLong("sent"), p.getLong("delivered"), what);
        assertEquals(p.getLong("sent"), p.getLong("acked"), what);
        assertEquals(0, p.getLong("lost"), what);
        assertEquals(0, p.getLong("undelivered"), what);
        assertEquals(0, p.getLong("duplicates"), what);
        assertEquals(0, p.getLong("misdelivered"), what);
        assertEquals(0, p.getLong("errors"), what);
        assertNotNull(p.getDouble("p99Ms"), what);
        assertNotNull(p.getDouble("serverCpuMicrosPerMessage"), what);
      }
    }
    JsonArray summary = report.getJsonArray("summary");
    assertFalse(summary.isEmpty());
    for (Object o : summary) {
      JsonObject row = (JsonObject) o;
      assertNotNull(row.getValue("weft"), row.encode());
      assertNotNull(row.getValue("baseline"), row.encode());
      assertTrue(row.containsKey("ratio"), row.encode());
    }
    String md = Files.readString(out.resolve("bench.md"));
    assertTrue(md.contains("| figure | unit | Weft | baseline | ratio |"), md);
    assertTrue(md.contains("### Phases: weft") && md.contains("### Phases: baseline"), md);
  }
}
