package dev.weft.persister.http;

import dev.weft.common.LogSafe;
import dev.weft.common.UserIds;
import dev.weft.persister.db.MessageStore;
import dev.weft.persister.db.ReceiptStore;
import dev.weft.persister.db.UserReads;
import dev.weft.persister.kafka.PersistedBarrier;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a gateway asks for when a device resumes: the user's messages after a cursor ({@code catchup}), or, for a
 * device with no cursor, the latest messages of its most recent conversations ({@code recent}).
 *
 * <p>A cursor is one position per inbound partition (seq is the record offset, so a user's whole stream is ordered
 * by (partition, seq)). Both reads first wait until the persisters stored everything Kafka holds (every inbound
 * partition; every receipts partition when receipts are asked for) and answer below those end offsets, returned as
 * {@code ends}: the next cursor once a catch-up is {@code complete}. {@code asOf}, the persister's clock after the
 * wait, is the {@code receiptsSince} of the next catch-up (receipts carry the persister's clock of their last write;
 * callers subtract a margin for clock skew between persister instances).
 *
 * <p>The wait runs on its own bounded pool ({@link BarrierPool}: 503 {@code busy} when full), JDBC on the database's
 * worker pool, never on the event loop. It trusts its caller to have checked who the user is: only a caller holding the
 * internal secret gets here ({@link InternalAuth}).
 */
final class CatchUpRoutes {

  private static final Logger log = LoggerFactory.getLogger(CatchUpRoutes.class);
  /** Longest wait for the persisters to catch up with Kafka, both barriers together; then 503. */
  private static final Duration BARRIER_TIMEOUT = Duration.ofSeconds(5);
  private static final int DEFAULT_LIMIT = 500;
  private static final int DEFAULT_PER_CONVERSATION = 20;
  private static final int DEFAULT_CONVERSATIONS = 50;
  private static final int MAX_CONVERSATIONS = 1000;
  /** Most users one partners request may name; gateways ask in chunks of at most this. */
  static final int MAX_PARTNERS = 500;

  /** A parameter that is missing or malformed: the caller gets 400 with this message. */
  private static final class BadRequest extends Exception {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  private final MessageStore store;
  private final WorkerExecutor jdbc;
  private final PersistedBarrier barrier;
  private final BarrierPool barriers;
  private final int maxLimit;

  CatchUpRoutes(MessageStore store, WorkerExecutor jdbc, BarrierPool barriers, PersistedBarrier barrier, int maxLimit) {
    this.barriers = barriers;
    this.store = store;
    this.jdbc = jdbc;
    this.barrier = barrier;
    this.maxLimit = maxLimit;
  }

  void mount(Router router) {
    router.get("/internal/v1/users/:user/catchup").handler(this::catchUp);
    router.get("/internal/v1/users/:user/recent").handler(this::recent);
    router.get("/internal/v1/users/:user/conversations").handler(this::conversations);
    router.get("/internal/v1/users/:user/partners").handler(this::partners);
  }

  /**
   * {@code GET /internal/v1/users/:user/partners?with=a&with=b...}: {@code {"partners":[...]}}, those of the named
   * users (at most {@link #MAX_PARTNERS}) with whom the user has a one-to-one conversation holding a stored message.
   * The gateway asks before it lets one follow the other's presence. Read as history stands; no barrier.
   */
  private void partners(RoutingContext ctx) {
    String user = ctx.pathParam("user");
    List<String> with = ctx.queryParam("with");
    try {
      user(user);
      if (with.isEmpty() || with.size() > MAX_PARTNERS || !with.stream().allMatch(UserIds::valid)) {
        throw new BadRequest("with must name 1 to " + MAX_PARTNERS + " user ids, one per parameter");
      }
    } catch (BadRequest e) {
      HistoryServer.badRequest(ctx, e.getMessage());
      return;
    }
    jdbc.executeBlocking(() -> new JsonObject().put("partners", new JsonArray(List.copyOf(store.userReads().partners(user, with)))),
        false).onSuccess(ctx::json).onFailure(e -> unavailable(ctx, "partners of " + user, e));
  }

  /**
   * {@code GET /internal/v1/users/:user/catchup?next=n0,...,nP-1&limit=L[&receiptsSince=ms]}: the user's messages with
   * {@code next[p] <= seq < ends[p]}, by partition then seq, at most L; {@code complete} when fewer than L came.
   */
  private void catchUp(RoutingContext ctx) {
    String user = ctx.pathParam("user");
    long[] next;
    int limit;
    Long since;
    try {
      user(user);
      next = cursor(ctx.request().getParam("next"));
      limit = Math.min(count(ctx, "limit", DEFAULT_LIMIT, 1), maxLimit);
      since = optionalLong(ctx, "receiptsSince");
    } catch (BadRequest e) {
      HistoryServer.badRequest(ctx, e.getMessage());
      return;
    }
    barriers.run(() -> awaitBarriers(since != null)).compose(b -> jdbc.executeBlocking(() -> {
      List<UserReads.Located> messages = store.userReads().catchUp(user, next, b.ends(), limit);
      List<ReceiptStore.Position> receipts = since == null ? List.of() : store.receipts().ofUserSince(user, since);
      return new JsonObject().put("messages", messages(messages)).put("complete", messages.size() < limit)
          .put("ends", ends(b.ends())).put("asOf", b.asOf()).put("receipts", receipts(receipts));
    }, false)).onSuccess(ctx::json).onFailure(e -> unavailable(ctx, "catch-up of " + user, e));
  }

  /**
   * {@code GET /internal/v1/users/:user/recent?perConversation=N&conversations=K}: the last N messages of each of the
   * user's K conversations with the latest messages, oldest conversation first, and every receipt of those.
   */
  private void recent(RoutingContext ctx) {
    String user = ctx.pathParam("user");
    int perConversation;
    int conversations;
    try {
      user(user);
      perConversation = Math.min(count(ctx, "perConversation", DEFAULT_PER_CONVERSATION, 0), maxLimit);
      conversations = Math.min(count(ctx, "conversations", DEFAULT_CONVERSATIONS, 0), MAX_CONVERSATIONS);
    } catch (BadRequest e) {
      HistoryServer.badRequest(ctx, e.getMessage());
      return;
    }
    barriers.run(() -> awaitBarriers(true)).compose(b -> jdbc.executeBlocking(() -> {
      UserReads.Recent recent = store.userReads().recent(user, perConversation, conversations, b.ends());
      return new JsonObject().put("messages", messages(recent.messages())).put("ends", ends(b.ends()))
          .put("asOf", b.asOf()).put("receipts", receipts(store.receipts().of(recent.conversations())));
    }, false)).onSuccess(ctx::json).onFailure(e -> unavailable(ctx, "recent history of " + user, e));
  }

  /**
   * {@code GET /internal/v1/users/:user/conversations?limit=}: the user's current conversations, most recently active
   * first, with the latest message or event of each, the title of groups, the user's read position and the count of
   * messages from others after it. Read as history stands; no barrier.
   */
  private void conversations(RoutingContext ctx) {
    String user = ctx.pathParam("user");
    int limit;
    try {
      user(user);
      limit = Math.min(count(ctx, "limit", DEFAULT_CONVERSATIONS, 1), MAX_CONVERSATIONS);
    } catch (BadRequest e) {
      HistoryServer.badRequest(ctx, e.getMessage());
      return;
    }
    jdbc.executeBlocking(() -> {
      JsonArray out = new JsonArray();
      for (var e : store.conversations().of(user, limit)) {
        JsonObject o = new JsonObject().put("conv", e.conv());
        if (e.title() != null) {
          o.put("title", e.title());
        }
        out.add(o.put("last", e.last() == null ? null : HistoryServer.message(e.last())).put("read", e.read())
            .put("unread", e.unread()));
      }
      return new JsonObject().put("conversations", out);
    }, false).onSuccess(ctx::json).onFailure(e -> unavailable(ctx, "conversations of " + user, e));
  }

  /** The inbound end offsets the persisters reached, and the persister's clock once they had. */
  private record Barriers(long[] ends, long asOf) {}

  /** Blocking: waits for every inbound partition, and every receipts partition when asked, under one deadline. */
  private Barriers awaitBarriers(boolean receipts) throws Exception {
    long deadline = System.nanoTime() + BARRIER_TIMEOUT.toNanos();
    long[] ends = barrier.awaitInbound(BARRIER_TIMEOUT);
    if (receipts) {
      barrier.awaitReceipts(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    // After the waits: every receipt applied before this instant is in the table already.
    return new Barriers(ends, System.currentTimeMillis());
  }

  /**
   * Not {@link UserIds#valid} → refused: the column's collation pads with spaces when comparing, so an id with a
   * trailing space would read another user's index rows, and no index row holds an invalid id anyway.
   */
  private static void user(String user) throws BadRequest {
    if (!UserIds.valid(user)) {
      throw new BadRequest("user must be a valid user id: " + UserIds.RULE);
    }
  }

  private long[] cursor(String param) throws BadRequest {
    int partitions = barrier.inboundPartitions();
    String expected = "next must be " + partitions + " comma-separated non-negative integers, one per inbound partition";
    if (param == null) {
      throw new BadRequest(expected);
    }
    String[] parts = param.split(",", -1);
    if (parts.length != partitions) {
      throw new BadRequest(expected);
    }
    long[] next = new long[partitions];
    for (int p = 0; p < partitions; p++) {
      try {
        next[p] = Long.parseLong(parts[p].trim());
      } catch (NumberFormatException e) {
        throw new BadRequest(expected);
      }
      if (next[p] < 0) {
        throw new BadRequest(expected);
      }
    }
    return next;
  }

  private static int count(RoutingContext ctx, String name, int fallback, int min) throws BadRequest {
    String value = ctx.request().getParam(name);
    if (value == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= min) {
        return n;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new BadRequest(name + " must be an integer of at least " + min);
  }

  private static Long optionalLong(RoutingContext ctx, String name) throws BadRequest {
    String value = ctx.request().getParam(name);
    if (value == null) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new BadRequest(name + " must be an integer (milliseconds since the epoch)");
    }
  }

  static void unavailable(RoutingContext ctx, String what, Throwable e) {
    if (e instanceof BarrierPool.Full) {
      HistoryServer.busy(ctx);
      return;
    }
    String message = e instanceof TimeoutException
        ? "history is behind Kafka; try again"
        : "the database cannot be read now";
    log.warn("{} failed: {}", LogSafe.of(what), e.toString());
    ctx.response().setStatusCode(503).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("code", "unavailable").put("message", message).encode());
  }

  private static JsonArray messages(List<UserReads.Located> rows) {
    JsonArray out = new JsonArray();
    for (UserReads.Located l : rows) {
      out.add(HistoryServer.message(l.message()).put("part", l.part()));
    }
    return out;
  }

  private static JsonArray receipts(List<ReceiptStore.Position> positions) {
    JsonArray out = new JsonArray();
    for (ReceiptStore.Position p : positions) {
      out.add(new JsonObject().put("conv", p.conv()).put("user", p.member()).put("delivered", p.delivered())
          .put("read", p.read()));
    }
    return out;
  }

  private static JsonArray ends(long[] ends) {
    JsonArray out = new JsonArray();
    for (long end : ends) {
      out.add(end);
    }
    return out;
  }
}
