package dev.weft.persister;

import dev.weft.common.Deadlines;
import dev.weft.common.TopicCreator;
import dev.weft.common.ops.Metrics;
import dev.weft.common.ops.OpsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.weft.persister.config.PersisterConfig;
import dev.weft.persister.db.MessageStore;
import dev.weft.persister.db.TopicIdentity;
import dev.weft.persister.http.HistoryServer;
import dev.weft.common.DeadLetters;
import dev.weft.persister.kafka.InboundPersister;
import dev.weft.persister.kafka.PersistedBarrier;
import dev.weft.persister.kafka.ReceiptPersister;
import dev.weft.persister.kafka.SessionsPersister;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires a persister: schema migration, the inbound writer, the internal HTTP server. {@link #close()} undoes it in reverse. */
public final class PersisterApplication implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PersisterApplication.class);

  private final MessageStore store;
  private final InboundPersister writer;
  private final ReceiptPersister receiptWriter;
  private final SessionsPersister sessionsWriter;
  /** Set once started; the server API's erasures. */
  private dev.weft.persister.kafka.ErasurePersister erasures;
  private final DeadLetters deadLetters;
  private final Vertx vertx;
  private final HistoryServer http;
  private final int httpPort;
  private final OpsServer ops;
  private final PersistedBarrier barrier;
  private boolean closed;

  private PersisterApplication(MessageStore store, InboundPersister writer, ReceiptPersister receiptWriter,
      SessionsPersister sessionsWriter, DeadLetters deadLetters, Vertx vertx, HistoryServer http, int httpPort, OpsServer ops, PersistedBarrier barrier) {
    this.ops = ops;
    this.deadLetters = deadLetters;
    this.barrier = barrier;
    this.store = store;
    this.writer = writer;
    this.receiptWriter = receiptWriter;
    this.sessionsWriter = sessionsWriter;
    this.vertx = vertx;
    this.http = http;
    this.httpPort = httpPort;
  }

  /** Starts a persister; returns once migrations ran, the consumer runs and HTTP listens. Blocking. */
  public static PersisterApplication start(PersisterConfig config) {
    TopicCreator topics = new TopicCreator(config.kafka());
    topics.ensure(List.of(topics.inbound(), topics.receipts(), topics.sessions(), topics.deadLetters(),
        topics.control()));
    MessageStore store = MessageStore.open(config);
    try {
      String inbound = config.kafka().topics().inbound();
      store.topicIdentity().claim(inbound, topics.identify(inbound));
    } catch (java.sql.SQLException | RuntimeException e) {
      store.close();
      if (e instanceof TopicIdentity.Mismatch m) {
        throw m;
      }
      throw new IllegalStateException("cannot check which inbound topic the history belongs to: " + e.getMessage(), e);
    }
    PrometheusMeterRegistry registry = Metrics.create("persister", config.group());
    InboundPersister writer;
    PersistedBarrier barrier;
    try {
      barrier = new PersistedBarrier(config);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    ReceiptPersister receiptWriter;
    SessionsPersister sessionsWriter;
    dev.weft.persister.kafka.ErasurePersister erasures = null;
    DeadLetters deadLetters = null;
    try {
      deadLetters = new DeadLetters(config.kafka(), "persister", "weft-persister-deadletters", config.group(), registry);
      writer = new InboundPersister(config, store, deadLetters, registry);
      // Its loop logs an error no retry cures; readiness then fails ("receipts").
      receiptWriter = new ReceiptPersister(config, store.receipts(), registry, e -> {});
      sessionsWriter = new SessionsPersister(config, store.sessions(), registry, e -> {}); // readiness: "sessions"
    } catch (RuntimeException e) {
      if (deadLetters != null) {
        deadLetters.close();
      }
      barrier.close();
      store.close();
      throw e;
    }
    Vertx vertx = Vertx.vertx();
    HistoryServer http = new HistoryServer(vertx, store, config.dbPoolSize(), config.historyMaxLimit(), barrier,
        config.barriers(), config.internalSecret(), registry);
    int port;
    OpsServer ops = null;
    try {
      writer.start();
      receiptWriter.start();
      sessionsWriter.start();
      erasures = new dev.weft.persister.kafka.ErasurePersister(config, store.erasures(), registry, e -> {});
      erasures.start();
      HttpServer server = http.listen(config.httpPort()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      port = server.actualPort();
      ReceiptPersister receipts = receiptWriter;
      SessionsPersister sessions = sessionsWriter;
      ops = OpsServer.start(config.opsPort(), registry, () -> readiness(store, writer, receipts, sessions));
    } catch (Exception e) {
      PersisterApplication failed = new PersisterApplication(store, writer, receiptWriter, sessionsWriter, deadLetters,
          vertx, http, 0, ops, barrier);
      failed.erasures = erasures;
      failed.close();
      throw new IllegalStateException("persister could not start: " + e.getMessage(), e);
    }
    log.info("persister writing {} (group {}) to {}; history on port {}, metrics and probes on port {}",
        config.kafka().topics().inbound(), config.group(), config.dbUrl(), port, ops.port());
    PersisterApplication app = new PersisterApplication(store, writer, receiptWriter, sessionsWriter, deadLetters, vertx,
        http, port, ops, barrier);
    app.erasures = erasures;
    return app;
  }

  /** Ready: the consumer polls and the database answers. Blocking; runs on the ops server's own threads. */
  private static OpsServer.Readiness readiness(MessageStore store, InboundPersister writer, ReceiptPersister receipts,
      SessionsPersister sessions) {
    boolean db = store.reachable();
    boolean kafka = writer.running();
    boolean receiptsRunning = receipts.running();
    boolean sessionsRunning = sessions.running();
    return new OpsServer.Readiness(db && kafka && receiptsRunning && sessionsRunning,
        java.util.Map.of("database", db, "consumer", kafka, "receipts", receiptsRunning, "sessions", sessionsRunning));
  }

  /** The port the internal HTTP server is bound to (the chosen one when configured with 0). */
  public int httpPort() {
    return httpPort;
  }

  /** The port of /metrics and the probes (the chosen one when configured with 0). */
  public int opsPort() {
    return ops.port();
  }

  /** Rows written since start (replays included). */
  public long persisted() {
    return writer.persisted();
  }

  /** Records dead-lettered since start: undecodable, or not fitting the messages table. */
  public long skipped() {
    return writer.skipped();
  }

  /** Partitions of the inbound topic this persister owns now (for tests of the group's behaviour). */
  int assignedPartitions() {
    return writer.assignedPartitions();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (ops != null) {
      ops.close();
    }
    Deadlines.awaitQuietly(http.close().toCompletionStage(), Duration.ofSeconds(10), log, "closing the HTTP server");
    writer.close();
    receiptWriter.close();
    sessionsWriter.close();
    if (erasures != null) {
      erasures.close();
    }
    deadLetters.close();
    Deadlines.awaitQuietly(vertx.close().toCompletionStage(), Duration.ofSeconds(10), log, "closing Vert.x");
    barrier.close();
    store.close();
  }
}
