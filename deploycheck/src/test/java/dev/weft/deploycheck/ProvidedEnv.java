package dev.weft.deploycheck;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The environment a container gets, resolved against the ConfigMaps and Secrets of the same build.
 * A reference to a ConfigMap, Secret or key the build does not contain fails here: Kubernetes would
 * only find out when the pod fails to start (CreateContainerConfigError).
 */
final class ProvidedEnv {

  /** Where a variable's value comes from; {@code value} is null for Secrets and field references. */
  record Source(String kind, String value) {}

  private ProvidedEnv() {}

  static Map<String, Source> of(Manifests m, Container c) {
    Map<String, Source> env = new LinkedHashMap<>();
    for (EnvFromSource from : nullSafe(c.getEnvFrom())) {
      if (from.getConfigMapRef() != null) {
        ConfigMap cm = m.one(ConfigMap.class, from.getConfigMapRef().getName());
        cm.getData().forEach((k, v) -> env.put(prefix(from) + k, new Source("ConfigMap " + cm.getMetadata().getName(), v)));
      }
      if (from.getSecretRef() != null) {
        Secret s = m.one(Secret.class, from.getSecretRef().getName());
        secretKeys(s).forEach(k -> env.put(prefix(from) + k, new Source("Secret " + s.getMetadata().getName(), null)));
      }
    }
    // Explicit env wins over envFrom, as in Kubernetes.
    for (EnvVar e : nullSafe(c.getEnv())) {
      env.put(e.getName(), source(m, c, e));
    }
    return env;
  }

  static Set<String> secretKeys(Secret s) {
    Set<String> keys = new TreeSet<>();
    if (s.getData() != null) {
      keys.addAll(s.getData().keySet());
    }
    if (s.getStringData() != null) {
      keys.addAll(s.getStringData().keySet());
    }
    return keys;
  }

  private static Source source(Manifests m, Container c, EnvVar e) {
    if (e.getValueFrom() == null) {
      return new Source("literal", e.getValue() == null ? "" : e.getValue());
    }
    var from = e.getValueFrom();
    if (from.getConfigMapKeyRef() != null) {
      var ref = from.getConfigMapKeyRef();
      ConfigMap cm = m.one(ConfigMap.class, ref.getName());
      String value = cm.getData() == null ? null : cm.getData().get(ref.getKey());
      if (value == null) {
        throw new AssertionError(m + ": " + c.getName() + " " + e.getName() + ": ConfigMap " + ref.getName() + " has no key " + ref.getKey());
      }
      return new Source("ConfigMap " + ref.getName(), value);
    }
    if (from.getSecretKeyRef() != null) {
      var ref = from.getSecretKeyRef();
      if (!secretKeys(m.one(Secret.class, ref.getName())).contains(ref.getKey())) {
        throw new AssertionError(m + ": " + c.getName() + " " + e.getName() + ": Secret " + ref.getName() + " has no key " + ref.getKey());
      }
      return new Source("Secret " + ref.getName(), null);
    }
    if (from.getFieldRef() != null) {
      return new Source("field " + from.getFieldRef().getFieldPath(), null);
    }
    return new Source("resource", null);
  }

  private static String prefix(EnvFromSource from) {
    return from.getPrefix() == null ? "" : from.getPrefix();
  }

  private static <T> java.util.List<T> nullSafe(java.util.List<T> list) {
    return list == null ? java.util.List.of() : list;
  }
}
