package dev.weft.gateway;

import dev.weft.common.Deadlines;
import dev.weft.common.FreePorts;
import dev.weft.common.JwksKeys;
import dev.weft.common.TopicCreator;
import dev.weft.common.Tokens;
import dev.weft.common.groups.GroupDirectory;
import dev.weft.gateway.config.GatewayConfig;
import dev.weft.common.ops.Metrics;
import dev.weft.common.ops.OpsServer;
import dev.weft.gateway.groups.LoadedUsers;
import dev.weft.gateway.groups.Memberships;
import dev.weft.gateway.groups.UserGroups;
import dev.weft.gateway.http.PersisterGroups;
import dev.weft.gateway.http.PersisterPresence;
import dev.weft.gateway.ops.GatewayMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import dev.weft.gateway.presence.PresenceAccess;
import dev.weft.gateway.presence.PresenceDirectory;
import dev.weft.gateway.ws.PresenceHub;
import dev.weft.gateway.http.CatchUpReads;
import dev.weft.gateway.http.ConversationsRoute;
import dev.weft.gateway.http.DemoRoutes;
import dev.weft.gateway.http.DirectPartners;
import dev.weft.gateway.http.HistoryRoute;
import dev.weft.gateway.http.OriginalAcks;
import dev.weft.gateway.http.PersisterClient;
import dev.weft.gateway.kafka.DeliveryConsumer;
import dev.weft.gateway.kafka.HeartbeatPublisher;
import dev.weft.gateway.kafka.KafkaPublisher;
import dev.weft.gateway.ws.DeliveryDispatcher;
import dev.weft.gateway.ws.LocalSessions;
import dev.weft.gateway.ws.WebSocketEndpoint;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires a gateway: topics, the Kafka producer, the delivery consumer, and the HTTP/WebSocket
 * verticles. {@link #close()} undoes {@link #start} in reverse.
 */
public final class GatewayApplication implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GatewayApplication.class);

  private final GatewayConfig config;
  private final Vertx vertx;
  private final KafkaPublisher publisher;
  private final DeliveryConsumer deliveries;
  private final WebSocketEndpoint webSocket;
  private final LocalSessions sessions;
  private final HeartbeatPublisher heartbeat;
  private final GroupDirectory groups;
  private final PresenceDirectory presence;
  private final GatewayMetrics metrics;
  private JwksKeys jwks;
  private dev.weft.gateway.control.ControlOrders control;
  /** -1 when the server API is off. */
  private int serverApiPort = -1;
  private dev.weft.gateway.server.ServerApiVerticle serverApi;
  /** Metrics and probes, apart from the public port: set once the verticles listen. */
  private OpsServer ops;
  private boolean closed;

  private GatewayApplication(GatewayConfig config, Vertx vertx, KafkaPublisher publisher, DeliveryConsumer deliveries,
      WebSocketEndpoint webSocket, LocalSessions sessions, HeartbeatPublisher heartbeat, GroupDirectory groups,
      PresenceDirectory presence, GatewayMetrics metrics) {
    this.metrics = metrics;
    this.groups = groups;
    this.presence = presence;
    this.heartbeat = heartbeat;
    this.config = config;
    this.vertx = vertx;
    this.publisher = publisher;
    this.deliveries = deliveries;
    this.webSocket = webSocket;
    this.sessions = sessions;
  }

  /** Starts a gateway and returns once it accepts connections. Blocking. */
  public static GatewayApplication start(GatewayConfig requested) {
    GatewayConfig config = requested.httpPort() == 0 ? requested.withHttpPort(FreePorts.pick()) : requested;
    // First, and blocking: a gateway that cannot read its identity provider's keys could verify no token.
    JwksKeys jwks = config.jwt().jwks() == null ? null : JwksKeys.start(config.jwt().jwks());
    TopicCreator topics = new TopicCreator(config.kafka());
    topics.ensure(List.of(topics.inbound(), topics.receipts(), topics.sessions(), topics.gateways(),
        topics.deliveries(config.gatewayId()), topics.groups(), topics.typing(), topics.push(),
        topics.control()));
    TopicCreator.Identity inbound = topics.identify(config.kafka().topics().inbound());

    KafkaPublisher publisher = new KafkaPublisher(config.kafka(), "weft-gateway-" + config.gatewayId(), config.publishQueueMax());
    publisher.warmUp(config.kafka().topics().inbound());
    publisher.warmUp(config.kafka().topics().sessions());
    publisher.warmUp(config.kafka().topics().gateways());
    publisher.warmUp(config.kafka().topics().receipts());
    publisher.warmUp(config.kafka().topics().typing());
    GroupDirectory groups = new GroupDirectory(config.kafka(), "weft-gateway-" + config.gatewayId() + "-groups");
    UserGroups userGroups = new UserGroups();
    groups.onChange(userGroups);
    LocalSessions sessions = new LocalSessions();
    PrometheusMeterRegistry registry = Metrics.create("gateway", config.gatewayId());
    GatewayMetrics metrics = new GatewayMetrics(registry, sessions::size);
    metrics.bindGroupDirectory(groups);
    publisher.bindMetrics(registry);
    DeliveryConsumer deliveries = new DeliveryConsumer(config.kafka(), config.gatewayId(), new DeliveryDispatcher(sessions, metrics, config.push()), groups,
        registry);
    deliveries.bindMetrics(registry);

    // Vert.x's own meters (event loops, HTTP, WebSockets) in the same registry.
    Vertx vertx = Vertx.builder().with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry)).build();
    // A revocation matters while a token issued before it may live: the maximum lifetime, and the skew allowed.
    dev.weft.gateway.control.RevokedTokens revoked = new dev.weft.gateway.control.RevokedTokens(
        config.jwt().maxLifetime().toMillis() + 10_000, System::currentTimeMillis);
    Tokens tokens = new Tokens(config.jwt(), Clock.systemUTC(), jwks, revoked);
    dev.weft.gateway.control.ControlOrders control = new dev.weft.gateway.control.ControlOrders(config.kafka(),
        "weft-gateway-" + config.gatewayId() + "-control", revoked);
    if (jwks != null) {
      jwks.bindMetrics(registry);
    }
    PersisterClient persister = new PersisterClient(
        WebClient.create(vertx, new io.vertx.ext.web.client.WebClientOptions(),
            new io.vertx.core.http.PoolOptions().setHttp1MaxSize(config.persisterConnections())),
        config.persisterUrl(), config.internalSecret());
    // A gateway holds the groups of its users only: loaded from the persister as each connects, followed on the groups
    // topic from now on (LoadedUsers).
    // Presence of the users its clients follow only: loaded from the persister as the first follows, followed on the
    // sessions topic from now on.
    PresenceDirectory presenceDirectory = new PresenceDirectory(config.kafka(),
        "weft-gateway-" + config.gatewayId() + "-presence", new PersisterPresence(persister, vertx));
    presenceDirectory.start(Duration.ofSeconds(60));
    PersisterGroups persisterGroups = new PersisterGroups(persister, vertx);
    LoadedUsers loadedUsers = new LoadedUsers(groups, userGroups, persisterGroups, groups::onReaderThread);
    groups.retainOnly(loadedUsers);
    groups.startFollowing(Duration.ofSeconds(60));
    deliveries.start(); // after: it asks the directory to catch up before a group event
    metrics.bindLoadedUsers(loadedUsers, groups);
    metrics.bindPresence(presenceDirectory::followedUsers);
    Memberships memberships = new Memberships(groups, userGroups, loadedUsers, persisterGroups, config.lookups(), metrics,
        System::nanoTime);
    PresenceHub presence = new PresenceHub(presenceDirectory, new PresenceAccess(config.signals().presencePolicy(),
        memberships, new DirectPartners(persister)));
    dev.weft.gateway.abuse.ClientAddress addresses = new dev.weft.gateway.abuse.ClientAddress(config.abuse().trustedProxies());
    dev.weft.gateway.abuse.HttpRequestLimit httpLimit = new dev.weft.gateway.abuse.HttpRequestLimit(config.abuse(), addresses,
        System::nanoTime, registry);
    WebSocketEndpoint webSocket = new WebSocketEndpoint(config, tokens, publisher, sessions, Clock.systemUTC(),
        new OriginalAcks(persister), new dev.weft.gateway.http.PersisterMessages(persister, vertx),
        new dev.weft.gateway.http.PersisterBlocks(persister, vertx),
        new CatchUpReads(persister), inbound, memberships, presence, metrics, addresses,
        config.push().enabled() ? new dev.weft.gateway.push.PushNotices(publisher, config.kafka().topics().push(),
            config.push(), registry) : null);
    HistoryRoute history = new HistoryRoute(tokens, persister, memberships, httpLimit);
    presenceDirectory.onRetracted(webSocket::retractedElsewhere);
    control.onOrders(new dev.weft.gateway.control.ControlOrders.Sockets() {
      @Override
      public void disconnect(String user, String device, long beforeMs) {
        webSocket.disconnect(user, device, beforeMs);
      }

      @Override
      public void revoked(String user, long beforeMs) {
        webSocket.revoked(user, beforeMs);
      }
    });
    // Before the first socket: a revoked token is refused from the start.
    control.start(Duration.ofSeconds(60));
    HeartbeatPublisher heartbeat = new HeartbeatPublisher(publisher, vertx.getOrCreateContext(),
        config.kafka().topics().gateways(), config.gatewayId(), sessions::size);
    GatewayApplication app = new GatewayApplication(config, vertx, publisher, deliveries, webSocket, sessions, heartbeat,
        groups, presenceDirectory, metrics);
    app.jwks = jwks;
    app.control = control;
    long heartbeatMs = config.heartbeatMs();
    java.util.function.BooleanSupplier ready = () -> !metrics.draining() && heartbeat.kafkaAnsweredWithin(3 * heartbeatMs + 5_000);
    ConversationsRoute conversations = new ConversationsRoute(tokens, persister, httpLimit);
    DemoRoutes demo = new DemoRoutes(config.demo(), tokens);
    try {
      vertx.deployVerticle(() -> new GatewayVerticle(config, webSocket, history, conversations, metrics, ready, demo),
              new DeploymentOptions().setInstances(config.eventLoops()))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      app.close();
      throw new IllegalStateException("gateway could not listen on port " + config.httpPort() + ": " + e.getMessage(), e);
    }
    if (config.serverApi().enabled()) {
      dev.weft.gateway.server.ServerApiVerticle serverApi = dev.weft.gateway.server.ServerApi.verticle(config, publisher,
          persister, persisterGroups, new PersisterPresence(persister, vertx), Clock.systemUTC(), vertx);
      try {
        vertx.deployVerticle(serverApi).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        app.serverApiPort = serverApi.port();
        app.serverApi = serverApi;
      } catch (Exception e) {
        app.close();
        throw new IllegalStateException("the server API could not listen on port " + config.serverApi().port() + ": "
            + e.getMessage(), e);
      }
    }
    try {
      app.ops = OpsServer.start(config.opsPort(), registry,
          () -> new OpsServer.Readiness(ready.getAsBoolean() && deliveries.running(),
              java.util.Map.of("draining", metrics.draining(), "deliveries", deliveries.running())));
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
    heartbeat.start(config.heartbeatMs());
    log.info("gateway {} listening on port {}; metrics and probes on port {}{}", config.gatewayId(), config.httpPort(),
        app.ops.port(), app.serverApiPort < 0 ? "" : "; server API on port " + app.serverApiPort);
    return app;
  }

  public int httpPort() {
    return config.httpPort();
  }

  /** The server API's routes ("METHOD /path/{param}"), or none when it is off. */
  public List<String> serverApiRoutes() {
    return serverApi == null ? List.of() : serverApi.routes();
  }

  /** The server API's port, or -1 when it is off (no WEFT_SERVER_API_KEYS). */
  public int serverApiPort() {
    return serverApiPort;
  }

  /** The port of /metrics and the probes (the chosen one when configured with 0). */
  public int opsPort() {
    return ops.port();
  }

  public String gatewayId() {
    return config.gatewayId();
  }

  public int connections() {
    return sessions.size();
  }

  /** The most characters ever queued (or held during catch-up) for one socket: bounded by WEFT_SOCKET_WRITE_QUEUE_BYTES. */
  public long peakSocketQueue() {
    return sessions.queuePeak().get();
  }

  /**
   * Leaves gracefully: stops being ready and refuses new sockets, asks each client to reconnect elsewhere (1012) at a
   * random moment within the drain period, then closes. Returns once closed, within the drain deadline. Blocking.
   */
  public void drainAndClose() {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(config.drain().deadlineMs());
    metrics.draining(true);
    log.info("gateway {} draining {} connections over {} ms", config.gatewayId(), sessions.size(), config.drain().periodMs());
    long flushMs = Math.max(1_000, config.drain().deadlineMs() - config.drain().periodMs());
    Deadlines.awaitQuietly(webSocket.drain(config.drain().periodMs()).toCompletionStage(),
        Duration.ofMillis(config.drain().periodMs() + flushMs / 2), log, "asking clients to reconnect elsewhere");
    close();
    if (System.nanoTime() > deadline) {
      log.warn("gateway {} took longer than WEFT_DRAIN_DEADLINE_MS to drain", config.gatewayId());
    }
  }

  /** Stops accepting, closes every socket (1001) and retracts its session, then flushes and closes Kafka clients. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (ops != null) {
      ops.close();
    }
    Deadlines.awaitQuietly(webSocket.closeAll().toCompletionStage(), Duration.ofSeconds(15), log, "retracting every session");
    Deadlines.awaitQuietly(heartbeat.stop().toCompletionStage(), Duration.ofSeconds(5), log, "saying goodbye to the routers");
    Deadlines.awaitQuietly(vertx.close().toCompletionStage(), Duration.ofSeconds(15), log, "closing Vert.x");
    deliveries.close();
    groups.close();
    presence.close();
    if (control != null) {
      control.close();
    }
    publisher.close();
    if (jwks != null) {
      jwks.close();
    }
    log.info("gateway {} stopped", config.gatewayId());
  }

}
