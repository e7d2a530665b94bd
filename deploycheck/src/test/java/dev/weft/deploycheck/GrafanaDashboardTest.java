package dev.weft.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GrafanaDashboardTest {

  private static JsonNode dashboard;
  private static final List<String> EXPRESSIONS = new ArrayList<>();

  @BeforeAll
  static void load() throws IOException {
    dashboard = Repo.JSON.readTree(Repo.path("deploy/grafana/weft-dashboard.json").toFile());
    collect(dashboard.path("panels"));
  }

  private static void collect(JsonNode panels) {
    for (JsonNode p : panels) {
      p.path("targets").forEach(t -> EXPRESSIONS.add(t.path("expr").asText()));
      collect(p.path("panels"));
    }
  }

  @Test
  void dashboard_parsesWithPanelsAndAUid() {
    assertFalse(dashboard.path("uid").asText().isEmpty(), "a fixed uid keeps links stable across imports");
    assertTrue(EXPRESSIONS.size() >= 10, "only " + EXPRESSIONS.size() + " queries");
    EXPRESSIONS.forEach(e -> assertFalse(e.isBlank(), "a panel target without expr"));
  }

  @Test
  void dashboard_queriesOnlyMetricsTheServicesExpose() {
    Set<String> known = Metrics.known();
    Set<String> unknown = new TreeSet<>();
    for (String expr : EXPRESSIONS) {
      Metrics.namesIn(expr).stream().filter(n -> !Metrics.isKnownOrStandard(n, known)).forEach(unknown::add);
    }
    assertEquals(Set.of(), unknown, "metrics no service exposes");
  }

  @Test
  void dashboard_showsEveryWeftMetric() {
    Set<String> used = new LinkedHashSet<>();
    EXPRESSIONS.forEach(e -> used.addAll(Metrics.namesIn(e)));
    Set<String> missing = new TreeSet<>();
    for (String m : Metrics.WEFT) {
      String base = m.replaceAll("_(bucket|count|sum|max)$", "");
      if (used.stream().noneMatch(u -> u.startsWith(base))) {
        missing.add(base);
      }
    }
    for (String m : List.of("kafka_consumer_fetch_manager_records_lag_max", "jvm_memory_used_bytes", "process_cpu_usage")) {
      if (!used.contains(m)) {
        missing.add(m);
      }
    }
    assertEquals(Set.of(), missing, "metrics without a panel");
  }

  @Test
  void dashboard_quantilesAggregateHistogramBucketsByLe() {
    for (String expr : EXPRESSIONS) {
      if (expr.contains("histogram_quantile")) {
        assertTrue(expr.contains("_bucket[") && expr.matches("(?s).*by \\((?:[a-z_]+, )*le(?:, [a-z_]+)*\\).*"),
            "a quantile must aggregate _bucket series by le: " + expr);
      }
    }
  }
}
