package dev.weft.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The repository's files, found from the module directory Surefire runs in, and their parsers. */
final class Repo {

  static final ObjectMapper JSON = new ObjectMapper();

  private static final Path ROOT = findRoot();

  private Repo() {}

  static Path root() {
    return ROOT;
  }

  static Path path(String relative) {
    return ROOT.resolve(relative);
  }

  static String read(String relative) {
    return read(path(relative));
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every document of a YAML file as a JSON tree; empty documents (a lone "---") are skipped. */
  static List<JsonNode> yamlDocuments(Path file) {
    List<JsonNode> docs = new ArrayList<>();
    for (Object doc : yaml().loadAll(read(file))) {
      if (doc != null) {
        docs.add(JSON.valueToTree(doc));
      }
    }
    return docs;
  }

  static ObjectNode yamlObject(Path file) {
    List<JsonNode> docs = yamlDocuments(file);
    if (docs.size() != 1 || !docs.get(0).isObject()) {
      throw new AssertionError(file + ": expected exactly one YAML mapping, found " + docs.size() + " document(s)");
    }
    return (ObjectNode) docs.get(0);
  }

  /** SafeConstructor resolves merge keys ({@code <<}); duplicate keys are an error, not a silent overwrite. */
  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    return new Yaml(new SafeConstructor(options));
  }

  private static Path findRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("deploy"))
          && Files.isRegularFile(p.resolve("mvnw"))) {
        return p;
      }
    }
    throw new IllegalStateException("no repository root (README.md, deploy/, mvnw) above " + dir);
  }
}
