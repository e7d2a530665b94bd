package dev.weft.deploycheck;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One kustomize build of deploy/k8s, as typed fabric8 objects. Only the kinds Weft deploys are
 * accepted: anything else (a typo in apiVersion or kind included) fails the build, and so does a
 * field the Kubernetes model does not know (a misspelt "readinesProbe" would otherwise be dropped
 * by the API server's lenient decoding, or rejected only at apply time).
 */
final class Manifests {

  /** apiVersion/kind → model class. Custom resources stay generic; their specs are checked below. */
  private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
      "v1/ConfigMap", ConfigMap.class,
      "v1/Secret", Secret.class,
      "v1/Service", Service.class,
      "apps/v1/Deployment", Deployment.class,
      "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
      "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
      "kafka.strimzi.io/v1beta2/KafkaTopic", GenericKubernetesResource.class,
      "monitoring.coreos.com/v1/ServiceMonitor", GenericKubernetesResource.class,
      // Generic too: fabric8's networking model is not a dependency here; NetworkPoliciesTest reads the spec.
      "networking.k8s.io/v1/NetworkPolicy", GenericKubernetesResource.class);

  /** The spec fields the custom resources may use (the CRDs' schemas, the part Weft needs). */
  private static final Map<String, Set<String>> CUSTOM_SPEC_FIELDS = Map.of(
      "KafkaTopic", Set.of("topicName", "partitions", "replicas", "config"),
      "ServiceMonitor", Set.of("selector", "endpoints", "namespaceSelector", "jobLabel", "targetLabels", "podTargetLabels"),
      "NetworkPolicy", Set.of("podSelector", "policyTypes", "ingress", "egress"));

  final String name;
  final List<HasMetadata> objects;
  final List<String> notes;

  private Manifests(String name, List<HasMetadata> objects, List<String> notes) {
    this.name = name;
    this.objects = objects;
    this.notes = notes;
  }

  /** Builds {@code deploy/k8s/<dir>} ("base", "overlays/prod", ...). */
  static Manifests build(String dir) {
    Path path = Repo.path("deploy/k8s").resolve(dir);
    Kustomize.Result result = Kustomize.build(path);
    List<HasMetadata> typed = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (ObjectNode node : result.objects()) {
      typed.add(typed(node, problems));
    }
    if (!problems.isEmpty()) {
      throw new AssertionError(dir + ":\n  " + String.join("\n  ", problems));
    }
    return new Manifests(dir, List.copyOf(typed), result.notes());
  }

  @Override
  public String toString() {
    return name;
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> T one(Class<T> type, String name) {
    return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(this.name + ": no " + type.getSimpleName() + " named " + name));
  }

  List<GenericKubernetesResource> custom(String kind) {
    return all(GenericKubernetesResource.class).stream().filter(r -> r.getKind().equals(kind)).toList();
  }

  /** The Deployment of a service role: "gateway" → weft-gateway. */
  Deployment deployment(String role) {
    return one(Deployment.class, "weft-" + role);
  }

  /** The one container of a role's pods. */
  Container container(String role) {
    List<Container> containers = deployment(role).getSpec().getTemplate().getSpec().getContainers();
    if (containers.size() != 1) {
      throw new AssertionError(name + ": weft-" + role + " must run exactly one container, has " + containers.size());
    }
    return containers.get(0);
  }

  /** Every container of every Deployment, init containers included. */
  List<Container> containers() {
    List<Container> all = new ArrayList<>();
    for (Deployment d : all(Deployment.class)) {
      all.addAll(d.getSpec().getTemplate().getSpec().getContainers());
      if (d.getSpec().getTemplate().getSpec().getInitContainers() != null) {
        all.addAll(d.getSpec().getTemplate().getSpec().getInitContainers());
      }
    }
    return all;
  }

  /** A container port by number or name (Services and probes use the names "http" and "ops"). */
  static int resolvePort(Container c, IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return c.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).map(ContainerPort::getContainerPort)
        .findFirst().orElseThrow(() -> new AssertionError(c.getName() + ": no port named " + port.getStrVal()));
  }

  static int httpPort(Container c) {
    return resolvePort(c, new IntOrString("http"));
  }

  /** The port named "ops": /metrics and probes, for Prometheus and the kubelet only. */
  static int opsPort(Container c) {
    return resolvePort(c, new IntOrString("ops"));
  }

  private static HasMetadata typed(ObjectNode node, List<String> problems) {
    String key = node.path("apiVersion").asText() + "/" + node.path("kind").asText();
    String where = key + " " + node.path("metadata").path("name").asText("<no name>");
    Class<? extends HasMetadata> type = KINDS.get(key);
    if (type == null) {
      problems.add(where + ": not a kind Weft deploys (known: " + KINDS.keySet() + ")");
      return null;
    }
    HasMetadata object;
    try {
      object = Repo.JSON.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      problems.add(where + ": " + e.getOriginalMessage());
      return null;
    }
    if (object.getMetadata() == null || object.getMetadata().getName() == null) {
      problems.add(where + ": no metadata.name");
    }
    if (object instanceof GenericKubernetesResource generic) {
      JsonNode spec = node.path("spec");
      Set<String> allowed = CUSTOM_SPEC_FIELDS.get(generic.getKind());
      spec.fieldNames().forEachRemaining(f -> {
        if (!allowed.contains(f)) {
          problems.add(where + ": unknown field spec." + f);
        }
      });
    } else {
      unknownFields(object, where, problems, new HashSet<>(), 0);
    }
    return object;
  }

  /**
   * fabric8's model keeps fields it does not know in {@code additionalProperties} instead of
   * failing; walks the object graph and reports every such field with its path.
   */
  private static void unknownFields(Object o, String path, List<String> problems, Set<Object> seen, int depth) {
    if (o == null || depth > 40 || !seen.add(System.identityHashCode(o) + ":" + o.getClass())) {
      return;
    }
    if (o instanceof Collection<?> list) {
      int i = 0;
      for (Object item : list) {
        unknownFields(item, path + "[" + i++ + "]", problems, seen, depth + 1);
      }
      return;
    }
    if (o instanceof Map<?, ?> map) {
      map.forEach((k, v) -> unknownFields(v, path + "." + k, problems, seen, depth + 1));
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
          || m.getDeclaringClass() == Object.class || !m.getDeclaringClass().getName().startsWith("io.fabric8")) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(o);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      if (m.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          problems.add(path + ": unknown field(s) " + extra.keySet());
        }
      } else {
        String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
        unknownFields(value, path + "." + field, problems, seen, depth + 1);
      }
    }
  }
}
