package dev.weft.router;

import dev.weft.common.DeadLetters;
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
  private final SessionTableReader sessions;
  private final InboundRouter inbound;
  private final DeadLetters deadLetters;
  private final SessionTable table;
  private final ReceiptRouter receipts;
  private final GroupDirectory groups;
  private final TypingRouter typing;
  private final OpsServer ops;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RouterApplication(RouterConfig config, SessionTableReader sessions, InboundRouter inbound,
      DeadLetters deadLetters, SessionTable table, ReceiptRouter receipts, GroupDirectory groups, TypingRouter typing,
      OpsServer ops) {
    this.deadLetters = deadLetters;
    this.ops = ops;
    this.groups = groups;
    this.typing = typing;
    this.receipts = receipts;
    this.config = config;
    this.sessions = sessions;
    this.inbound = inbound;
    this.table = table;
  }

  /**
   * Starts a router; returns once it is ready: the inbound and sessions topics exist, and the session table
   * holds every session announced before the start. Routing starts last, so it never sees a half-loaded table.
   *
   * @throws IllegalStateException when Kafka cannot be reached, or the table does not load within
   *     {@link RouterConfig#startTimeout()}; nothing is left running then
   */
  public static RouterApplication start(RouterConfig config) {
    TopicCreator creator = new TopicCreator(config.kafka());
    creator.ensure(List.of(creator.inbound(), creator.receipts(), creator.sessions(), creator.gateways(), creator.groups(),
        creator.typing(), creator.metadata(), creator.deadLetters()));
    GroupDirectory groups = new GroupDirectory(config.kafka(), "weft-router-" + config.routerId() + "-groups");
    try {
      groups.start(config.startTimeout());
    } catch (RuntimeException e) {
      groups.close();
      throw e;
    }

    PrometheusMeterRegistry registry = Metrics.create("router", config.routerId());
    SessionTable table = new SessionTable();
    io.micrometer.core.instrument.Gauge.builder("weft.router.sessions", table::sessionCount)
        .description("sessions the router knows of, across all gateways").register(registry);
    SessionTableReader sessions = new SessionTableReader(config, table);
    sessions.start();
    try {
      if (!sessions.awaitLoaded(config.startTimeout())) {
        Exception last = sessions.lastError();
        throw new IllegalStateException("the session table did not load from " + config.kafka().topics().sessions()
            + " within " + config.startTimeout() + (last != null ? "; last error: " + last : ""), last);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sessions.close();
      groups.close();
      throw new IllegalStateException("interrupted while loading the session table", e);
    } catch (RuntimeException e) {
      sessions.close();
      groups.close();
      throw e;
    }

    InboundRouter inbound;
    DeadLetters deadLetters = null;
    try {
      deadLetters = new DeadLetters(config.kafka(), "router", "weft-router-" + config.routerId() + "-deadletters",
          config.group(), registry);
      inbound = new InboundRouter(config, table, Clock.systemUTC(), sessions, groups, deadLetters, registry);
    } catch (RuntimeException e) {
      if (deadLetters != null) {
        deadLetters.close();
      }
      sessions.close();
      groups.close();
      throw e;
    }
    inbound.start();
    ReceiptRouter receipts = new ReceiptRouter(config, table, sessions);
    receipts.start();
    TypingRouter typing = new TypingRouter(config, table, Clock.systemUTC());
    typing.start();
    OpsServer ops;
    try {
      InboundRouter routing = inbound;
      ops = OpsServer.start(config.httpPort(), registry, routing::running);
    } catch (RuntimeException e) {
      typing.close();
      receipts.close();
      inbound.close();
      deadLetters.close();
      sessions.close();
      groups.close();
      throw e;
    }
    log.info("router {} ready: routing {} in group {}; metrics and probes on port {}", config.routerId(),
        config.kafka().topics().inbound(), config.group(), ops.port());
    return new RouterApplication(config, sessions, inbound, deadLetters, table, receipts, groups, typing, ops);
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

  /**
   * Stops in reverse: routing first (the batch in hand is finished and committed before leaving the group), then
   * the session table. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    typing.close();
    receipts.close();
    inbound.close();
    deadLetters.close();
    sessions.close();
    groups.close();
    ops.close();
    log.info("router {} stopped", config.routerId());
  }
}
