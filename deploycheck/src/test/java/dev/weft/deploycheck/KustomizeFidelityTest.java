package dev.weft.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Where a real kustomize is installed (kubectl kustomize, or kustomize), the tests' own builder must
 * produce the same objects, so the other tests check what would be applied. Skipped elsewhere.
 */
class KustomizeFidelityTest {

  @TempDir
  Path tmp;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
  void ourBuild_equalsKustomizesBuild(String dir) throws Exception {
    List<String> command = kustomizeCommand();
    Assumptions.assumeTrue(command != null, "no kubectl or kustomize on PATH");
    // Build a copy, with prod's secrets.env made from its example, as an operator would.
    Path k8s = tmp.resolve("k8s");
    copy(Repo.path("deploy/k8s"), k8s);
    Path example = k8s.resolve("overlays/prod/secrets.env.example");
    Files.copy(example, k8s.resolve("overlays/prod/secrets.env"));

    List<String> cmd = new ArrayList<>(command);
    cmd.add(k8s.resolve(dir).toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    Assumptions.assumeTrue(p.waitFor(60, TimeUnit.SECONDS), "kustomize did not finish");
    assertEquals(0, p.exitValue(), "kustomize failed: " + out);
    Path built = tmp.resolve("built.yaml");
    Files.writeString(built, out);

    Map<String, JsonNode> theirs = byKey(Repo.yamlDocuments(built));
    Map<String, JsonNode> ours = new TreeMap<>();
    Kustomize.build(Repo.path("deploy/k8s").resolve(dir)).objects().forEach(o -> ours.put(key(o), normalize(o)));
    assertEquals(theirs.keySet(), ours.keySet(), dir + ": objects");
    theirs.forEach((k, v) -> assertEquals(v, ours.get(k), dir + ": " + k));
  }

  private static Map<String, JsonNode> byKey(List<JsonNode> docs) {
    Map<String, JsonNode> map = new TreeMap<>();
    docs.forEach(d -> map.put(key(d), normalize((ObjectNode) d)));
    return map;
  }

  private static String key(JsonNode o) {
    return o.path("kind").asText() + "/" + o.path("metadata").path("name").asText();
  }

  /** Secrets compare by decoded values, whether given as data (base64) or stringData. */
  private static JsonNode normalize(ObjectNode o) {
    ObjectNode copy = o.deepCopy();
    if (copy.path("kind").asText().equals("Secret") && copy.has("data")) {
      ObjectNode strings = copy.withObjectProperty("stringData");
      copy.get("data").fields().forEachRemaining(e ->
          strings.put(e.getKey(), new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8)));
      copy.remove("data");
    }
    return copy;
  }

  private static List<String> kustomizeCommand() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "kustomize"))) {
        return List.of(Path.of(dir, "kustomize").toString(), "build");
      }
      if (Files.isExecutable(Path.of(dir, "kubectl"))) {
        return List.of(Path.of(dir, "kubectl").toString(), "kustomize");
      }
    }
    return null;
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }
}
