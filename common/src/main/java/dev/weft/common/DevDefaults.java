package dev.weft.common;

/** What {@code ./weft dev} runs on, and what a service started with WEFT_DEV=1 joins by default. */
public final class DevDefaults {

  /** The embedded broker's address. */
  public static final String KAFKA_BOOTSTRAP = "localhost:9092";
  /** The embedded MariaDB's port and schema; any password works, it runs with --skip-grant-tables. */
  public static final int DB_PORT = 3307;
  public static final String DB_URL = "jdbc:mysql://127.0.0.1:" + DB_PORT + "/weft?createDatabaseIfNotExist=true";
  public static final String DB_USER = "root";
  public static final String DB_PASSWORD = "";
  /** The persister's internal HTTP address, where gateways read history. */
  public static final int PERSISTER_PORT = 8090;
  public static final String PERSISTER_URL = "http://127.0.0.1:" + PERSISTER_PORT;
  /** The ops ports (metrics and probes) of the gateway and the persister; the router's is 8091. */
  public static final int GATEWAY_OPS_PORT = 9180;
  public static final int PERSISTER_OPS_PORT = 9190;
  /** Never valid outside development: services refuse to start on it unless WEFT_DEV is on. */
  public static final String SERVER_API_KEY = "weft-development-server-api-key-do-not-use";
  public static final int SERVER_API_PORT = 8085;
  public static final String INTERNAL_SECRET = "weft-development-internal-secret-do-not-use";
  /** Never valid outside development: services refuse to start on it unless WEFT_DEV is on. */
  public static final String JWT_SECRET = "weft-development-secret-do-not-use-in-production";

  private DevDefaults() {}
}
