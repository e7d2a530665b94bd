package dev.weft.testkit;

import dev.weft.embedded.EmbeddedMariaDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.mysql.MySQLContainer;

/**
 * The run's one MySQL-compatible server, in this order of preference: the one at {@code WEFT_TEST_JDBC_URL};
 * Testcontainers' MySQL where a Docker engine answers; an embedded MariaDB. Kept in the root store, like the broker.
 */
@SuppressWarnings("deprecation")
final class DatabaseServer implements AutoCloseable, ExtensionContext.Store.CloseableResource {

  /** A server URL, e.g. {@code jdbc:mysql://db:3306/} or {@code jdbc:mysql://db:3306/x?sslMode=DISABLED}. */
  static final String URL_ENV = "WEFT_TEST_JDBC_URL";
  static final String USER_ENV = "WEFT_TEST_DB_USER";
  static final String PASSWORD_ENV = "WEFT_TEST_DB_PASSWORD";
  /** The image for the Testcontainers path. */
  static final String IMAGE_ENV = "WEFT_TEST_MYSQL_IMAGE";

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseServer.class);
  /** scheme://authority, then an optional /database, then optional ?parameters. */
  private static final Pattern URL = Pattern.compile("(jdbc:[a-z]+://[^/?]+)(?:/[^?]*)?(\\?.*)?");
  private static final Pattern SCHEMA_NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");

  private final String description;
  private final String serverPart;
  private final String parameters;
  private final String user;
  private final String password;
  private final AutoCloseable owned;
  private final Path ownedDir;

  private DatabaseServer(String description, String url, String user, String password, AutoCloseable owned,
      Path ownedDir) {
    Matcher m = URL.matcher(url);
    if (!m.matches()) {
      throw new IllegalArgumentException("Not a JDBC server URL (jdbc:<driver>://host[:port][/db][?params]): " + url);
    }
    this.description = description;
    this.serverPart = m.group(1);
    this.parameters = m.group(2) == null ? "" : m.group(2);
    this.user = user;
    this.password = password;
    this.owned = owned;
    this.ownedDir = ownedDir;
  }

  static DatabaseServer start() {
    long started = System.nanoTime();
    DatabaseServer server = choose();
    LOG.info("Test database: {} ({} ms)", server.description, (System.nanoTime() - started) / 1_000_000);
    return server;
  }

  private static DatabaseServer choose() {
    String url = System.getenv(URL_ENV);
    if (url != null && !url.isBlank()) {
      return new DatabaseServer(URL_ENV + "=" + url, url.trim(), envOr(USER_ENV, "root"), envOr(PASSWORD_ENV, ""),
          null, null);
    }
    if (DockerClientFactory.instance().isDockerAvailable()) {
      return mysqlContainer();
    }
    LOG.info("No {} and no Docker engine: starting an embedded MariaDB", URL_ENV);
    return embeddedMariaDb();
  }

  private static DatabaseServer mysqlContainer() {
    String image = envOr(IMAGE_ENV, "mysql:8.4");
    MySQLContainer container = new MySQLContainer(image).withUsername("root").withPassword("weft-test");
    try {
      container.start();
      return new DatabaseServer("Testcontainers " + image, container.getJdbcUrl(), "root", "weft-test", container,
          null);
    } catch (RuntimeException | Error e) {
      container.stop();
      throw e;
    }
  }

  private static DatabaseServer embeddedMariaDb() {
    Path root = TargetDir.root().resolve("mariadb");
    // Binaries are unpacked once per module and reused; the data is fresh per run (installing it takes ~1 s) so a
    // server left over from a killed run can never hold its lock.
    Path data = root.resolve("data-" + UUID.randomUUID());
    EmbeddedMariaDb db = EmbeddedMariaDb.start(0, root.resolve("base"), data);
    return new DatabaseServer("embedded MariaDB on port " + db.port(), db.serverJdbcUrl(), EmbeddedMariaDb.USER,
        EmbeddedMariaDb.PASSWORD, db, data);
  }

  String user() {
    return user;
  }

  String password() {
    return password;
  }

  String jdbcUrl(String schema) {
    return serverPart + "/" + checked(schema) + parameters;
  }

  void createSchema(String schema) {
    execute("CREATE DATABASE `" + checked(schema) + "`");
  }

  void dropSchema(String schema) {
    execute("DROP DATABASE IF EXISTS `" + checked(schema) + "`");
  }

  private void execute(String sql) {
    try (Connection c = DriverManager.getConnection(serverPart + "/" + parameters, user, password);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed on " + description, e);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      if (owned != null) {
        owned.close();
      }
    } finally {
      if (ownedDir != null) {
        TargetDir.deleteQuietly(ownedDir);
      }
    }
  }

  private static String checked(String schema) {
    if (!SCHEMA_NAME.matcher(schema).matches()) {
      throw new IllegalArgumentException("Not a plain schema name: " + schema);
    }
    return schema;
  }

  private static String envOr(String key, String defaultValue) {
    String v = System.getenv(key);
    return v == null ? defaultValue : v;
  }
}
