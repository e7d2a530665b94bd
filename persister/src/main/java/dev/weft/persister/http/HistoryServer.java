package dev.weft.persister.http;

import dev.weft.common.InternalSecret;
import dev.weft.common.LogSafe;
import dev.weft.persister.db.MessageStore;
import dev.weft.persister.db.ReceiptStore;
import dev.weft.persister.db.StoredMessage;
import dev.weft.persister.kafka.PersistedBarrier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persister's internal HTTP API: what gateways read. Nothing else listens here: metrics and probes are on the ops
 * port ({@link dev.weft.common.ops.OpsServer}).
 *
 * <p>Routes: {@code GET /internal/v1/conversations/:conv/messages} (a history page),
 * {@code GET /internal/v1/refs} (find a resend's original), {@code GET /internal/v1/users/:user/catchup},
 * {@code /recent}, {@code /conversations} and {@code /partners} (see {@link CatchUpRoutes}),
 * {@code POST /internal/v1/groups-of} and {@code POST /internal/v1/group-counts} (see {@link GroupRoutes}),
 * {@code POST /internal/v1/presence-of} (see {@link PresenceRoutes}). Errors are JSON {@code {"code", "message"}}:
 * {@code unauthorized} (401: no or a wrong {@code Weft-Internal-Secret}, see {@link InternalAuth}), {@code bad_request}
 * (400), {@code busy} (503: the barrier pool is full) or {@code unavailable} (503).
 *
 * <p>The routes trust their caller about who the user is: gateways check the client's token and membership before
 * they ask, and prove they are gateways with the internal secret. JDBC runs on a bounded worker pool, never on the
 * event loop.
 */
public final class HistoryServer {

  private static final Logger log = LoggerFactory.getLogger(HistoryServer.class);

  private final Vertx vertx;
  private final MessageStore store;
  private final WorkerExecutor jdbc;
  private final int maxLimit;
  private final PersistedBarrier barrier;
  private final CatchUpRoutes catchUp;
  private final GroupRoutes groups;
  private final PresenceRoutes presence;
  private final BarrierPool barriers;
  private HttpServer server;

  private final InternalAuth auth;

  public HistoryServer(Vertx vertx, MessageStore store, int jdbcThreads, int maxLimit, PersistedBarrier barrier,
      dev.weft.persister.config.BarrierSettings barrierSettings, InternalSecret secret,
      io.micrometer.core.instrument.MeterRegistry registry) {
    this.barrier = barrier;
    this.barriers = new BarrierPool(vertx, barrierSettings, registry);
    this.vertx = vertx;
    this.store = store;
    this.jdbc = vertx.createSharedWorkerExecutor("weft-jdbc", jdbcThreads);
    this.maxLimit = maxLimit;
    this.catchUp = new CatchUpRoutes(store, jdbc, barriers, barrier, maxLimit);
    this.groups = new GroupRoutes(store, jdbc, barriers, barrier);
    this.presence = new PresenceRoutes(store, jdbc, barriers, barrier);
    this.auth = new InternalAuth(secret, registry);
  }

  public Future<HttpServer> listen(int port) {
    Router router = Router.router(vertx);
    // Before every route, so no handler ever runs for a caller without the secret.
    router.route("/internal/*").handler(auth);
    router.get("/internal/v1/conversations/:conv/messages").handler(this::history);
    router.get("/internal/v1/refs").handler(this::byRef);
    router.get("/internal/v1/conversations/:conv/messages/:id").handler(this::byId);
    catchUp.mount(router);
    groups.mount(router);
    presence.mount(router);
    return vertx.createHttpServer().requestHandler(router).listen(port).onSuccess(s -> server = s);
  }

  private void history(RoutingContext ctx) {
    String conv = ctx.pathParam("conv");
    long after;
    int limit;
    try {
      after = Long.parseLong(ctx.request().getParam("after", "-1"));
      limit = Integer.parseInt(ctx.request().getParam("limit", "50"));
    } catch (NumberFormatException e) {
      badRequest(ctx, "after must be an integer and limit a positive integer");
      return;
    }
    if (limit < 1) {
      badRequest(ctx, "limit must be at least 1");
      return;
    }
    int capped = Math.min(limit, maxLimit);
    jdbc.executeBlocking(() -> {
      List<dev.weft.persister.db.StoredMessage> page = store.page(conv, after, capped);
      JsonArray messages = toJson(page);
      withReactions(messages, store.reactions(conv, page.stream()
          .filter(m -> m.event() == null && m.action() == null && !m.deleted()).map(m -> m.id()).toList()));
      return new JsonObject().put("messages", messages).put("receipts", positions(store.receipts().of(conv)));
    }, false)
        .onSuccess(ctx::json)
        .onFailure(e -> {
          log.warn("history read of {} failed: {}", LogSafe.of(conv), e.toString());
          ctx.response().setStatusCode(503).putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("code", "unavailable").put("message", "the database cannot be read now").encode());
        });
  }

  /** Each message of the page with reactions gets them: {@code "reactions": {"<emoji>": ["<user>", ...]}}. */
  private static void withReactions(JsonArray messages, java.util.Map<String, java.util.Map<String, List<String>>> byId) {
    for (int i = 0; i < messages.size(); i++) {
      JsonObject m = messages.getJsonObject(i);
      java.util.Map<String, List<String>> r = byId.get(m.getString("id"));
      if (r != null && "msg".equals(m.getString("op"))) {
        JsonObject reactions = new JsonObject();
        r.forEach((emoji, users) -> reactions.put(emoji, new JsonArray(users)));
        m.put("reactions", reactions);
      }
    }
  }

  /**
   * {@code GET /internal/v1/conversations/<conv>/messages/<id>}: {@code {"from", "op", "deleted"}} of one entry, once
   * everything Kafka holds in the conversation's partition is stored (so a message acked before the call is found);
   * 404 {@code no_such_message}. What a gateway checks an edit, a delete or a reaction against.
   */
  private void byId(RoutingContext ctx) {
    String conv = ctx.pathParam("conv");
    String id = ctx.pathParam("id");
    caughtUp(conv).compose(caughtUp -> jdbc.executeBlocking(() -> store.byId(conv, id), false))
        .onSuccess(found -> {
          if (found.isEmpty()) {
            ctx.response().setStatusCode(404).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("code", "no_such_message").put("message", "no such message").encode());
            return;
          }
          dev.weft.persister.db.StoredMessage m = found.get();
          ctx.json(new JsonObject().put("from", m.from()).put("op", message(m).getString("op")).put("deleted", m.deleted()));
        })
        .onFailure(e -> {
          if (e instanceof BarrierPool.Full) {
            busy(ctx);
            return;
          }
          log.warn("message lookup in {} failed: {}", LogSafe.of(conv), e.toString());
          ctx.response().setStatusCode(503).putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("code", "unavailable").put("message", "cannot read the message now").encode());
        });
  }

  /**
   * {@code GET /internal/v1/refs?user=&ref=&conv=}: the first message {@code user} stored under {@code ref}.
   * It first waits until everything Kafka holds in the conversation's partition is stored, so "not
   * found" means the original never reached Kafka. Gateways ask only for sends marked as resends.
   */
  private void byRef(RoutingContext ctx) {
    String user = ctx.request().getParam("user");
    String ref = ctx.request().getParam("ref");
    String conv = ctx.request().getParam("conv");
    if (user == null || ref == null || conv == null) {
      badRequest(ctx, "user, ref and conv are required");
      return;
    }
    caughtUp(conv).compose(caughtUp -> jdbc.executeBlocking(() -> store.byRef(user, ref), false))
        .onSuccess(found -> ctx.json(found
            .map(m -> new JsonObject().put("found", true).put("conv", m.conv()).put("seq", m.seq()).put("id", m.id())
                .put("ts", m.ts()))
            .orElse(new JsonObject().put("found", false))))
        .onFailure(e -> {
          if (e instanceof BarrierPool.Full) {
            busy(ctx);
            return;
          }
          log.warn("ref lookup for {} failed: {}", LogSafe.of(user), e.toString());
          ctx.response().setStatusCode(503).putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("code", "unavailable").put("message", "cannot tell whether it was stored").encode());
        });
  }

  /**
   * Completes once everything Kafka holds in the conversation's partition is stored, on the barrier pool (it fails
   * with {@link BarrierPool.Full} when that is full, and when the store does not catch up within 5 s).
   */
  private Future<Boolean> caughtUp(String conv) {
    return barriers.run(() -> {
      if (!barrier.await(conv, java.time.Duration.ofSeconds(5))) {
        throw new IllegalStateException("history is behind Kafka for " + LogSafe.of(conv));
      }
      return true;
    });
  }

  private static JsonArray positions(List<ReceiptStore.Position> positions) {
    JsonArray out = new JsonArray();
    for (ReceiptStore.Position p : positions) {
      out.add(new JsonObject().put("user", p.member()).put("delivered", p.delivered()).put("read", p.read()));
    }
    return out;
  }

  private static JsonArray toJson(List<StoredMessage> rows) {
    JsonArray out = new JsonArray();
    for (StoredMessage m : rows) {
      out.add(message(m));
    }
    return out;
  }

  /** A row as every route returns it: the shape of a live {@code msg} frame, or of an {@code event} frame. */
  static JsonObject message(StoredMessage m) {
    if (m.event() != null) {
      return new JsonObject().put("op", "event").put("conv", m.conv()).put("seq", m.seq()).put("id", m.id())
          .put("from", m.from()).put("ts", m.ts()).mergeIn(new JsonObject(m.event()));
    }
    if (m.action() != null) {
      // {"op":"edit"|"delete"|"react","target":...,"emoji":...} first, as the live frame has it; an edit's text.
      JsonObject o = new JsonObject(m.action()).put("conv", m.conv()).put("seq", m.seq()).put("id", m.id())
          .put("from", m.from()).put("ts", m.ts());
      return "edit".equals(o.getString("op")) ? o.put("text", m.text()) : o;
    }
    JsonObject o = new JsonObject().put("op", "msg").put("conv", m.conv()).put("seq", m.seq()).put("id", m.id())
        .put("from", m.from()).put("ts", m.ts()).put("text", m.text());
    if (m.content() != null) {
      o.mergeIn(new JsonObject(m.content()));
    }
    if (m.edited()) {
      o.put("edited", true);
    }
    if (m.deleted()) {
      o.put("deleted", true);
    }
    return o;
  }

  /** 503 {@code busy}: the barrier pool is full (WEFT_BARRIER_CONCURRENCY, WEFT_BARRIER_QUEUE_MAX); retry later. */
  static void busy(RoutingContext ctx) {
    ctx.response().setStatusCode(503).putHeader("Content-Type", "application/json").putHeader("Retry-After", "1")
        .end(new JsonObject().put("code", "busy").put("message", "too many catch-ups at once; retry later").encode());
  }

  static void badRequest(RoutingContext ctx, String message) {
    ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("code", "bad_request").put("message", message).encode());
  }

  public Future<Void> close() {
    Future<Void> closing = server == null ? Future.succeededFuture() : server.close();
    return closing.eventually(() -> barriers.close()).eventually(() -> jdbc.close());
  }
}
