package dev.weft.embedded;

import dev.weft.common.Env;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * An embedded MariaDB as a process of its own, so a fault run can SIGKILL the database server and start it again on
 * the same data ({@code ./weft chaos}). Settings: WEFT_MARIADB_PORT, WEFT_MARIADB_BASE_DIR, WEFT_MARIADB_DATA_DIR.
 * Prints {@value #READY} once it accepts connections.
 */
public final class MariaDbMain {

  public static final String READY = "mariadb ready";

  private MariaDbMain() {}

  public static void main(String[] args) throws InterruptedException {
    Env env = new Env(System.getenv());
    EmbeddedMariaDb db = EmbeddedMariaDb.start(env.integer("WEFT_MARIADB_PORT", 3307, 1, 65535),
        Path.of(env.string("WEFT_MARIADB_BASE_DIR", ".weft/mariadb-base")),
        Path.of(env.string("WEFT_MARIADB_DATA_DIR", ".weft/mariadb-data")));
    System.out.println(READY + " on port " + db.port());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      db.close();
      stopped.countDown();
    }, "mariadb-shutdown"));
    stopped.await();
  }
}
