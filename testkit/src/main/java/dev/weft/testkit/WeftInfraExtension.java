package dev.weft.testkit;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext.Store;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives integration tests real infrastructure: injects a {@link WeftInfra} into test methods, constructors and
 * {@code @BeforeAll}/{@code @BeforeEach}/{@code @AfterEach}/{@code @AfterAll} methods. Register it with
 * {@code @ExtendWith(WeftInfraExtension.class)} or {@link WeftIntegrationTest @WeftIntegrationTest}.
 *
 * <ul>
 *   <li>Kafka: one embedded KRaft broker per test JVM, started on first use, stopped when the run ends; its logs
 *       live under the module's {@code target/weft-testkit/} and are deleted afterwards.
 *   <li>Database: one server per run, the first that applies of: {@code WEFT_TEST_JDBC_URL} (with
 *       {@code WEFT_TEST_DB_USER}, {@code WEFT_TEST_DB_PASSWORD}; default root and an empty password);
 *       Testcontainers' MySQL ({@code WEFT_TEST_MYSQL_IMAGE}, default mysql:8.4) when a Docker engine answers; an
 *       embedded MariaDB. Each test class gets a fresh schema {@code weft_<random>}, dropped after the class.
 *   <li>Names: each test method gets its own topic prefix, so tests sharing the broker never see each other's
 *       records.
 * </ul>
 *
 * <p>Modelled on Strimzi's {@code @BridgeSuite}: one broker shared by the run, random names per test, a fresh
 * database per class.
 */
public final class WeftInfraExtension implements ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(WeftInfraExtension.class);
  private static final String KAFKA = "kafka";
  private static final String DATABASE = "database";
  private static final SecureRandom RANDOM = new SecureRandom();

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == WeftInfra.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
    if (context.getTestClass().isEmpty()) {
      throw new ParameterResolutionException("WeftInfra can only be injected within a test class");
    }
    // Keyed by the context's unique id: a store lookup also searches the parent contexts, and a test method must not
    // get its class's (the @BeforeAll) instance.
    return context.getStore(NAMESPACE)
        .getOrComputeIfAbsent("infra:" + context.getUniqueId(), key -> newInfra(context), WeftInfra.class);
  }

  /**
   * A constructor parameter resolves in the test method's context (the same {@link WeftInfra} as its
   * {@code @BeforeEach} and test), not in the class's, when the class has one instance per method (the default).
   */
  @Override
  public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
    return ExtensionContextScope.TEST_METHOD;
  }

  private static WeftInfra newInfra(ExtensionContext context) {
    ExtensionContext classContext = classContext(context);
    Store root = context.getRoot().getStore(NAMESPACE);
    return new WeftInfra(
        "t" + randomHex(4) + ".",
        () -> root.getOrComputeIfAbsent(KAFKA, key -> SharedKafka.start(), SharedKafka.class).bootstrap(),
        () -> classContext.getStore(NAMESPACE).getOrComputeIfAbsent(
            "schema:" + classContext.getUniqueId(),
            key -> ClassSchema.create(database(root), "weft_" + randomHex(6)),
            ClassSchema.class));
  }

  private static DatabaseServer database(Store root) {
    return root.getOrComputeIfAbsent(DATABASE, key -> DatabaseServer.start(), DatabaseServer.class);
  }

  /** The nearest enclosing context that stands for a test class (not a method, template or invocation). */
  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
      c = c.getParent().get();
    }
    return c;
  }

  private static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
