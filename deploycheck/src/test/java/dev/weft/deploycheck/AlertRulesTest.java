package dev.weft.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AlertRulesTest {

  private static final Pattern RUNBOOK = Pattern.compile("^docs/operations\\.md#([a-z0-9-]+)$");
  private static final Pattern DURATION = Pattern.compile("^\\d+[smhd]$");
  private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");

  private static final List<JsonNode> RULES = new ArrayList<>();

  @BeforeAll
  static void load() {
    JsonNode doc = Repo.yamlObject(Repo.path("deploy/prometheus/weft-alerts.yaml"));
    // A PrometheusRule, or a plain rules file: the groups are the same either way.
    JsonNode groups = doc.has("spec") ? doc.path("spec").path("groups") : doc.path("groups");
    if (doc.has("kind")) {
      assertEquals("monitoring.coreos.com/v1", doc.path("apiVersion").asText());
      assertEquals("PrometheusRule", doc.path("kind").asText());
    }
    assertTrue(groups.isArray() && !groups.isEmpty(), "no rule groups");
    for (JsonNode g : groups) {
      assertFalse(g.path("name").asText().isEmpty(), "a group without a name");
      g.path("rules").forEach(RULES::add);
    }
  }

  @Test
  void everyAlert_isWellFormedWithSeveritySummaryAndRunbook() {
    assertTrue(RULES.size() >= 5, "only " + RULES.size() + " rules");
    Set<String> names = new TreeSet<>();
    for (JsonNode r : RULES) {
      String name = r.path("alert").asText();
      assertFalse(name.isEmpty(), "a rule without alert name (recording rules do not belong here): " + r);
      assertFalse(r.path("expr").asText().isBlank(), name + ": no expr");
      assertTrue(balanced(r.path("expr").asText()), name + ": unbalanced brackets in expr");
      assertTrue(DURATION.matcher(r.path("for").asText()).matches(), name + ": 'for' must be a duration like 5m");
      assertTrue(SEVERITIES.contains(r.path("labels").path("severity").asText()), name + ": severity");
      assertFalse(r.path("annotations").path("summary").asText().isBlank(), name + ": no summary");
      assertTrue(RUNBOOK.matcher(r.path("annotations").path("runbook").asText()).matches(),
          name + ": runbook must be docs/operations.md#<anchor>, is '" + r.path("annotations").path("runbook").asText() + "'");
      names.add(name);
    }
    assertEquals(RULES.size(), names.size(), "duplicate alert names");
  }

  @Test
  void everyAlert_usesOnlyMetricsTheServicesExpose() {
    Set<String> known = Metrics.known();
    for (JsonNode r : RULES) {
      for (String m : Metrics.namesIn(r.path("expr").asText())) {
        assertTrue(Metrics.isKnownOrStandard(m, known) || m.startsWith("kube_"),
            r.path("alert").asText() + ": unknown metric " + m);
      }
    }
  }

  @Test
  @DisplayName("every runbook anchor is a section of docs/operations.md (skipped, naming the missing ones, until written)")
  void everyRunbook_pointsToASectionOfTheOperationsGuide() {
    Set<String> anchors = anchors(Repo.read("docs/operations.md"));
    Set<String> missing = new TreeSet<>();
    for (JsonNode r : RULES) {
      Matcher m = RUNBOOK.matcher(r.path("annotations").path("runbook").asText());
      if (m.matches() && !anchors.contains(m.group(1))) {
        missing.add(m.group(1));
      }
    }
    Assumptions.assumeTrue(missing.isEmpty(), "docs/operations.md has no section yet for " + missing);
  }

  /** GitHub's heading anchors (lower case, punctuation dropped, spaces to hyphens) and explicit {@code <a id>}s. */
  static Set<String> anchors(String markdown) {
    Set<String> anchors = new TreeSet<>();
    for (String line : markdown.split("\n")) {
      if (line.startsWith("#")) {
        String text = Normalizer.normalize(line.replaceFirst("^#+\\s*", "").trim(), Normalizer.Form.NFC);
        anchors.add(text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
      }
      Matcher a = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"").matcher(line);
      while (a.find()) {
        anchors.add(a.group(1));
      }
    }
    return anchors;
  }

  private static boolean balanced(String expr) {
    int depth = 0;
    for (char c : expr.toCharArray()) {
      depth += (c == '(' || c == '[' || c == '{') ? 1 : (c == ')' || c == ']' || c == '}') ? -1 : 0;
      if (depth < 0) {
        return false;
      }
    }
    return depth == 0;
  }
}
