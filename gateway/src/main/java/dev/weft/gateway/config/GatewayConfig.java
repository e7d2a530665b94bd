package dev.weft.gateway.config;

import dev.weft.common.ConfigException;
import dev.weft.common.DevDefaults;
import dev.weft.common.Env;
import dev.weft.common.InternalSecret;
import dev.weft.common.JwtSettings;
import dev.weft.common.KafkaSettings;
import java.net.URI;

/**
 * Everything a gateway is configured with, read from the environment in one place.
 *
 * @param kafka see {@link KafkaSettings}
 * @param jwt see {@link JwtSettings}
 * @param gatewayId WEFT_GATEWAY_ID: this gateway's id, unique among live gateways; names its delivery topic.
 *     Default: the HOSTNAME (a pod name in Kubernetes), or gw-1 under WEFT_DEV.
 * @param httpPort WEFT_HTTP_PORT: port of the WebSocket endpoint and HTTP routes (default 8080; 0 = any free port)
 * @param persisterUrl WEFT_PERSISTER_URL: base URL of a persister, where history is read
 *     (required; http://127.0.0.1:8090 under WEFT_DEV)
 * @param maxFrameBytes WEFT_MAX_FRAME_BYTES: largest WebSocket message accepted; larger ones close the socket
 *     with 1009 (default 65536)
 * @param maxTextBytes WEFT_MAX_TEXT_BYTES: largest message text, in UTF-8 bytes (default 16384)
 * @param webSocketCompression WEFT_WS_COMPRESSION: 1 accepts permessage-deflate when a client offers it, 0 does not
 *     (default 0). On, a compressed message may inflate to at most twice WEFT_MAX_FRAME_BYTES before its socket is
 *     closed with 1009, and each compressed socket holds about 300 KiB of zlib memory; off, a compressed frame is a
 *     protocol error and the connection is dropped
 * @param eventLoops WEFT_EVENT_LOOPS: gateway verticle instances, one per event loop (default: CPU cores)
 * @param publishQueueMax WEFT_PUBLISH_QUEUE_MAX: writes waiting to be handed to the Kafka producer before clients
 *     get {@code overloaded} (default 10000)
 * @param sendRatePerSecond WEFT_SEND_RATE: sustained frames per second one connection may send (default 200)
 * @param sendBurst WEFT_SEND_BURST: frames one connection may send at once above the rate (default 400)
 * @param writeQueueMaxBytes WEFT_SOCKET_WRITE_QUEUE_BYTES: bytes queued for one socket before it is closed as too
 *     slow with 4008 (default 1048576)
 * @param pingIntervalMs WEFT_PING_INTERVAL_MS: how often the gateway pings each socket (default 20000)
 * @param idleTimeoutMs WEFT_IDLE_TIMEOUT_MS: a socket that sent nothing, not even a pong, for this long is closed
 *     with 4000 and its session retracted: this is how a half-open TCP connection is noticed (default 60000)
 * @param heartbeatMs WEFT_GATEWAY_HEARTBEAT_MS: how often the gateway tells routers it is alive (default 5000);
 *     must be well under the routers' WEFT_GATEWAY_EXPIRY_MS
 * @param catchUp see {@link CatchUpSettings}
 * @param groupMaxMembers WEFT_GROUP_MAX_MEMBERS: most members a group created through this gateway may have (default
 *     1024); the limit is stored with the group, so it holds on every gateway
 * @param signals see {@link SignalSettings}
 * @param quotas see {@link QuotaSettings}
 * @param lookups see {@link LookupSettings}
 * @param drain see {@link DrainSettings}
 * @param demo see {@link DemoSettings}
 * @param origins see {@link OriginSettings}
 * @param abuse see {@link AbuseLimits}
 * @param opsPort WEFT_GATEWAY_OPS_PORT: port of {@code /metrics}, {@code /health/live} and {@code /health/ready}, for
 *     Prometheus and the kubelet; never behind the load balancer (default 9180; 0 = any free port)
 * @param internalSecret see {@link InternalSecret}: sent on every call to the persister
 * @param persisterConnections WEFT_PERSISTER_CONNECTIONS: HTTP connections this gateway keeps open to
 *     WEFT_PERSISTER_URL at most (default 32). Catch-ups and resend checks wait there for history to catch up with
 *     Kafka; with Vert.x's default of 5, a burst of reconnects queued every later call behind them
 * @param push see {@link dev.weft.common.PushSettings}
 * @param serverApi see {@link ServerApiSettings}
 * @param content see {@link ContentSettings}
 */
public record GatewayConfig(
    KafkaSettings kafka,
    JwtSettings jwt,
    String gatewayId,
    int httpPort,
    String persisterUrl,
    int maxFrameBytes,
    int maxTextBytes,
    boolean webSocketCompression,
    int eventLoops,
    int publishQueueMax,
    int sendRatePerSecond,
    int sendBurst,
    int writeQueueMaxBytes,
    int pingIntervalMs,
    int idleTimeoutMs,
    int heartbeatMs,
    CatchUpSettings catchUp,
    int groupMaxMembers,
    int maxConnectionsPerUser,
    SignalSettings signals,
    QuotaSettings quotas,
    LookupSettings lookups,
    DrainSettings drain,
    DemoSettings demo,
    OriginSettings origins,
    AbuseLimits abuse,
    int opsPort,
    InternalSecret internalSecret,
    int persisterConnections,
    dev.weft.common.PushSettings push,
    ServerApiSettings serverApi,
    ContentSettings content) {


  public static GatewayConfig from(Env env) {
    String gatewayId = env.raw("WEFT_GATEWAY_ID")
        .or(() -> env.dev() ? java.util.Optional.of("gw-1") : env.raw("HOSTNAME"))
        .orElseThrow(() -> new ConfigException("WEFT_GATEWAY_ID is not set (nor HOSTNAME): each gateway needs a unique id"));
    if (!dev.weft.common.SessionRecords.isValidGatewayId(gatewayId)) {
      throw new ConfigException("WEFT_GATEWAY_ID=" + gatewayId + " may hold only letters, digits, '.', '_' and '-' (at most 100)");
    }
    String persisterUrl = env.required("WEFT_PERSISTER_URL", DevDefaults.PERSISTER_URL, "the persister's base URL, for history reads");
    try {
      URI uri = URI.create(persisterUrl);
      if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException("WEFT_PERSISTER_URL=" + persisterUrl + " is not an http(s) URL");
    }
    int maxFrame = env.integer("WEFT_MAX_FRAME_BYTES", 64 * 1024, 1024, 16 * 1024 * 1024);
    int maxText = env.integer("WEFT_MAX_TEXT_BYTES", 16 * 1024, 1, 16 * 1024 * 1024);
    if (maxText > maxFrame) {
      throw new ConfigException("WEFT_MAX_TEXT_BYTES=" + maxText + " exceeds WEFT_MAX_FRAME_BYTES=" + maxFrame);
    }
    int pingInterval = env.integer("WEFT_PING_INTERVAL_MS", 20_000, 50, 3_600_000);
    int idleTimeout = env.integer("WEFT_IDLE_TIMEOUT_MS", 60_000, 100, 86_400_000);
    if (idleTimeout <= pingInterval) {
      throw new ConfigException("WEFT_IDLE_TIMEOUT_MS=" + idleTimeout + " must exceed WEFT_PING_INTERVAL_MS=" + pingInterval
          + ": a client needs at least one ping to answer");
    }
    JwtSettings jwt = JwtSettings.from(env);
    int sendRate = env.integer("WEFT_SEND_RATE", 200, 1, 1_000_000);
    int sendBurst = env.integer("WEFT_SEND_BURST", 400, 1, 1_000_000);
    return new GatewayConfig(
        KafkaSettings.from(env),
        jwt,
        gatewayId,
        env.integer("WEFT_HTTP_PORT", 8080, 0, 65535),
        persisterUrl.replaceAll("/+$", ""),
        maxFrame,
        maxText,
        env.integer("WEFT_WS_COMPRESSION", 0, 0, 1) == 1,
        env.integer("WEFT_EVENT_LOOPS", Runtime.getRuntime().availableProcessors(), 1, 256),
        env.integer("WEFT_PUBLISH_QUEUE_MAX", 10_000, 1, 10_000_000),
        sendRate,
        sendBurst,
        env.integer("WEFT_SOCKET_WRITE_QUEUE_BYTES", 1024 * 1024, 1024, 1024 * 1024 * 1024),
        pingInterval,
        idleTimeout,
        env.integer("WEFT_GATEWAY_HEARTBEAT_MS", 5_000, 50, 600_000),
        CatchUpSettings.from(env),
        env.integer("WEFT_GROUP_MAX_MEMBERS", 1024, 2, 5_000),
        env.integer("WEFT_MAX_CONNECTIONS_PER_USER", 20, 1, 100_000),
        SignalSettings.from(env),
        QuotaSettings.from(env),
        LookupSettings.from(env),
        DrainSettings.from(env),
        DemoSettings.from(env, jwt),
        OriginSettings.from(env),
        AbuseLimits.from(env, sendRate, sendBurst),
        env.integer("WEFT_GATEWAY_OPS_PORT", DevDefaults.GATEWAY_OPS_PORT, 0, 65535),
        InternalSecret.from(env),
        env.integer("WEFT_PERSISTER_CONNECTIONS", 32, 1, 10_000),
        dev.weft.common.PushSettings.from(env),
        ServerApiSettings.from(env),
        ContentSettings.from(env));
  }

  /** A copy listening on another port (the application resolves port 0 to a concrete free port). */
  public GatewayConfig withHttpPort(int port) {
    return new GatewayConfig(kafka, jwt, gatewayId, port, persisterUrl, maxFrameBytes, maxTextBytes,
        webSocketCompression, eventLoops,
        publishQueueMax, sendRatePerSecond, sendBurst, writeQueueMaxBytes, pingIntervalMs, idleTimeoutMs, heartbeatMs,
        catchUp, groupMaxMembers, maxConnectionsPerUser, signals, quotas, lookups, drain, demo, origins, abuse, opsPort,
        internalSecret, persisterConnections, push, serverApi, content);
  }

  /** A copy whose server API listens on another port. */
  public GatewayConfig withServerApi(ServerApiSettings serverApi) {
    return new GatewayConfig(kafka, jwt, gatewayId, httpPort, persisterUrl, maxFrameBytes, maxTextBytes,
        webSocketCompression, eventLoops,
        publishQueueMax, sendRatePerSecond, sendBurst, writeQueueMaxBytes, pingIntervalMs, idleTimeoutMs, heartbeatMs,
        catchUp, groupMaxMembers, maxConnectionsPerUser, signals, quotas, lookups, drain, demo, origins, abuse, opsPort,
        internalSecret, persisterConnections, push, serverApi, content);
  }
}
