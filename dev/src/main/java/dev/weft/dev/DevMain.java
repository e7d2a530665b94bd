package dev.weft.dev;

import dev.weft.loadgen.LoadConfig;
import dev.weft.loadgen.LoadGenerator;
import dev.weft.loadgen.LoadReport;
import dev.weft.common.ConfigException;
import dev.weft.common.DevDefaults;
import dev.weft.common.Env;
import dev.weft.embedded.EmbeddedKafka;
import dev.weft.embedded.EmbeddedMariaDb;
import dev.weft.gateway.GatewayApplication;
import dev.weft.gateway.config.GatewayConfig;
import dev.weft.persister.PersisterApplication;
import dev.weft.persister.config.PersisterConfig;
import dev.weft.router.RouterApplication;
import dev.weft.router.RouterConfig;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./weft dev}: a whole Weft in one process. An embedded Kafka broker (KRaft) on localhost:9092
 * (WEFT_DEV_KAFKA_PORT), an embedded MariaDB on port 3307 (WEFT_DEV_DB_PORT; 0 = any free port) unless WEFT_DB_URL
 * names a database, then a persister, a router and a gateway on the development defaults. Other processes started with
 * WEFT_DEV=1 join it (a second gateway, say). Data lives under WEFT_DEV_DATA_DIR (default .weft/dev)
 * and survives a restart; delete the folder to start empty.
 */
public final class DevMain {

  private static final Logger log = LoggerFactory.getLogger(DevMain.class);

  private DevMain() {}

  public static void main(String[] args) {
    Map<String, String> vars = new HashMap<>(System.getenv());
    vars.put("WEFT_DEV", "1");
    Env env = new Env(vars);
    Path dataDir = Path.of(env.string("WEFT_DEV_DATA_DIR", ".weft/dev")).toAbsolutePath();
    int kafkaPort = env.integer("WEFT_DEV_KAFKA_PORT", 9092, 1, 65535);
    // A second Weft on one machine (./weft bench starts its own beside a developer's) needs a database port of its own.
    int dbPort = env.integer("WEFT_DEV_DB_PORT", DevDefaults.DB_PORT, 0, 65535);
    Deque<AutoCloseable> running = new ArrayDeque<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(running), "weft-dev-shutdown"));
    try {
      long t0 = System.nanoTime();
      EmbeddedKafka kafka = EmbeddedKafka.start(kafkaPort, dataDir.resolve("kafka"));
      running.push(kafka);
      vars.putIfAbsent("WEFT_KAFKA_BOOTSTRAP", kafka.bootstrap());
      String dbNote;
      if (env.raw("WEFT_DB_URL").isEmpty()) {
        EmbeddedMariaDb db = EmbeddedMariaDb.start(dbPort, dataDir.resolve("mariadb-base"), dataDir.resolve("mariadb-data"));
        running.push(db);
        vars.put("WEFT_DB_URL", db.jdbcUrl("weft"));
        vars.put("WEFT_DB_USER", DevDefaults.DB_USER);
        vars.put("WEFT_DB_PASSWORD", DevDefaults.DB_PASSWORD);
        dbNote = "embedded MariaDB on 127.0.0.1:" + db.port() + " (schema weft, user root)";
      } else {
        dbNote = env.raw("WEFT_DB_URL").get();
      }
      Env services = new Env(vars);
      PersisterApplication persister = PersisterApplication.start(PersisterConfig.from(services));
      running.push(persister);
      vars.putIfAbsent("WEFT_PERSISTER_URL", "http://127.0.0.1:" + persister.httpPort());
      RouterApplication router = RouterApplication.start(RouterConfig.from(services));
      running.push(router);
      GatewayApplication gateway = GatewayApplication.start(GatewayConfig.from(new Env(vars)));
      running.push(gateway);
      warmUp(env.integer("WEFT_DEV_WARMUP_SECONDS", 8, 0, 600), gateway.httpPort(), vars);
      printBanner(kafka.bootstrap(), dbNote, gateway, (System.nanoTime() - t0) / 1_000_000);
    } catch (ConfigException e) {
      System.err.println("weft dev: " + e.getMessage());
      System.exit(2);
    } catch (RuntimeException e) {
      log.error("weft dev could not start", e);
      System.exit(1);
    }
  }

  /**
   * Sends synthetic traffic through the whole fabric before saying it is ready: a fresh JVM interprets, then compiles,
   * every hop, and the first tens of seconds of a cold start were ten times slower than the rest (docs/performance.md).
   * The traffic is between users named {@code load-*}; nobody else sees it.
   */
  private static void warmUp(int seconds, int port, Map<String, String> vars) {
    if (seconds == 0) {
      return;
    }
    Map<String, String> load = new HashMap<>(vars);
    load.put("WEFT_LOAD_GATEWAYS", "127.0.0.1:" + port);
    load.put("WEFT_LOAD_PAIRS", "50");
    load.put("WEFT_LOAD_RATE", "2000");
    load.put("WEFT_LOAD_SECONDS", String.valueOf(seconds));
    load.remove("WEFT_LOAD_CATCHUP_MESSAGES");
    long t0 = System.nanoTime();
    try {
      LoadReport report = new LoadGenerator(LoadConfig.from(new Env(load))).run();
      log.info("warmed up in {} ms: {}", (System.nanoTime() - t0) / 1_000_000, report);
    } catch (Exception e) {
      log.warn("warm-up failed ({}); Weft runs, only its first messages are slower", e.toString());
    }
  }

  private static void printBanner(String kafka, String db, GatewayApplication gateway, long millis) {
    int port = gateway.httpPort();
    System.out.println("""

        Weft is running (started in %d ms).
          Demo chat   http://localhost:%d/             (open it in two browser tabs)
          WebSocket   ws://localhost:%d/v1/ws          (gateway %s)
          History     http://localhost:%d/v1/conversations/{conv}/messages
          Metrics     http://localhost:%d/metrics            (the gateway's ops port)
          Server API  http://localhost:%s/v1/server/     (Authorization: Bearer %s; docs/server-api.md)
          Kafka       %s
          Database    %s

        Get a token:        WEFT_DEV=1 ./weft token alice
        Connect a client:   npx wscat -c "ws://localhost:%d/v1/ws?access_token=$(WEFT_DEV=1 ./weft token alice)"
        Send:               {"op":"send","ref":"r-1","to":"bob","text":"hi"}
        Second gateway:     WEFT_DEV=1 WEFT_HTTP_PORT=8081 WEFT_GATEWAY_OPS_PORT=9181 WEFT_SERVER_API_PORT=8086 WEFT_GATEWAY_ID=gw-2 ./weft gateway
        Stop:               Ctrl-C
        """.formatted(millis, port, port, gateway.gatewayId(), port, gateway.opsPort(),
            gateway.serverApiPort() < 0 ? "(off)" : String.valueOf(gateway.serverApiPort()),
            dev.weft.common.DevDefaults.SERVER_API_KEY, kafka, db, port));
  }

  private static void stopAll(Deque<AutoCloseable> running) {
    while (!running.isEmpty()) {
      AutoCloseable c = running.pop();
      try {
        c.close();
      } catch (Exception e) {
        log.warn("stopping {} failed: {}", c.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
