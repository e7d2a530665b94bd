package dev.weft.chaos;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The table of a fault run, as markdown (printed and written) and JSON. */
final class ChaosReport {

  private ChaosReport() {}

  static String markdown(ChaosConfig config, List<FaultResult> results) {
    StringBuilder b = new StringBuilder();
    b.append("Fault run: ").append(config.users()).append(" users, ").append(config.rate())
        .append(" msgs/s, quiet ").append(config.quietSeconds()).append(" s; 3 brokers (RF 3, min ISR 2) and a controller, ")
        .append("MariaDB, 2 gateways, 2 routers, 2 persisters.\n\n");
    b.append("| fault | sent | acked | acked and lost | acked, not stored | acked, never delivered | shown twice | order violations | ")
        .append("recovery (s) | after restart (s) | p50 / p99 / max (ms) | errors seen by clients |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (FaultResult r : results) {
      b.append("| ").append(r.fault()).append(" | ").append(r.sent()).append(" | ").append(r.acked()).append(" | ")
          .append(r.ackedLost()).append(" | ").append(r.ackedNotStored()).append(" | ").append(r.neverDelivered())
          .append(" | ").append(r.shownTwice())
          .append(" | ").append(r.orderViolations()).append(" | ").append(seconds(r.recoveryMs())).append(" | ")
          .append(seconds(r.healRecoveryMs())).append(" | ")
          .append(String.format("%.1f / %s / %s", r.p50Ms(), ms(r.p99Ms()), ms(r.maxMs()))).append(" | ")
          .append(errors(r.errors())).append(" |\n");
    }
    b.append("\nWhat each fault hit:\n\n");
    for (FaultResult r : results) {
      b.append("- ").append(r.fault()).append(": ").append(r.detail());
      if (r.refused() > 0) {
        b.append("; ").append(r.refused()).append(" sends refused for good");
      }
      b.append('\n');
    }
    return b.toString();
  }

  static JsonObject json(ChaosConfig config, List<FaultResult> results) {
    JsonArray rows = new JsonArray();
    for (FaultResult r : results) {
      rows.add(new JsonObject().put("fault", r.fault()).put("detail", r.detail()).put("windowSeconds", r.windowSeconds())
          .put("sent", r.sent()).put("acked", r.acked()).put("refused", r.refused()).put("ackedLost", r.ackedLost())
          .put("ackedNotStored", r.ackedNotStored()).put("shownTwice", r.shownTwice())
          .put("orderViolations", r.orderViolations()).put("neverDelivered", r.neverDelivered())
          .put("p50Ms", finite(r.p50Ms())).put("p99Ms", finite(r.p99Ms())).put("maxMs", finite(r.maxMs()))
          .put("recoveryMs", r.recoveryMs()).put("healRecoveryMs", r.healRecoveryMs())
          .put("p99BySecondMs", new JsonArray(new java.util.ArrayList<>(r.p99BySecondMs())))
          .put("errors", new JsonObject(Map.copyOf(r.errors()).entrySet().stream()
              .collect(Collectors.toMap(Map.Entry::getKey, e -> (Object) e.getValue())))));
    }
    return new JsonObject().put("users", config.users()).put("rate", config.rate())
        .put("quietSeconds", config.quietSeconds()).put("results", rows);
  }

  static void write(ChaosConfig config, List<FaultResult> results) throws IOException {
    Files.createDirectories(config.outDir());
    Files.writeString(config.outDir().resolve("chaos.md"), markdown(config, results));
    Files.writeString(config.outDir().resolve("chaos.json"), json(config, results).encodePrettily());
  }

  private static Object finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static String seconds(long ms) {
    return ms < 0 ? "not recovered" : String.format("%.0f", ms / 1000.0);
  }

  private static String ms(double v) {
    return Double.isFinite(v) ? String.format("%.0f", v) : "never";
  }

  private static String errors(Map<String, Long> errors) {
    return errors.isEmpty() ? "none" : errors.entrySet().stream().map(e -> e.getKey() + " ×" + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
