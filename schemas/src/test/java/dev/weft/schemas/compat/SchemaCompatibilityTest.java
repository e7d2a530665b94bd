package dev.weft.schemas.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.schemas.WeftSchemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/**
 * The build's guard on schema evolution: the current schemas and every kept release ({@code src/released/<version>})
 * must read each other's data both ways (see schemas/README.md).
 */
class SchemaCompatibilityTest {

  private static final Path CURRENT = Path.of("src/main/avro");
  private static final Path RELEASED = Path.of("src/released");

  @Test
  void currentSchemasAndEveryReleasedVersionReadEachOther() throws IOException {
    Map<String, Map<String, Schema>> versions = new LinkedHashMap<>();
    for (Path dir : releasedDirs()) {
      versions.put(dir.getFileName().toString(), AvscSet.load(dir));
    }
    assertFalse(versions.isEmpty(), "no released schemas under " + RELEASED.toAbsolutePath());
    versions.put("current", AvscSet.load(CURRENT));

    List<CompatibilityChecker.Problem> problems = CompatibilityChecker.check(versions);
    if (!problems.isEmpty()) {
      fail("incompatible schema change (rules: schemas/README.md):\n  "
          + problems.stream().map(Object::toString).collect(Collectors.joining("\n  ")));
    }
  }

  @Test
  void everySchemaTheBuildWritesIsInTheAvscFiles() {
    Map<String, Schema> files = AvscSet.load(CURRENT);
    for (Schema s : WeftSchemas.current()) {
      // Compared by fingerprint, what the wire carries: generated classes add avro.java.string properties.
      assertEquals(SchemaNormalization.parsingFingerprint64(s), SchemaNormalization.parsingFingerprint64(files.get(s.getFullName())),
          s.getFullName() + " differs from its .avsc");
    }
  }

  @Test
  void refusesAFieldAddedWithoutADefault() {
    var problems = CompatibilityChecker.check(versions(
        record("{\"name\": \"a\", \"type\": \"string\"}"),
        record("{\"name\": \"a\", \"type\": \"string\"}, {\"name\": \"b\", \"type\": \"long\"}")));
    assertEquals(1, problems.size(), problems.toString());
    var p = problems.get(0);
    assertEquals("t.R", p.schema());
    assertEquals("next", p.readerVersion());
    assertEquals("0.1.0", p.writerVersion());
    assertTrue(p.detail().contains("READER_FIELD_MISSING_DEFAULT") && p.detail().contains("b"), p.detail());
  }

  @Test
  void refusesATypeChange() {
    var problems = CompatibilityChecker.check(versions(
        record("{\"name\": \"a\", \"type\": \"long\"}"),
        record("{\"name\": \"a\", \"type\": \"string\"}")));
    assertEquals(2, problems.size(), "both directions fail: " + problems);
    assertTrue(problems.get(0).detail().contains("TYPE_MISMATCH"), problems.toString());
  }

  @Test
  void refusesAPromotionOneWayOnly() {
    // int -> long is an Avro promotion: new readers read old data, but old readers cannot read new data.
    var problems = CompatibilityChecker.check(versions(
        record("{\"name\": \"a\", \"type\": \"int\"}"),
        record("{\"name\": \"a\", \"type\": \"long\"}")));
    assertEquals(1, problems.size(), problems.toString());
    assertEquals("0.1.0", problems.get(0).readerVersion());
  }

  @Test
  void refusesAnEnumSymbolAddedWithoutADefault() {
    String old = "{\"name\": \"k\", \"type\": {\"type\": \"enum\", \"name\": \"K\", \"symbols\": [\"A\"]}}";
    String added = "{\"name\": \"k\", \"type\": {\"type\": \"enum\", \"name\": \"K\", \"symbols\": [\"A\", \"B\"]}}";
    var problems = CompatibilityChecker.check(versions(record(old), record(added)));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).detail().contains("MISSING_ENUM_SYMBOLS"), problems.toString());
  }

  @Test
  void refusesARemovedSchema() {
    Map<String, Map<String, Schema>> v = new LinkedHashMap<>();
    v.put("0.1.0", Map.of("t.R", parse(record("{\"name\": \"a\", \"type\": \"string\"}"))));
    v.put("next", Map.of());
    var problems = CompatibilityChecker.check(v);
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).detail().contains("removed"));
  }

  @Test
  void acceptsAFieldAddedWithADefault() {
    var problems = CompatibilityChecker.check(versions(
        record("{\"name\": \"a\", \"type\": \"string\"}"),
        record("{\"name\": \"a\", \"type\": \"string\"}, {\"name\": \"b\", \"type\": \"long\", \"default\": 0}")));
    assertEquals(List.of(), problems);
  }

  @Test
  void checksTransitivelyAcrossEveryKeptVersion() {
    // The candidate is checked against every kept version, not only the newest.
    Map<String, Map<String, Schema>> v = new LinkedHashMap<>();
    v.put("0.1.0", Map.of("t.R", parse(record("{\"name\": \"a\", \"type\": \"string\"}"))));
    v.put("0.2.0", Map.of("t.R", parse(record("{\"name\": \"a\", \"type\": \"string\"}"))));
    v.put("next", Map.of("t.R", parse(record("{\"name\": \"a\", \"type\": \"string\"}, {\"name\": \"b\", \"type\": \"int\"}"))));
    var problems = CompatibilityChecker.check(v);
    assertEquals(2, problems.size(), "next cannot read 0.1.0 nor 0.2.0: " + problems);
  }

  @Test
  void parsesTypesDefinedInAnotherFileWhateverTheOrder() {
    Map<String, String> texts = new LinkedHashMap<>();
    texts.put("A.avsc", "{\"type\": \"record\", \"name\": \"A\", \"namespace\": \"t\", \"fields\": [{\"name\": \"k\", \"type\": \"t.K\"}]}");
    texts.put("B.avsc", "{\"type\": \"record\", \"name\": \"B\", \"namespace\": \"t\", \"fields\": "
        + "[{\"name\": \"k\", \"type\": {\"type\": \"enum\", \"name\": \"K\", \"symbols\": [\"X\"]}}]}");
    assertEquals(List.of("t.A", "t.B"), List.copyOf(AvscSet.parse(texts).keySet()));
  }

  private static List<Path> releasedDirs() throws IOException {
    try (Stream<Path> s = Files.list(RELEASED)) {
      return s.filter(Files::isDirectory).sorted().toList();
    }
  }

  private static String record(String fields) {
    return "{\"type\": \"record\", \"name\": \"R\", \"namespace\": \"t\", \"fields\": [" + fields + "]}";
  }

  private static Schema parse(String json) {
    return new Schema.Parser().parse(json);
  }

  private static Map<String, Map<String, Schema>> versions(String released, String next) {
    Map<String, Map<String, Schema>> v = new LinkedHashMap<>();
    v.put("0.1.0", Map.of("t.R", parse(released)));
    v.put("next", Map.of("t.R", parse(next)));
    return v;
  }
}
