package dev.weft.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * deploy/k8s's NetworkPolicies, read as the API server would apply them (they add up; a pod selected by none is open
 * to all): every ingress is denied unless allowed, only gateways reach the persisters' internal port, only Prometheus
 * reaches the ops ports, and Kafka and MySQL take nothing from outside the namespace.
 */
class NetworkPoliciesTest {

  private static final List<Manifests> BUILDS =
      Stream.of("base", "overlays/dev", "overlays/prod").map(Manifests::build).toList();

  static Stream<Manifests> builds() {
    return BUILDS.stream();
  }

  /** One ingress rule of a policy: its peers ({@code from}, empty = anyone) and ports (empty = every port). */
  private record Rule(String policy, List<Map<String, Object>> from, List<Map<String, Object>> ports) {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("a default-deny policy selects every pod of the namespace for ingress and allows nothing")
  void ingressIsDeniedUnlessAllowed(Manifests m) {
    boolean denyAll = m.custom("NetworkPolicy").stream().anyMatch(p -> {
      Map<String, Object> spec = spec(p);
      return map(spec.get("podSelector")).isEmpty() && list(spec.get("policyTypes")).contains("Ingress")
          && list(spec.get("ingress")).isEmpty();
    });
    assertTrue(denyAll, m + ": no NetworkPolicy with podSelector {} and policyTypes [Ingress] that allows nothing");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("only gateway pods reach the persisters' internal port")
  void onlyGatewaysReachThePersisters(Manifests m) {
    List<Rule> rules = rulesFor(m, labels(m, "persister"), m.container("persister"), Manifests.httpPort(m.container("persister")));
    assertFalse(rules.isEmpty(), m + ": no NetworkPolicy lets the gateways reach the persisters' port 'http'");
    for (Rule r : rules) {
      assertFalse(r.from().isEmpty(), m + ": " + r.policy() + " opens the persisters' internal port to anyone");
      for (Map<String, Object> peer : r.from()) {
        assertEquals(List.of("podSelector"), List.copyOf(peer.keySet()),
            m + ": " + r.policy() + " lets a peer from another namespace or address block reach the persisters: " + peer);
        Map<String, Object> selector = map(peer.get("podSelector"));
        assertTrue(selects(selector, labels(m, "gateway")), m + ": " + r.policy() + " peer is not the gateways: " + peer);
        for (String other : List.of("router", "persister")) {
          assertFalse(selects(selector, labels(m, other)), m + ": " + r.policy() + " also lets " + other + " pods in");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("only Prometheus (a namespace and a pod selector together) reaches each service's ops port")
  void onlyPrometheusReachesTheOpsPorts(Manifests m) {
    for (String role : KubernetesManifestsTest.ROLES) {
      Container c = m.container(role);
      List<Rule> rules = rulesFor(m, labels(m, role), c, Manifests.opsPort(c));
      assertFalse(rules.isEmpty(), m + ": no NetworkPolicy lets Prometheus scrape " + role + "'s ops port");
      for (Rule r : rules) {
        assertFalse(r.from().isEmpty(), m + ": " + r.policy() + " opens " + role + "'s ops port to anyone");
        for (Map<String, Object> peer : r.from()) {
          assertTrue(!map(peer.get("namespaceSelector")).isEmpty() && !map(peer.get("podSelector")).isEmpty()
                  && !peer.containsKey("ipBlock"),
              m + ": " + r.policy() + " peer of " + role + "'s ops port must name Prometheus's namespace and pods: " + peer);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("the gateways' public port is open to the load balancer")
  void gatewaysTakeClients(Manifests m) {
    Container c = m.container("gateway");
    List<Rule> rules = rulesFor(m, labels(m, "gateway"), c, Manifests.httpPort(c));
    assertTrue(rules.stream().anyMatch(r -> r.from().isEmpty()), m + ": nothing lets clients reach the gateways' port 'http'");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("Kafka's pods, and MySQL's where it runs in the namespace, take ingress from this namespace only")
  void kafkaAndMysqlAreNamespaceLocal(Manifests m) {
    String bootstrap = ProvidedEnv.of(m, m.container("router")).get("WEFT_KAFKA_BOOTSTRAP").value();
    String host = bootstrap.split(",")[0].split(":")[0];
    assertTrue(host.endsWith("-kafka-bootstrap"), m + ": WEFT_KAFKA_BOOTSTRAP " + bootstrap + " is not a Strimzi bootstrap Service");
    String cluster = host.substring(0, host.length() - "-kafka-bootstrap".length());
    assertNamespaceLocal(m, Map.of("strimzi.io/cluster", cluster), "Kafka cluster " + cluster);

    String db = ProvidedEnv.of(m, m.container("persister")).get("WEFT_DB_URL").value();
    String dbHost = URI.create(db.substring("jdbc:".length())).getHost();
    if (!dbHost.contains(".")) { // a Service of this namespace; one elsewhere needs a policy in its own namespace
      assertNamespaceLocal(m, Map.of("app.kubernetes.io/instance", dbHost), "MySQL " + dbHost);
    }
  }

  private static void assertNamespaceLocal(Manifests m, Map<String, String> podLabels, String what) {
    List<Rule> rules = new ArrayList<>();
    boolean selected = false;
    for (GenericKubernetesResource p : m.custom("NetworkPolicy")) {
      Map<String, Object> spec = spec(p);
      Map<String, Object> selector = map(spec.get("podSelector"));
      if (!selector.isEmpty() && selects(selector, podLabels)) {
        selected = true;
        rules.addAll(rules(p));
      }
    }
    assertTrue(selected, m + ": no NetworkPolicy selects the pods of " + what + " (labels " + podLabels + ")");
    for (Rule r : rules) {
      assertFalse(r.from().isEmpty(), m + ": " + r.policy() + " opens " + what + " to anyone");
      for (Map<String, Object> peer : r.from()) {
        assertEquals(List.of("podSelector"), List.copyOf(peer.keySet()),
            m + ": " + r.policy() + " lets " + what + " be reached from outside the namespace: " + peer);
      }
    }
  }

  /** The ingress rules that allow traffic to {@code port} of pods with {@code podLabels}. */
  private static List<Rule> rulesFor(Manifests m, Map<String, String> podLabels, Container c, int port) {
    List<Rule> out = new ArrayList<>();
    for (GenericKubernetesResource p : m.custom("NetworkPolicy")) {
      if (!selects(map(spec(p).get("podSelector")), podLabels) || !list(spec(p).get("policyTypes")).contains("Ingress")) {
        continue;
      }
      for (Rule r : rules(p)) {
        if (r.ports().isEmpty() || r.ports().stream().anyMatch(x -> port(c, x.get("port")) == port)) {
          out.add(r);
        }
      }
    }
    return out;
  }

  private static List<Rule> rules(GenericKubernetesResource p) {
    List<Rule> out = new ArrayList<>();
    for (Object o : list(spec(p).get("ingress"))) {
      Map<String, Object> rule = map(o);
      out.add(new Rule(p.getMetadata().getName(), maps(rule.get("from")), maps(rule.get("ports"))));
    }
    return out;
  }

  private static int port(Container c, Object port) {
    if (port == null) {
      return -1;
    }
    if (port instanceof Number n) {
      return n.intValue();
    }
    return c.getPorts().stream().filter(x -> port.equals(x.getName())).map(ContainerPort::getContainerPort).findFirst()
        .orElse(-2);
  }

  /** A label selector (matchLabels and matchExpressions; {@code {}} selects everything) against a pod's labels. */
  static boolean selects(Map<String, Object> selector, Map<String, String> labels) {
    for (var e : map(selector.get("matchLabels")).entrySet()) {
      if (!String.valueOf(e.getValue()).equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    for (Map<String, Object> expr : maps(selector.get("matchExpressions"))) {
      String key = (String) expr.get("key");
      List<Object> values = list(expr.get("values"));
      boolean ok = switch ((String) expr.get("operator")) {
        case "In" -> labels.containsKey(key) && values.contains(labels.get(key));
        case "NotIn" -> !labels.containsKey(key) || !values.contains(labels.get(key));
        case "Exists" -> labels.containsKey(key);
        case "DoesNotExist" -> !labels.containsKey(key);
        default -> throw new AssertionError("unknown selector operator " + expr.get("operator"));
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, String> labels(Manifests m, String role) {
    return m.deployment(role).getSpec().getTemplate().getMetadata().getLabels();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource r) {
    return map(r.getAdditionalProperties().get("spec"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }

  private static List<Map<String, Object>> maps(Object o) {
    return list(o).stream().map(NetworkPoliciesTest::map).toList();
  }

}
