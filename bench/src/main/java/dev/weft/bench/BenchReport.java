package dev.weft.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The report of a run: {@code bench.json} (every figure of every phase, the settings, the machine) and
 * {@code bench.md} (a summary table of Weft, the baseline and their ratio, then every phase of each).
 */
final class BenchReport {

  /** One line of the summary: a figure read from each target's result the same way. */
  private record Row(String figure, String unit, Function<TargetResult, Double> value) {}

  private final BenchConfig config;
  private final Instant startedAt;
  private final TargetResult weft;
  private final TargetResult baseline;

  BenchReport(BenchConfig config, Instant startedAt, TargetResult weft, TargetResult baseline) {
    this.config = config;
    this.startedAt = startedAt;
    this.weft = weft;
    this.baseline = baseline;
  }

  private List<Row> rows() {
    int cold = config.coldRate();
    List<Row> rows = new ArrayList<>();
    rows.add(new Row("highest rate held ≥ " + config.rampSeconds() + " s, p99 ≤ " + config.p99LimitMs()
        + " ms, nothing lost", "msgs/s", t -> (double) t.heldRate()));
    rows.add(new Row("cold " + cold + " msgs/s (first phase): p50", "ms", t -> ms(t.phase("cold", cold), PhaseResult::p50Ms)));
    rows.add(new Row("cold " + cold + " msgs/s: p99", "ms", t -> ms(t.phase("cold", cold), PhaseResult::p99Ms)));
    rows.add(new Row("cold " + cold + " msgs/s: worst", "ms", t -> ms(t.phase("cold", cold), PhaseResult::maxMs)));
    if (config.warmRates().contains(cold)) {
      rows.add(new Row("warm " + cold + " msgs/s: p50", "ms", t -> ms(t.phase("warm", cold), PhaseResult::p50Ms)));
      rows.add(new Row("warm " + cold + " msgs/s: p99", "ms", t -> ms(t.phase("warm", cold), PhaseResult::p99Ms)));
      rows.add(new Row("warm " + cold + " msgs/s: worst", "ms", t -> ms(t.phase("warm", cold), PhaseResult::maxMs)));
    }
    for (int rate : config.warmRates()) {
      rows.add(new Row("server CPU per delivered message at " + rate + " msgs/s", "µs",
          t -> ms(t.phase("warm", rate), PhaseResult::serverCpuMicrosPerMessage)));
    }
    rows.add(new Row("server CPU with no traffic", "cores", TargetResult::serverIdleCores));
    rows.add(new Row("RSS per idle connection (" + config.idleConnections() + " connections, after full GC)", "KiB",
        t -> t.idle().rssPerConnectionKb()));
    rows.add(new Row("heap per idle connection (after full GC)", "KiB", t -> t.idle().heapPerConnectionKb()));
    rows.add(new Row("logins per second (" + config.idleConnections() + " users, " + config.loginsInFlight()
        + " in flight)", "/s", t -> t.idle().perSecond()));
    rows.add(new Row("login p99", "ms", t -> t.idle().p99Ms()));
    rows.add(new Row("server CPU per login", "µs", t -> t.idle().serverCpuMicrosPerLogin()));
    rows.add(new Row("bench's own CPU, busiest phase", "cores",
        t -> t.phases().stream().mapToDouble(PhaseResult::benchCpuCores).max().orElse(Double.NaN)));
    return rows;
  }

  private static double ms(Optional<PhaseResult> phase, Function<PhaseResult, Double> f) {
    return phase.map(f).orElse(Double.NaN);
  }

  JsonObject toJson() {
    JsonArray summary = new JsonArray();
    for (Row r : rows()) {
      double w = r.value().apply(weft);
      double b = baseline == null ? Double.NaN : r.value().apply(baseline);
      summary.add(new JsonObject().put("figure", r.figure()).put("unit", r.unit()).put("weft", PhaseResult.finite(w))
          .put("baseline", PhaseResult.finite(b)).put("ratio", PhaseResult.finite(w / b)));
    }
    return new JsonObject()
        .put("startedAt", startedAt.toString())
        .put("machine", new JsonObject().put("cores", Runtime.getRuntime().availableProcessors())
            .put("java", System.getProperty("java.version")).put("jvm", System.getProperty("java.vm.name"))
            .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version")))
        .put("settings", settings())
        .put("summary", summary)
        .put(Target.WEFT, weft.toJson())
        .put(Target.BASELINE, baseline == null ? null : baseline.toJson());
  }

  private JsonObject settings() {
    return new JsonObject().put("users", config.users()).put("textBytes", config.textBytes())
        .put("coldRate", config.coldRate()).put("coldSeconds", config.coldSeconds())
        .put("warmRates", new JsonArray(List.copyOf(config.warmRates()))).put("warmSeconds", config.warmSeconds())
        .put("rampRates", new JsonArray(List.copyOf(config.rampRates()))).put("rampSeconds", config.rampSeconds())
        .put("p99LimitMs", config.p99LimitMs()).put("drainSeconds", config.drainSeconds())
        .put("idleConnections", config.idleConnections()).put("loginsInFlight", config.loginsInFlight());
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("## Weft against the in-memory relay (").append(startedAt).append(", ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
        .append(System.getProperty("java.version")).append(")\n\n");
    md.append(config.users()).append(" users, ").append(config.textBytes())
        .append("-byte messages from a random user to a random other, open loop. Ratio = Weft / baseline.\n\n");
    for (TargetResult t : baseline == null ? List.of(weft) : List.of(weft, baseline)) {
      t.warnings().forEach(w -> md.append("**Warning (").append(t.name()).append("):** ").append(w).append("\n\n"));
    }
    md.append("| figure | unit | Weft | baseline | ratio |\n| --- | --- | ---: | ---: | ---: |\n");
    for (Row r : rows()) {
      double w = r.value().apply(weft);
      double b = baseline == null ? Double.NaN : r.value().apply(baseline);
      md.append("| ").append(r.figure()).append(" | ").append(r.unit()).append(" | ").append(num(w)).append(" | ")
          .append(num(b)).append(" | ").append(Double.isFinite(w / b) ? String.format(Locale.ROOT, "%.2f", w / b) : "–")
          .append(" |\n");
    }
    phases(md, weft);
    if (baseline != null) {
      phases(md, baseline);
    }
    return md.toString();
  }

  private static void phases(StringBuilder md, TargetResult t) {
    md.append("\n### Phases: ").append(t.name()).append("\n\n");
    t.warnings().forEach(w -> md.append("**Warning:** ").append(w).append("\n\n"));
    md
        .append("| phase | msgs/s | sent/s | delivered | lost | undelivered | late | dup | p50 ms | p99 ms | p99.9 ms | max ms "
            + "| server µs/msg | server cores | bench cores |\n")
        .append("| --- |").append(" ---: |".repeat(14)).append('\n');
    for (PhaseResult p : t.phases()) {
      md.append("| ").append(p.name()).append(" | ").append(p.rate()).append(" | ").append(num(p.sendRate()))
          .append(" | ").append(p.delivered()).append(" | ").append(p.lost()).append(" | ").append(p.undelivered())
          .append(" | ").append(t.arrivedLate(p)).append(" | ").append(p.duplicates()).append(" | ").append(num(p.p50Ms())).append(" | ")
          .append(num(p.p99Ms())).append(" | ").append(num(p.p999Ms())).append(" | ").append(num(p.maxMs()))
          .append(" | ").append(num(p.serverCpuMicrosPerMessage())).append(" | ").append(num(p.serverCpuCores()))
          .append(" | ").append(num(p.benchCpuCores())).append(" |\n");
    }
    StringBuilder byProcess = new StringBuilder();
    t.serverIdleCoresByProcess().forEach((proc, cores) -> byProcess.append(byProcess.length() == 0 ? "" : ", ")
        .append(proc).append(' ').append(num(cores)));
    md.append(String.format(Locale.ROOT, "%nServer CPU with no traffic: %.2f cores (%s).%n", t.serverIdleCores(),
        byProcess));
    md.append("Ramp: ").append(t.heldRate()).append(" msgs/s held")
        .append(t.rampStop() == null ? " (every step passed)" : "; stopped at " + t.rampStop()).append(".\n");
    for (LoginResult l : List.of(t.connect(), t.idle())) {
      md.append(String.format(Locale.ROOT, "Logins (%s): %d of %d in %.1f s, %s/s, p50 %s ms, p99 %s ms, %d failed%s; "
              + "server RSS %d → %d KiB, heap %d → %d KiB.%n", l.name(), l.logins(), l.users(), l.seconds(),
          num(l.perSecond()), num(l.p50Ms()), num(l.p99Ms()), l.failures(),
          l.firstFailure() == null ? "" : " (" + l.firstFailure() + ")", l.rssBeforeKb(), l.rssAfterKb(),
          l.heapBeforeKb(), l.heapAfterKb()));
    }
  }

  /** Three significant figures, or – for a figure not measured. */
  private static String num(double v) {
    if (!Double.isFinite(v)) {
      return "–";
    }
    double a = Math.abs(v);
    return a >= 100 ? String.format(Locale.ROOT, "%.0f", v) : a >= 10 ? String.format(Locale.ROOT, "%.1f", v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  /** Writes bench.json and bench.md into {@code dir}. */
  void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("bench.json"), toJson().encodePrettily() + "\n", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("bench.md"), markdown(), StandardCharsets.UTF_8);
  }
}
