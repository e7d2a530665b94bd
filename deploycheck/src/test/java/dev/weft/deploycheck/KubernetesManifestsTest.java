package dev.weft.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * deploy/k8s against the code's contract: ports, probes, settings, drain timing, topics. Every check
 * runs on the base and on each overlay as that overlay builds it.
 */
class KubernetesManifestsTest {

  static final List<String> ROLES = List.of("gateway", "router", "persister");

  /** Settings the manifests set whose README rows the engineer adds with this work; accepted until then. */
  static final Map<String, String> PENDING_README_ROWS = Map.of(
      "WEFT_ROUTER_HTTP_PORT", "router",
      "WEFT_DRAIN_PERIOD_MS", "gateway",
      "WEFT_DRAIN_DEADLINE_MS", "gateway");

  /** The settings README marks as required, plus the one every service needs outside a laptop. */
  static final Set<String> ALWAYS_PROVIDED = Set.of("WEFT_KAFKA_BOOTSTRAP");

  static final ReadmeSettings README = ReadmeSettings.load();

  private static final List<Manifests> BUILDS =
      Stream.of("base", "overlays/dev", "overlays/prod").map(Manifests::build).toList();

  static Stream<Manifests> builds() {
    return BUILDS.stream();
  }

  /** The HTTP port of each role, from README's defaults (router: 8091 until README has its row). */
  static int expectedPort(String role) {
    return switch (role) {
      case "gateway" -> README.defaultInt("WEFT_HTTP_PORT", 8080);
      case "router" -> README.defaultInt("WEFT_ROUTER_HTTP_PORT", 8091);
      case "persister" -> README.defaultInt("WEFT_PERSISTER_HTTP_PORT", 8090);
      default -> throw new IllegalArgumentException(role);
    };
  }

  /** The ops port (/metrics and probes) of each role, from README's defaults; the router has no other port. */
  static int expectedOpsPort(String role) {
    return switch (role) {
      case "gateway" -> README.defaultInt("WEFT_GATEWAY_OPS_PORT", 9180);
      case "router" -> README.defaultInt("WEFT_ROUTER_HTTP_PORT", 8091);
      case "persister" -> README.defaultInt("WEFT_PERSISTER_OPS_PORT", 9190);
      default -> throw new IllegalArgumentException(role);
    };
  }

  static String opsPortSetting(String role) {
    return switch (role) {
      case "gateway" -> "WEFT_GATEWAY_OPS_PORT";
      case "router" -> "WEFT_ROUTER_HTTP_PORT";
      default -> "WEFT_PERSISTER_OPS_PORT";
    };
  }

  static String portSetting(String role) {
    return switch (role) {
      case "gateway" -> "WEFT_HTTP_PORT";
      case "router" -> "WEFT_ROUTER_HTTP_PORT";
      default -> "WEFT_PERSISTER_HTTP_PORT";
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("every manifest parses into a kind Weft deploys, with no field the model does not know")
  void everyManifestIsAKnownKind(Manifests m) {
    assertFalse(m.objects.isEmpty(), m + ": empty build");
    for (String role : ROLES) {
      assertNotNull(m.deployment(role));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("each service listens on its README ports, and is probed and scraped on its ops port, never its traffic port")
  void portsAndProbesMatchTheCode(Manifests m) {
    for (String role : ROLES) {
      Container c = m.container(role);
      Map<String, ProvidedEnv.Source> env = ProvidedEnv.of(m, c);
      if (!role.equals("router")) {
        int port = expectedPort(role);
        assertEquals(port, Manifests.httpPort(c), m + ": " + role + " container port 'http'");
        assertConfigured(env, portSetting(role), port, m + ": " + role);
      }
      int ops = expectedOpsPort(role);
      assertEquals(ops, Manifests.opsPort(c), m + ": " + role + " container port 'ops'");
      assertConfigured(env, opsPortSetting(role), ops, m + ": " + role);
      assertHttpProbe(c, c.getLivenessProbe(), "/health/live", ops, m + " " + role + " liveness");
      assertHttpProbe(c, c.getReadinessProbe(), "/health/ready", ops, m + " " + role + " readiness");
      if (c.getStartupProbe() != null) {
        assertHttpProbe(c, c.getStartupProbe(), "/health/live", ops, m + " " + role + " startup");
      }
      Map<String, String> annotations = m.deployment(role).getSpec().getTemplate().getMetadata().getAnnotations();
      assertNotNull(annotations, m + ": " + role + " has no pod annotations");
      assertEquals("true", annotations.get("prometheus.io/scrape"), m + ": " + role + " prometheus.io/scrape");
      assertEquals(String.valueOf(ops), annotations.get("prometheus.io/port"), m + ": " + role + " prometheus.io/port");
      assertEquals("/metrics", annotations.get("prometheus.io/path"), m + ": " + role + " prometheus.io/path");
    }
  }

  private static void assertConfigured(Map<String, ProvidedEnv.Source> env, String setting, int port, String what) {
    String configured = env.getOrDefault(setting, new ProvidedEnv.Source("default", null)).value();
    if (configured != null) {
      assertEquals(String.valueOf(port), configured, what + " " + setting);
    }
  }

  private static void assertHttpProbe(Container c, Probe probe, String path, int port, String what) {
    assertNotNull(probe, what + " probe missing");
    HTTPGetAction get = probe.getHttpGet();
    assertNotNull(get, what + " must be an HTTP GET");
    assertEquals(path, get.getPath(), what + " path");
    assertEquals(port, Manifests.resolvePort(c, get.getPort()), what + " port");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("the gateway's grace period outlasts the preStop sleep plus the drain deadline")
  void gatewayGracePeriodCoversPreStopAndDrain(Manifests m) {
    PodSpec pod = m.deployment("gateway").getSpec().getTemplate().getSpec();
    Container c = m.container("gateway");
    Map<String, ProvidedEnv.Source> env = ProvidedEnv.of(m, c);
    long period = Long.parseLong(required(env, "WEFT_DRAIN_PERIOD_MS", m));
    long deadline = Long.parseLong(required(env, "WEFT_DRAIN_DEADLINE_MS", m));
    long preStop = preStopSleepSeconds(c);
    long grace = pod.getTerminationGracePeriodSeconds();
    assertTrue(preStop > 0, m + ": the gateway needs a preStop sleep so the load balancer stops sending first");
    assertTrue(period < deadline, m + ": drain period " + period + " ms must end before the deadline " + deadline + " ms");
    assertTrue(grace * 1000 > preStop * 1000 + deadline,
        m + ": terminationGracePeriodSeconds " + grace + " must exceed preStop " + preStop + " s + drain deadline " + deadline + " ms");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("the router's grace period outlasts its shutdown timeout")
  void routerGracePeriodCoversShutdownTimeout(Manifests m) {
    long timeout = Long.parseLong(ProvidedEnv.of(m, m.container("router"))
        .getOrDefault("WEFT_ROUTER_SHUTDOWN_TIMEOUT_MS",
            new ProvidedEnv.Source("README", String.valueOf(README.defaultInt("WEFT_ROUTER_SHUTDOWN_TIMEOUT_MS", 30000))))
        .value());
    long grace = m.deployment("router").getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
    assertTrue(grace * 1000 > timeout, m + ": router grace " + grace + " s <= shutdown timeout " + timeout + " ms");
  }

  private static long preStopSleepSeconds(Container c) {
    if (c.getLifecycle() == null || c.getLifecycle().getPreStop() == null) {
      return 0;
    }
    LifecycleHandler h = c.getLifecycle().getPreStop();
    if (h.getSleep() != null) {
      return h.getSleep().getSeconds();
    }
    if (h.getExec() != null) {
      Matcher n = Pattern.compile("sleep\\s+(\\d+)").matcher(String.join(" ", h.getExec().getCommand()));
      if (n.find()) {
        return Long.parseLong(n.group(1));
      }
    }
    return 0;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("every container has CPU and memory requests and limits")
  void everyContainerHasRequestsAndLimits(Manifests m) {
    for (Container c : m.containers()) {
      assertNotNull(c.getResources(), m + ": " + c.getName() + " has no resources");
      for (String r : List.of("cpu", "memory")) {
        Quantity request = c.getResources().getRequests() == null ? null : c.getResources().getRequests().get(r);
        Quantity limit = c.getResources().getLimits() == null ? null : c.getResources().getLimits().get(r);
        assertNotNull(request, m + ": " + c.getName() + " has no " + r + " request");
        assertNotNull(limit, m + ": " + c.getName() + " has no " + r + " limit");
        assertTrue(request.getNumericalAmount().compareTo(limit.getNumericalAmount()) <= 0,
            m + ": " + c.getName() + " " + r + " request above its limit");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("every container runs the one Weft image with the role of its Deployment")
  void everyContainerRunsTheSameImage(Manifests m) {
    Set<String> roles = EntrypointRoles.roles();
    Set<String> images = new TreeSet<>();
    for (String role : ROLES) {
      Container c = m.container(role);
      images.add(c.getImage());
      assertEquals(List.of(role), c.getArgs(), m + ": weft-" + role + " args");
      assertTrue(roles.contains(role), "entrypoint.sh knows no role " + role + " (knows " + roles + ")");
      assertTrue(c.getCommand() == null || c.getCommand().isEmpty(), m + ": " + role + " must keep the image's entrypoint");
    }
    assertEquals(1, images.size(), m + ": services run different images: " + images);
    assertEquals(images, new TreeSet<>(m.containers().stream().map(Container::getImage).toList()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("every setting README marks required for a service is given to that service's container")
  void everyRequiredSettingIsProvided(Manifests m) {
    for (String role : ROLES) {
      Map<String, ProvidedEnv.Source> env = ProvidedEnv.of(m, m.container(role));
      List<String> missing = new ArrayList<>();
      README.requiredFor(role).forEach(s -> {
        if (!env.containsKey(s.name())) {
          missing.add(s.name());
        }
      });
      ALWAYS_PROVIDED.stream().filter(s -> !env.containsKey(s)).forEach(missing::add);
      assertTrue(missing.isEmpty(), m + ": " + role + " lacks required settings " + missing);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("secrets reach the services only from Secrets, never as literals or ConfigMap values")
  void secretsComeFromSecrets(Manifests m) {
    for (String role : ROLES) {
      ProvidedEnv.of(m, m.container(role)).forEach((name, source) -> {
        if (name.contains("SECRET") || name.contains("PASSWORD")) {
          assertTrue(source.kind().startsWith("Secret "), m + ": " + role + " gets " + name + " from " + source.kind());
        }
      });
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("every WEFT_ setting a container gets is one README documents for that service")
  void everyGivenSettingIsReadByItsService(Manifests m) {
    for (String role : ROLES) {
      for (String name : ProvidedEnv.of(m, m.container(role)).keySet()) {
        if (!name.startsWith("WEFT_")) {
          continue;
        }
        var setting = README.get(name);
        if (setting.isPresent()) {
          assertTrue(setting.get().readBy(role), m + ": " + role + " is given " + name + ", which README says only "
              + setting.get().services() + " read");
        } else {
          assertEquals(role, PENDING_README_ROWS.get(name), m + ": " + role + " is given " + name + ", which README does not document");
        }
      }
    }
  }

  @Test
  @DisplayName("README documents every setting the manifests set (skipped, naming them, while rows are pending)")
  void everySettingTheManifestsSetIsInReadme() {
    List<String> pending = PENDING_README_ROWS.keySet().stream().filter(n -> README.get(n).isEmpty()).sorted().toList();
    Assumptions.assumeTrue(pending.isEmpty(), "README.md's configuration table has no row yet for " + pending);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("the gateway finds a persister through a ClusterIP Service on the persister's port")
  void gatewayReachesPersisterInsideTheCluster(Manifests m) {
    String url = required(ProvidedEnv.of(m, m.container("gateway")), "WEFT_PERSISTER_URL", m);
    URI uri = URI.create(url);
    String serviceName = uri.getHost().split("\\.")[0];
    Service s = m.one(Service.class, serviceName);
    assertTrue(selects(s.getSpec().getSelector(), m.deployment("persister")), m + ": " + serviceName + " does not select the persisters");
    ServicePort port = s.getSpec().getPorts().stream().filter(p -> p.getPort() == uri.getPort()).findFirst()
        .orElseThrow(() -> new AssertionError(m + ": " + serviceName + " has no port " + uri.getPort()));
    assertEquals(expectedPort("persister"), Manifests.resolvePort(m.container("persister"), port.getTargetPort()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("the persister's history port is never exposed outside the cluster")
  void persisterIsNotExposed(Manifests m) {
    for (Service s : m.all(Service.class)) {
      if (selects(s.getSpec().getSelector(), m.deployment("persister"))) {
        String type = s.getSpec().getType() == null ? "ClusterIP" : s.getSpec().getType();
        assertEquals("ClusterIP", type, m + ": Service " + s.getMetadata().getName() + " exposes the persister");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("the gateway Service sends its port to the gateways' http port, and every Service selects some pods")
  void servicesSelectTheirPods(Manifests m) {
    Service gw = m.one(Service.class, "weft-gateway");
    assertTrue(selects(gw.getSpec().getSelector(), m.deployment("gateway")));
    for (ServicePort p : gw.getSpec().getPorts()) {
      assertEquals(expectedPort("gateway"), Manifests.resolvePort(m.container("gateway"), p.getTargetPort()));
    }
    if (m.name.equals("base")) {
      assertEquals("LoadBalancer", gw.getSpec().getType(), "base: the gateway Service is the clients' entry point");
      assertEquals(80, gw.getSpec().getPorts().get(0).getPort());
    }
    for (Service s : m.all(Service.class)) {
      assertTrue(m.all(Deployment.class).stream().anyMatch(d -> selects(s.getSpec().getSelector(), d)),
          m + ": Service " + s.getMetadata().getName() + " selects no pods");
      String type = s.getSpec().getType() == null ? "ClusterIP" : s.getSpec().getType();
      if (!type.equals("ClusterIP")) {
        for (String role : ROLES) {
          if (selects(s.getSpec().getSelector(), m.deployment(role))) {
            for (ServicePort p : s.getSpec().getPorts()) {
              assertFalse(Manifests.resolvePort(m.container(role), p.getTargetPort()) == expectedOpsPort(role),
                  m + ": " + type + " Service " + s.getMetadata().getName() + " exposes the ops port of " + role);
            }
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("the autoscaler scales the gateway Deployment on CPU and on connections per pod")
  void hpaTargetsTheGateway(Manifests m) {
    HorizontalPodAutoscaler hpa = m.one(HorizontalPodAutoscaler.class, "weft-gateway");
    var ref = hpa.getSpec().getScaleTargetRef();
    assertEquals("Deployment", ref.getKind());
    assertEquals("apps/v1", ref.getApiVersion());
    assertEquals(m.deployment("gateway").getMetadata().getName(), ref.getName());
    assertTrue(hpa.getSpec().getMinReplicas() >= 1 && hpa.getSpec().getMinReplicas() <= hpa.getSpec().getMaxReplicas());
    List<MetricSpec> metrics = hpa.getSpec().getMetrics();
    assertTrue(metrics.stream().anyMatch(s -> "Resource".equals(s.getType()) && "cpu".equals(s.getResource().getName())
        && s.getResource().getTarget().getAverageUtilization() != null), m + ": no CPU utilization metric");
    assertTrue(metrics.stream().anyMatch(s -> "Pods".equals(s.getType())
        && "weft_gateway_connections".equals(s.getPods().getMetric().getName())
        && s.getPods().getTarget().getAverageValue() != null), m + ": no weft_gateway_connections Pods metric");
    // The HPA owns replicas; it must not be outside its range.
    Integer replicas = m.deployment("gateway").getSpec().getReplicas();
    assertTrue(replicas == null || replicas <= hpa.getSpec().getMaxReplicas());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("the disruption budget covers the gateway pods and only them")
  void pdbSelectsTheGatewayPods(Manifests m) {
    PodDisruptionBudget pdb = m.one(PodDisruptionBudget.class, "weft-gateway");
    Map<String, String> selector = pdb.getSpec().getSelector().getMatchLabels();
    assertTrue(selects(selector, m.deployment("gateway")), m + ": PDB does not select the gateways");
    for (String role : List.of("router", "persister")) {
      assertFalse(selects(selector, m.deployment(role)), m + ": gateway PDB also selects " + role);
    }
    assertNotNull(pdb.getSpec().getMaxUnavailable(), m + ": PDB must bound maxUnavailable");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("every pod runs as the image's non-root user with a read-only root filesystem")
  void podsRunAsNonRoot(Manifests m) {
    int uid = EntrypointRoles.imageUid();
    for (Deployment d : m.all(Deployment.class)) {
      PodSecurityContext pod = d.getSpec().getTemplate().getSpec().getSecurityContext();
      for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
        SecurityContext sc = c.getSecurityContext();
        Boolean nonRoot = sc != null && sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : pod == null ? null : pod.getRunAsNonRoot();
        Long user = sc != null && sc.getRunAsUser() != null ? sc.getRunAsUser() : pod == null ? null : pod.getRunAsUser();
        String where = m + ": " + d.getMetadata().getName() + "/" + c.getName();
        assertEquals(Boolean.TRUE, nonRoot, where + " runAsNonRoot");
        assertEquals(Long.valueOf(uid), user, where + " runAsUser (the Dockerfile's uid)");
        assertNotNull(sc, where + " has no securityContext");
        assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), where + " readOnlyRootFilesystem");
        assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), where + " allowPrivilegeEscalation");
        assertTrue(c.getVolumeMounts().stream().anyMatch(v -> v.getMountPath().equals("/tmp")),
            where + ": a read-only root needs a writable /tmp for the JVM");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("every topic of docs/architecture.md has a KafkaTopic with the documented partitions and retention")
  void everyDocumentedTopicIsDeclared(Manifests m) {
    Map<String, ProvidedEnv.Source> env = ProvidedEnv.of(m, m.container("router"));
    String prefix = env.containsKey("WEFT_TOPIC_PREFIX") ? env.get("WEFT_TOPIC_PREFIX").value() : "weft.";
    int replication = Integer.parseInt(env.containsKey("WEFT_REPLICATION_FACTOR")
        ? env.get("WEFT_REPLICATION_FACTOR").value() : String.valueOf(README.defaultInt("WEFT_REPLICATION_FACTOR", 3)));
    List<ArchitectureTopics.Topic> topics = ArchitectureTopics.load();
    assertTrue(topics.size() >= 6, "docs/architecture.md's topics table: found only " + topics);
    int inbound = 0;
    for (ArchitectureTopics.Topic t : topics) {
      if (t.perGateway()) {
        continue; // weft.deliver.<id>: created by each gateway at start
      }
      String name = prefix + t.name().substring("weft.".length());
      GenericKubernetesResource kt = m.custom("KafkaTopic").stream()
          .filter(r -> name.equals(topicName(r))).findFirst()
          .orElseThrow(() -> new AssertionError(m + ": no KafkaTopic for " + name));
      Map<String, Object> spec = spec(kt);
      int partitions = ((Number) spec.get("partitions")).intValue();
      assertTrue(partitions > 0, m + ": " + name + " partitions");
      Integer expected = t.partitionsSetting() != null
          ? Integer.valueOf(Integer.parseInt(env.containsKey(t.partitionsSetting()) ? env.get(t.partitionsSetting()).value()
              : String.valueOf(README.defaultInt(t.partitionsSetting(), 1))))
          : t.sameAsInbound() ? Integer.valueOf(inbound) : t.partitions();
      if (t.name().equals("weft.inbound")) {
        inbound = partitions;
      }
      if (expected != null) {
        assertEquals(expected.intValue(), partitions, m + ": " + name + " partitions (" + t.partitionsText() + ")");
      }
      assertEquals(replication, ((Number) spec.get("replicas")).intValue(), m + ": " + name + " replicas vs WEFT_REPLICATION_FACTOR");
      @SuppressWarnings("unchecked")
      Map<String, Object> config = (Map<String, Object>) spec.getOrDefault("config", Map.of());
      assertEquals(String.valueOf(Math.min(2, replication)), String.valueOf(config.get("min.insync.replicas")),
          m + ": " + name + " min.insync.replicas");
      if (t.compacted()) {
        assertEquals("compact", config.get("cleanup.policy"), m + ": " + name + " must be compacted");
      } else {
        assertFalse("compact".equals(config.get("cleanup.policy")), m + ": " + name + " must not be compacted");
      }
      if (t.retentionMs() != null) {
        assertEquals(String.valueOf(t.retentionMs()), String.valueOf(config.get("retention.ms")), m + ": " + name + " retention.ms");
      }
      assertNotNull(kt.getMetadata().getLabels().get("strimzi.io/cluster"), m + ": " + name + " has no strimzi.io/cluster label");
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource r) {
    return (Map<String, Object>) r.getAdditionalProperties().get("spec");
  }

  private static String topicName(GenericKubernetesResource r) {
    Object name = spec(r).get("topicName");
    return name == null ? r.getMetadata().getName() : name.toString();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  @DisplayName("a ServiceMonitor, where the build has one, scrapes the ops port of every service through a ClusterIP Service")
  void serviceMonitorScrapesEveryService(Manifests m) {
    List<GenericKubernetesResource> monitors = m.custom("ServiceMonitor");
    if (m.name.equals("overlays/prod")) {
      assertFalse(monitors.isEmpty(), "prod includes components/monitoring");
    }
    for (GenericKubernetesResource sm : monitors) {
      @SuppressWarnings("unchecked")
      Map<String, String> selector = (Map<String, String>) ((Map<String, Object>) spec(sm).get("selector")).get("matchLabels");
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> endpoints = (List<Map<String, Object>>) spec(sm).get("endpoints");
      for (Map<String, Object> e : endpoints) {
        assertEquals("/metrics", e.get("path"));
        for (String role : ROLES) {
          boolean scraped = m.all(Service.class).stream()
              .filter(x -> selects(x.getSpec().getSelector(), m.deployment(role)))
              .filter(x -> x.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
              .filter(x -> x.getSpec().getType() == null || "ClusterIP".equals(x.getSpec().getType()))
              .flatMap(x -> x.getSpec().getPorts().stream())
              .anyMatch(p -> e.get("port").equals(p.getName())
                  && Manifests.resolvePort(m.container(role), p.getTargetPort()) == expectedOpsPort(role));
          assertTrue(scraped, m + ": no ClusterIP Service the ServiceMonitor selects has a port " + e.get("port")
              + " to the ops port of " + role);
        }
      }
    }
  }

  @Test
  @DisplayName("the prod build never ships the base's placeholder secrets")
  void prodReplacesPlaceholderSecrets() {
    Manifests prod = BUILDS.stream().filter(b -> b.name.equals("overlays/prod")).findFirst().orElseThrow();
    Secret secret = prod.one(Secret.class, "weft-secrets");
    if (secret.getStringData() != null) {
      secret.getStringData().forEach((k, v) -> assertFalse(v.contains("REPLACE-ME"), "prod " + k + " is the placeholder"));
    }
    Manifests base = BUILDS.get(0);
    assertTrue(ProvidedEnv.secretKeys(base.one(Secret.class, "weft-secrets")).equals(ProvidedEnv.secretKeys(secret)),
        "prod's secrets.env.example must name the same keys as the base Secret");
  }

  static boolean selects(Map<String, String> selector, Deployment d) {
    Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
    return selector != null && !selector.isEmpty() && labels != null && labels.entrySet().containsAll(selector.entrySet());
  }

  private static String required(Map<String, ProvidedEnv.Source> env, String name, Manifests m) {
    ProvidedEnv.Source s = env.get(name);
    if (s == null || s.value() == null) {
      fail(m + ": " + name + " must be set to a literal or ConfigMap value");
    }
    return s.value();
  }
}
