package dev.weft.schemas.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Full, transitive compatibility across kept versions, judged by Avro's own {@link SchemaCompatibility}: for every
 * schema name, every version can read every other version's data, in both directions. A schema that an older version
 * has and a newer one lacks is refused too (its data would have no reader).
 */
public final class CompatibilityChecker {

  /** One refusal: {@code reader} (version and schema) cannot read what {@code writer} wrote. */
  public record Problem(String schema, String readerVersion, String writerVersion, String detail) {
    @Override
    public String toString() {
      return schema + ": " + readerVersion + " cannot read data written by " + writerVersion + ": " + detail;
    }
  }

  private CompatibilityChecker() {}

  /**
   * @param versions version label → (schema full name → schema), oldest first, the candidate (e.g. "current") last
   * @return every problem found; empty when all versions are mutually compatible
   */
  public static List<Problem> check(Map<String, Map<String, Schema>> versions) {
    List<Problem> problems = new ArrayList<>();
    List<String> labels = new ArrayList<>(versions.keySet());
    for (int i = 0; i < labels.size(); i++) {
      for (String name : versions.get(labels.get(i)).keySet()) {
        for (int j = i + 1; j < labels.size(); j++) {
          if (!versions.get(labels.get(j)).containsKey(name)) {
            problems.add(new Problem(name, labels.get(j), labels.get(i), "the schema was removed"));
          }
        }
      }
    }
    for (String a : labels) {
      for (String b : labels) {
        if (a.equals(b)) {
          continue;
        }
        for (var e : versions.get(a).entrySet()) {
          Schema writer = versions.get(b).get(e.getKey());
          if (writer != null) {
            readable(e.getKey(), a, e.getValue(), b, writer).ifPresent(problems::add);
          }
        }
      }
    }
    return problems;
  }

  /** Whether {@code reader} can read what {@code writer} wrote, by Avro's resolution rules. */
  public static java.util.Optional<Problem> readable(String name, String readerVersion, Schema reader,
      String writerVersion, Schema writer) {
    var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
    if (result.getCompatibility() == SchemaCompatibilityType.COMPATIBLE) {
      return java.util.Optional.empty();
    }
    String detail = result.getIncompatibilities().stream()
        .map(inc -> inc.getType() + " at " + inc.getLocation() + ": " + inc.getMessage())
        .collect(Collectors.joining("; "));
    return java.util.Optional.of(new Problem(name, readerVersion, writerVersion, detail));
  }
}
