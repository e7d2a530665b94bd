package dev.weft.router;

import dev.weft.common.DeadLetters;
import dev.weft.common.ServiceLifecycle;
import dev.weft.common.TopicCreator;
import dev.weft.common.groups.GroupDirectory;
import dev.weft.common.ops.Metrics;
import dev.weft.common.ops.OpsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One router: wires the session table and the inbound routing, and undoes it in reverse.
 *
 * <p>Two threads, each the sole owner of its Kafka consumer: {@code weft-router-sessions} follows the sessions
 * topic into the session table; {@code weft-router-inbound} routes the inbound topic, reading that table.
 * No Vert.x: the router does no I/O but Kafka's.
 *
 * <pre>{@code
 * try (RouterApplication router = RouterApplication.start(RouterConfig.from(Env.system()))) { ... }
 * }</pre>
 */
public final class RouterApplication implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RouterApplication.class);

  private final RouterConfig config;
  private final SessionTable table;
  private final OpsServer ops;
  private final ServiceLifecycle lifecycle;
  private final AtomicBoolean closed = new AtomicBoolean();

  private final GroupDirectory groups;
  private final InboundRouter inbound;

  private RouterApplication(RouterConfig config, SessionTable table, OpsServer ops, ServiceLifecycle lifecycle,
      GroupDirectory groups, InboundRouter inbound) {
    this.groups = groups;
    this.inbound = inbound;
    this.config = config;
    this.table = table;
    this.ops = ops;
    this.lifecycle = lifecycle;
  }

  /**
   * Starts a router; returns once it is ready: the inbound and sessions topics exist, and the session table
   * holds every session announced before the start. Routing starts last, so it never sees a half-loaded table; each
   * inbound partition assigned to it is routed once its groups are loaded.
   *
   * @throws IllegalStateException when Kafka cannot be reached, or the table does not load within
   *     {@link RouterConfig#startTimeout()}; nothing is left running then
   */
  public static RouterApplication start(RouterConfig config) {
    return start(config, e -> {});
  }

  /**
   * As {@link #start(RouterConfig)}, and {@code onFatal} hears of an error no retry cures (credentials, ACLs), after
   * the loop that met it has logged it and stopped, and the router has turned not ready. {@link RouterMain} exits.
   */
  public static RouterApplication start(RouterConfig config, java.util.function.Consumer<Throwable> onFatal) {
    TopicCreator creator = new TopicCreator(config.kafka());
    creator.ensure(List.of(creator.inbound(), creator.receipts(), creator.sessions(), creator.gateways(), creator.groups(),
        creator.typing(), creator.metadata(), creator.push(), creator.deadLetters()));
    // Stopped in reverse, routing first: the batch in hand is finished and committed before the group is left.
    ServiceLifecycle lifecycle = new ServiceLifecycle("router " + config.routerId(), config.shutdownTimeout());
    lifecycle.starting("checking that the groups topic is partitioned like the inbound one", () -> {
      requireCoPartitioned(creator, config);
      return null;
    });
    // Empty until the inbound consumer is assigned partitions: each is routed once its groups are loaded.
    GroupDirectory groups = lifecycle.started("groups",
        new GroupDirectory(config.kafka(), "weft-router-" + config.routerId() + "-groups"));
    groups.startSharded();

    PrometheusMeterRegistry registry = Metrics.create("router", config.routerId());
    SessionTable table = new SessionTable();
    io.micrometer.core.instrument.Gauge.builder("weft.router.sessions", table::sessionCount)
        .description("sessions the router knows of, across all gateways").register(registry);
    SessionTableReader sessions = lifecycle.started("sessions", new SessionTableReader(config, table));
    lifecycle.starting("loading the session table", () -> {
      sessions.start(config.startTimeout());
      return null;
    });

    DeadLetters deadLetters = lifecycle.started("dead letters", lifecycle.starting("connecting the dead-letter producer",
        () -> new DeadLetters(config.kafka(), "router", "weft-router-" + config.routerId() + "-deadletters",
            config.group(), registry)));
    InboundRouter inbound = lifecycle.started("inbound", lifecycle.starting("creating the inbound router",
        () -> new InboundRouter(config, table, Clock.systemUTC(), sessions, groups, deadLetters, registry)));
    inbound.start();
    ReceiptRouter receipts = lifecycle.started("receipts", lifecycle.starting("creating the receipt router",
        () -> new ReceiptRouter(config, table, sessions, registry, onFatal)));
    receipts.start();
    TypingRouter typing = lifecycle.started("typing", lifecycle.starting("creating the typing router",
        () -> new TypingRouter(config, table, Clock.systemUTC(), registry, onFatal)));
    typing.start();
    OpsServer ops = lifecycle.started("ops", lifecycle.starting("starting the ops server",
        () -> OpsServer.start(config.httpPort(), registry, () -> inbound.running() && receipts.running() && typing.running())));
    log.info("router {} ready: routing {} in group {}; metrics and probes on port {}", config.routerId(),
        config.kafka().topics().inbound(), config.group(), ops.port());
    return new RouterApplication(config, table, ops, lifecycle, groups, inbound);
  }

  /**
   * A router holds the groups of the inbound partitions it routes, and finds them at the same partition numbers of the
   * groups topic: both are keyed by conversation, so that holds only with as many partitions in both.
   */
  private static void requireCoPartitioned(TopicCreator creator, RouterConfig config) {
    String inbound = config.kafka().topics().inbound();
    String groups = config.kafka().topics().groups();
    int in = creator.identify(inbound).partitions();
    int gr = creator.identify(groups).partitions();
    if (in != gr) {
      throw new IllegalStateException(groups + " has " + gr + " partitions and " + inbound + " has " + in
          + "; they must have as many, so that a conversation's group is in the partition of its messages."
          + " With the routers stopped, ./weft topics regroup rebuilds it with " + in + " partitions, keeping every group"
          + " (docs/operations.md, \"Runbook: groups topic partitions\")");
    }
  }

  /** Port of /metrics and the probes. */
  public int opsPort() {
    return ops.port();
  }

  public RouterConfig config() {
    return config;
  }

  /** Live sessions the router knows of, across all gateways (an operational figure; a gauge later). */
  public int knownSessions() {
    return table.sessionCount();
  }

  /** Groups held here: those of the inbound partitions this router routes. */
  public int groupsHeld() {
    return groups.size();
  }

  /** True when this router holds the group (it routes the inbound partition of its id). */
  public boolean holdsGroup(String conv) {
    return groups.get(conv) != null;
  }

  /** Inbound partitions this router routes now: assigned to it, their groups loaded. */
  public java.util.Set<Integer> routedPartitions() {
    return inbound.routedPartitions();
  }

  /** Stops everything in reverse of its start, within WEFT_ROUTER_SHUTDOWN_TIMEOUT_MS. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    lifecycle.close();
    log.info("router {} stopped", config.routerId());
  }
}
