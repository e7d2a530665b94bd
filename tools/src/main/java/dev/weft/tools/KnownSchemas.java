package dev.weft.tools;

import dev.weft.schemas.WeftSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

/**
 * Every writer schema a Weft record may carry: the ones this build writes ({@link WeftSchemas#current()}) and every
 * kept release's ({@code schemas/src/released/<version>/}, shipped in this module under {@code weft/released/}).
 */
final class KnownSchemas {

  private static final String RELEASED = "weft/released";

  private KnownSchemas() {}

  /** Current schemas first, then each release's top-level record schemas. */
  static List<Schema> all() {
    List<Schema> all = new ArrayList<>(WeftSchemas.current());
    released().values().forEach(all::addAll);
    return all;
  }

  /** Version → its schemas, read from the classpath. */
  static Map<String, List<Schema>> released() {
    URL url = KnownSchemas.class.getClassLoader().getResource(RELEASED);
    if (url == null) {
      return Map.of();
    }
    try {
      URI uri = url.toURI();
      if ("jar".equals(uri.getScheme())) {
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
          return readVersions(fs.getPath(RELEASED));
        }
      }
      return readVersions(Path.of(uri));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the released schemas at " + url, e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, List<Schema>> readVersions(Path root) throws IOException {
    Map<String, List<Schema>> out = new LinkedHashMap<>();
    List<Path> dirs;
    try (Stream<Path> s = Files.list(root)) {
      dirs = s.filter(Files::isDirectory).sorted().toList();
    }
    for (Path dir : dirs) {
      List<String> texts = new ArrayList<>();
      try (Stream<Path> s = Files.list(dir)) {
        for (Path f : s.filter(p -> p.toString().endsWith(".avsc")).sorted().toList()) {
          texts.add(Files.readString(f));
        }
      }
      out.put(dir.getFileName().toString().replace("/", ""), parse(texts));
    }
    return out;
  }

  /**
   * One version's files with one parser, dependencies first ({@code GroupEvent.avsc} and {@code Receipt.avsc} define
   * types others use). The order is found by trying: a file naming an undefined type moves to the back and the set is
   * parsed again with a fresh parser (a failed parse can leave half a file's names in a parser).
   */
  static List<Schema> parse(List<String> texts) {
    List<String> order = new ArrayList<>(texts);
    AvroRuntimeException last = null;
    for (int attempt = 0; attempt <= order.size() * order.size(); attempt++) {
      Schema.Parser parser = new Schema.Parser();
      List<Schema> out = new ArrayList<>();
      int failed = -1;
      for (int i = 0; i < order.size() && failed < 0; i++) {
        try {
          out.add(parser.parse(order.get(i)));
        } catch (AvroRuntimeException e) { // SchemaParseException, or AvroTypeException "Undefined schema" (Avro 1.12)
          last = e;
          failed = i;
        }
      }
      if (failed < 0) {
        return out;
      }
      order.add(order.remove(failed));
    }
    throw new IllegalArgumentException("cannot parse the released schemas in any order: " + last.getMessage(), last);
  }
}
