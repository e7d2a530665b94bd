package dev.weft.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** deploy/compose.yaml: parses (anchors and merge keys resolved), runs every role, wires them together. */
class ComposeFileTest {

  private static JsonNode services;
  /** Compose service name → the Weft role it runs (its command's first word, or its entrypoint's last). */
  private static final Map<String, String> ROLE_OF = new HashMap<>();

  @BeforeAll
  static void load() {
    services = Repo.yamlObject(Repo.path("deploy/compose.yaml")).path("services");
    Set<String> roles = EntrypointRoles.roles();
    services.fields().forEachRemaining(e -> {
      JsonNode s = e.getValue();
      String role = s.path("command").path(0).asText(null);
      if (role == null && s.path("entrypoint").isArray()) {
        role = s.path("entrypoint").path(s.path("entrypoint").size() - 1).asText();
      }
      if (role != null && roles.contains(role)) {
        ROLE_OF.put(e.getKey(), role);
      }
    });
  }

  @Test
  void compose_runsEveryRoleTheEntrypointKnows() {
    assertEquals(EntrypointRoles.roles(), new TreeSet<>(ROLE_OF.values()));
    assertTrue(ROLE_OF.values().stream().filter("gateway"::equals).count() >= 2, "two gateways show routing across gateways");
  }

  @Test
  void compose_buildsEveryWeftServiceFromTheOneDockerfile() {
    Set<String> images = new TreeSet<>();
    ROLE_OF.keySet().forEach(name -> {
      JsonNode s = services.path(name);
      images.add(s.path("image").asText());
      JsonNode build = s.path("build");
      assertTrue(Files.isRegularFile(Repo.path("deploy").resolve(build.path("context").asText()).resolve(build.path("dockerfile").asText())),
          name + ": build does not point at deploy/Dockerfile");
    });
    assertEquals(1, images.size(), "one image for every service: " + images);
  }

  @Test
  void compose_startsKafkaKraftAndMysql8WithHealthchecks() {
    JsonNode kafka = services.path("kafka");
    assertTrue(kafka.path("image").asText().startsWith("apache/kafka:4."), "apache/kafka 4.x");
    assertTrue(kafka.path("environment").path("KAFKA_PROCESS_ROLES").asText().contains("controller"), "KRaft: the broker is its own controller");
    assertTrue(services.path("mysql").path("image").asText().startsWith("mysql:8"), "MySQL 8");
    for (String name : List.of("kafka", "mysql")) {
      assertTrue(services.path(name).path("healthcheck").has("test"), name + " has no healthcheck");
    }
  }

  @Test
  void compose_startsEachServiceAfterWhatItNeedsIsHealthy() {
    List<String> problems = new ArrayList<>();
    ROLE_OF.forEach((name, role) -> {
      if (role.equals("token")) {
        return;
      }
      JsonNode s = services.path(name);
      if (!s.path("healthcheck").has("test")) {
        problems.add(name + ": no healthcheck");
      }
      if (!s.path("depends_on").has("kafka")) {
        problems.add(name + ": does not wait for kafka");
      }
      s.path("depends_on").fields().forEachRemaining(d -> {
        if (!"service_healthy".equals(d.getValue().path("condition").asText())) {
          problems.add(name + ": depends on " + d.getKey() + " without condition service_healthy");
        }
        if (!services.path(d.getKey()).path("healthcheck").has("test")) {
          problems.add(name + ": waits for " + d.getKey() + ", which has no healthcheck");
        }
      });
    });
    assertEquals(List.of(), problems);
  }

  @Test
  void compose_givesEachServiceItsRequiredSettingsAndMatchingPorts() {
    ReadmeSettings readme = KubernetesManifestsTest.README;
    ROLE_OF.forEach((name, role) -> {
      JsonNode env = services.path(name).path("environment");
      readme.requiredFor(role).forEach(s -> assertTrue(env.has(s.name()), name + ": no " + s.name()));
      if (role.equals("token")) {
        return;
      }
      assertTrue(env.has("WEFT_KAFKA_BOOTSTRAP"), name + ": no WEFT_KAFKA_BOOTSTRAP");
      env.fieldNames().forEachRemaining(k -> assertTrue(readme.get(k).map(s -> s.readBy(role)).orElse(false),
          name + ": " + k + " is not a setting README documents for " + role));
      int port = env.has(KubernetesManifestsTest.opsPortSetting(role))
          ? env.path(KubernetesManifestsTest.opsPortSetting(role)).asInt()
          : KubernetesManifestsTest.expectedOpsPort(role);
      String health = services.path(name).path("healthcheck").path("test").toString();
      assertTrue(health.contains("/" + port) && health.contains("/health/ready"),
          name + ": healthcheck must ask /health/ready on the ops port " + port);
    });
    ROLE_OF.forEach((name, role) -> {
      if (role.equals("gateway")) {
        URI persister = URI.create(services.path(name).path("environment").path("WEFT_PERSISTER_URL").asText());
        String host = persister.getHost();
        assertEquals("persister", ROLE_OF.get(host), name + ": WEFT_PERSISTER_URL must name the persister service");
        JsonNode penv = services.path(host).path("environment");
        int port = penv.has("WEFT_PERSISTER_HTTP_PORT") ? penv.path("WEFT_PERSISTER_HTTP_PORT").asInt()
            : KubernetesManifestsTest.expectedPort("persister");
        assertEquals(port, persister.getPort(), name + ": WEFT_PERSISTER_URL port");
        assertNotNull(services.path(name).path("ports").path(0).asText(null), name + ": publish the gateway's port");
      }
    });
  }
}
