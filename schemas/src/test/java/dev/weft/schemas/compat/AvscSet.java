package dev.weft.schemas.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.AvroRuntimeException;

/**
 * One version's schemas: every {@code .avsc} of a directory, parsed with one {@link Schema.Parser} so that a type
 * defined in one file ({@code GroupEvent}, {@code ReceiptKind} in {@code Receipt.avsc}) can be used by another.
 */
public final class AvscSet {

  private AvscSet() {}

  /** The schemas of {@code dir}, by full name of each file's top-level type. */
  public static Map<String, Schema> load(Path dir) {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> texts = new LinkedHashMap<>();
    for (Path f : files) {
      try {
        texts.put(f.getFileName().toString(), Files.readString(f));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return parse(texts);
  }

  /**
   * Parses file texts (name → JSON) with one parser, dependencies first. The order is found by trying: a file that
   * names a type not defined yet goes to the back and the whole set is parsed again with a fresh parser, since a
   * failed parse may leave a parser holding half a file's names.
   */
  public static Map<String, Schema> parse(Map<String, String> texts) {
    List<String> order = new ArrayList<>(texts.keySet());
    AvroRuntimeException last = null;
    for (int attempt = 0; attempt <= order.size() * order.size(); attempt++) {
      Schema.Parser parser = new Schema.Parser();
      Map<String, Schema> out = new TreeMap<>();
      int failed = -1;
      for (int i = 0; i < order.size(); i++) {
        try {
          Schema s = parser.parse(texts.get(order.get(i)));
          out.put(s.getFullName(), s);
        } catch (AvroRuntimeException e) { // SchemaParseException, or AvroTypeException "Undefined schema" (Avro 1.12)
          last = e;
          failed = i;
          break;
        }
      }
      if (failed < 0) {
        return out;
      }
      order.add(order.remove(failed));
    }
    throw new IllegalArgumentException("cannot parse " + texts.keySet() + " in any order: " + last.getMessage(), last);
  }
}
