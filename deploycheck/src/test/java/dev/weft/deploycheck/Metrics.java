package dev.weft.deploycheck;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric names the services expose, and the ones a PromQL expression uses. */
final class Metrics {

  /** Weft's own meters, as the code exposes them (docs/operations.md "Metrics" adds to these). */
  static final Set<String> WEFT = Set.of(
      "weft_gateway_connections",
      "weft_gateway_connections_opened_total",
      "weft_gateway_connections_closed_total",
      "weft_gateway_frames_in_total",
      "weft_gateway_frames_out_total",
      "weft_gateway_messages_published_total",
      "weft_gateway_messages_delivered_total",
      "weft_gateway_draining",
      "weft_router_messages_routed_total",
      "weft_persister_messages_persisted_total",
      "weft_delivery_latency_seconds_bucket",
      "weft_delivery_latency_seconds_count",
      "weft_delivery_latency_seconds_sum",
      "weft_errors_total",
      "weft_persister_batch_size_count",
      "weft_persister_batch_size_sum",
      "weft_persister_batch_size_max",
      "weft_persister_write_seconds_bucket",
      "weft_persister_write_seconds_count",
      "weft_persister_write_seconds_sum");

  /** Standard names from Micrometer's JVM binders and Kafka client metrics: allowed by prefix. */
  static final List<String> STANDARD_PREFIXES = List.of("jvm_", "process_", "system_", "kafka_consumer_", "kafka_producer_");

  private static final Pattern NAME = Pattern.compile("\\b((?:weft|jvm|process|system|kafka|vertx|kube)_[a-z0-9_]+)\\b");
  private static final Pattern DOCUMENTED = Pattern.compile("^\\|\\s*`(weft_[a-z0-9_]+)(?:\\{[^}]*\\})?`\\s*\\|\\s*(\\w+)", Pattern.MULTILINE);

  private Metrics() {}

  /** The brief's list plus every meter in docs/operations.md's metrics table, with the series each type exposes. */
  static Set<String> known() {
    Set<String> known = new LinkedHashSet<>(WEFT);
    Matcher m = DOCUMENTED.matcher(Repo.read("docs/operations.md"));
    while (m.find()) {
      String name = m.group(1);
      switch (m.group(2)) {
        case "histogram" -> List.of("_bucket", "_count", "_sum", "_max").forEach(s -> known.add(name + s));
        case "summary" -> List.of("", "_count", "_sum", "_max").forEach(s -> known.add(name + s));
        default -> known.add(name);
      }
    }
    return known;
  }

  /** Metric names in a PromQL expression (label names inside braces never match the prefixes). */
  static Set<String> namesIn(String expr) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = NAME.matcher(expr.replaceAll("\\{[^}]*\\}", "{}"));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  static boolean isKnownOrStandard(String name, Set<String> known) {
    return known.contains(name) || STANDARD_PREFIXES.stream().anyMatch(name::startsWith);
  }
}
