package dev.weft.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The subset of kustomize that deploy/k8s uses, so the tests check what an overlay really applies
 * without a kustomize binary: resources, components, strategic-merge patches (maps merged, lists of
 * named items merged by name), images, replicas, namespace, labels (metadata only) and
 * secretGenerator. A field outside that subset fails the build here instead of being ignored, so an
 * overlay cannot grow a feature these tests silently skip.
 */
final class Kustomize {

  private static final Set<String> SUPPORTED = Set.of(
      "apiVersion", "kind", "resources", "components", "namespace", "images", "replicas", "patches", "labels",
      "secretGenerator");

  /** What a build did not take from the repository itself, e.g. a secrets file read from its example. */
  final List<String> notes = new ArrayList<>();

  private Kustomize() {}

  static Kustomize.Result build(Path dir) {
    Kustomize k = new Kustomize();
    List<ObjectNode> objects = k.kustomization(dir, "Kustomization", new ArrayList<>());
    return new Result(objects, List.copyOf(k.notes));
  }

  record Result(List<ObjectNode> objects, List<String> notes) {}

  private List<ObjectNode> kustomization(Path dir, String expectedKind, List<ObjectNode> objects) {
    Path file = dir.resolve("kustomization.yaml");
    ObjectNode k = Repo.yamlObject(file);
    require(expectedKind.equals(k.path("kind").asText()), file + ": kind must be " + expectedKind);
    k.fieldNames().forEachRemaining(f -> require(SUPPORTED.contains(f), file + ": unsupported field '" + f + "'"));

    for (JsonNode r : k.path("resources")) {
      Path p = dir.resolve(r.asText()).normalize();
      if (Files.isDirectory(p)) {
        objects.addAll(kustomization(p, "Kustomization", new ArrayList<>()));
      } else {
        for (JsonNode doc : Repo.yamlDocuments(p)) {
          require(doc.isObject() && doc.has("kind") && doc.has("apiVersion"), p + ": a document without apiVersion/kind");
          objects.add((ObjectNode) doc);
        }
      }
    }
    for (JsonNode c : k.path("components")) {
      kustomization(dir.resolve(c.asText()).normalize(), "Component", objects);
    }
    for (JsonNode g : k.path("secretGenerator")) {
      secretGenerator(dir, g, objects);
    }
    for (JsonNode p : k.path("patches")) {
      patch(dir, p, objects);
    }
    for (JsonNode image : k.path("images")) {
      images(image, objects);
    }
    for (JsonNode r : k.path("replicas")) {
      ObjectNode d = find(objects, "Deployment", r.path("name").asText(), file + ": replicas");
      ((ObjectNode) d.get("spec")).put("replicas", r.path("count").asInt());
    }
    for (JsonNode l : k.path("labels")) {
      require(!l.path("includeSelectors").asBoolean(false) && !l.path("includeTemplates").asBoolean(false),
          file + ": labels with includeSelectors/includeTemplates are not supported here");
      for (ObjectNode o : objects) {
        ObjectNode labels = o.withObjectProperty("metadata").withObjectProperty("labels");
        l.path("pairs").fields().forEachRemaining(e -> labels.set(e.getKey(), e.getValue()));
      }
    }
    if (k.hasNonNull("namespace")) {
      objects.forEach(o -> o.withObjectProperty("metadata").put("namespace", k.get("namespace").asText()));
    }
    return objects;
  }

  private void secretGenerator(Path dir, JsonNode g, List<ObjectNode> objects) {
    String name = g.path("name").asText();
    ObjectNode stringData = Repo.JSON.createObjectNode();
    for (JsonNode env : g.path("envs")) {
      Path file = dir.resolve(env.asText());
      if (!Files.exists(file)) {
        // Deliberately absent from Git (it holds the real secrets): take the keys from its example.
        Path example = dir.resolve(env.asText() + ".example");
        require(Files.exists(example), dir + ": secretGenerator reads " + env.asText() + ", which has no .example either");
        notes.add(dir.getFileName() + ": keys of " + env.asText() + " taken from " + example.getFileName());
        file = example;
      }
      for (String line : Repo.read(file).split("\n")) {
        String t = line.trim();
        if (!t.isEmpty() && !t.startsWith("#")) {
          int eq = t.indexOf('=');
          require(eq > 0, file + ": not KEY=VALUE: " + t);
          stringData.put(t.substring(0, eq), t.substring(eq + 1));
        }
      }
    }
    for (JsonNode literal : g.path("literals")) {
      String t = literal.asText();
      stringData.put(t.substring(0, t.indexOf('=')), t.substring(t.indexOf('=') + 1));
    }
    String behavior = g.path("behavior").asText("create");
    if (behavior.equals("create")) {
      ObjectNode secret = Repo.JSON.createObjectNode();
      secret.put("apiVersion", "v1").put("kind", "Secret").withObjectProperty("metadata").put("name", name);
      secret.put("type", "Opaque").set("stringData", stringData);
      objects.add(secret);
    } else {
      require(behavior.equals("replace"), dir + ": secretGenerator behavior " + behavior + " is not supported here");
      ObjectNode secret = find(objects, "Secret", name, dir + ": secretGenerator replace");
      secret.remove("data");
      secret.set("stringData", stringData);
    }
  }

  private void patch(Path dir, JsonNode p, List<ObjectNode> objects) {
    require(p.has("path") && !p.has("patch"), dir + ": only patches given by path are supported here");
    Path file = dir.resolve(p.path("path").asText());
    for (JsonNode doc : Repo.yamlDocuments(file)) {
      String kind = p.path("target").path("kind").asText(doc.path("kind").asText());
      String name = p.path("target").path("name").asText(doc.path("metadata").path("name").asText());
      ObjectNode target = find(objects, kind, name, file + ": patch");
      ObjectNode body = doc.deepCopy();
      body.remove("apiVersion");
      body.remove("kind");
      mergeStrategic(target, body);
    }
  }

  private static void images(JsonNode image, List<ObjectNode> objects) {
    String name = image.path("name").asText();
    for (ObjectNode o : objects) {
      for (JsonNode c : o.path("spec").path("template").path("spec").path("containers")) {
        String current = c.path("image").asText();
        int colon = current.lastIndexOf(':');
        String currentName = colon > current.lastIndexOf('/') ? current.substring(0, colon) : current;
        String currentTag = colon > current.lastIndexOf('/') ? current.substring(colon + 1) : "latest";
        if (currentName.equals(name)) {
          ((ObjectNode) c).put("image", image.path("newName").asText(currentName) + ":" + image.path("newTag").asText(currentTag));
        }
      }
    }
  }

  /** Maps merge; lists whose patch items all have a "name" merge item by item; anything else is replaced. */
  static void mergeStrategic(ObjectNode target, ObjectNode patch) {
    Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      JsonNode current = target.get(e.getKey());
      JsonNode value = e.getValue();
      if (value.isNull()) {
        target.remove(e.getKey());
      } else if (value.isObject() && current != null && current.isObject()) {
        mergeStrategic((ObjectNode) current, (ObjectNode) value);
      } else if (value.isArray() && current != null && current.isArray() && namedItems(value)) {
        mergeByName((ArrayNode) current, (ArrayNode) value);
      } else {
        target.set(e.getKey(), value.deepCopy());
      }
    }
  }

  private static boolean namedItems(JsonNode array) {
    for (JsonNode item : array) {
      if (!item.isObject() || !item.has("name")) {
        return false;
      }
    }
    return true;
  }

  private static void mergeByName(ArrayNode current, ArrayNode patch) {
    for (JsonNode item : patch) {
      ObjectNode match = null;
      for (JsonNode c : current) {
        if (c.path("name").equals(item.get("name"))) {
          match = (ObjectNode) c;
        }
      }
      if (match == null) {
        current.add(item.deepCopy());
      } else {
        mergeStrategic(match, (ObjectNode) item);
      }
    }
  }

  private static ObjectNode find(List<ObjectNode> objects, String kind, String name, String what) {
    return objects.stream()
        .filter(o -> o.path("kind").asText().equals(kind) && o.path("metadata").path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(what + ": no " + kind + " named " + name));
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new AssertionError(message);
    }
  }
}
