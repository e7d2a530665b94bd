package dev.weft.gateway.ws;

import dev.weft.common.TopicCreator;
import dev.weft.common.Tokens;
import dev.weft.common.UserIds;
import dev.weft.gateway.abuse.ClientAddress;
import dev.weft.gateway.abuse.KeyedRateLimiter;
import dev.weft.gateway.config.GatewayConfig;
import dev.weft.gateway.groups.LoadedUsers;
import dev.weft.gateway.groups.Memberships;
import dev.weft.gateway.ops.GatewayMetrics;
import dev.weft.gateway.http.BearerToken;
import dev.weft.gateway.http.CatchUpReads;
import dev.weft.gateway.http.HttpErrors;
import dev.weft.gateway.http.OriginalAcks;
import dev.weft.gateway.kafka.KafkaPublisher;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.SessionAnnouncement;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/ws}: authenticates before the upgrade (a bad token gets HTTP 401, never a socket),
 * announces the session on Kafka, greets the client once the announcement is stored, and retracts
 * the session when the socket closes.
 */
public final class WebSocketEndpoint implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(WebSocketEndpoint.class);
  /** Sent to every client when the gateway stops, so it reconnects (to another gateway). */
  static final short CLOSE_GOING_AWAY = 1001;
  static final short CLOSE_UNAVAILABLE = 1011;
  /** Nothing, not even a pong, came from the client within the idle timeout. */
  static final short CLOSE_IDLE = 4000;

  private final GatewayConfig config;
  private final Tokens tokens;
  private final KafkaPublisher publisher;
  private final LocalSessions sessions;
  private final FrameHandler frames;
  private final TokenLifetime lifetime;
  private final UserConnectionCap perUser;
  /** The same count keyed by client address (WEFT_MAX_CONNECTIONS_PER_ADDRESS). */
  private final UserConnectionCap perAddress;
  private final KeyedRateLimiter attempts;
  private final ClientAddress addresses;
  private final AvroSerde<SessionAnnouncement> serde = AvroSerde.sessionAnnouncement();
  private final Clock clock;
  private final CatchUp catchUp;
  private final PresenceHub presence;
  private final LoadedUsers loaded;
  private final GatewayMetrics metrics;
  private final dev.weft.gateway.http.PersisterBlocks blockStates;
  /** Null when the push hook is off (WEFT_PUSH=0). */
  private final dev.weft.gateway.push.PushNotices pushNotices;
  /** The inbound topic as it is now: a cursor from another incarnation of it is stale. */
  private final TopicCreator.Identity inbound;

  public WebSocketEndpoint(GatewayConfig config, Tokens tokens, KafkaPublisher publisher, LocalSessions sessions, Clock clock,
      OriginalAcks originals, dev.weft.gateway.http.PersisterMessages targets,
      dev.weft.gateway.http.PersisterBlocks blockStates, CatchUpReads history,
      TopicCreator.Identity inbound, Memberships memberships,
      PresenceHub presence, GatewayMetrics metrics, ClientAddress addresses,
      dev.weft.gateway.push.PushNotices pushNotices) {
    this.pushNotices = pushNotices;
    this.blockStates = blockStates;
    this.addresses = addresses;
    this.perAddress = new UserConnectionCap(config.abuse().maxConnectionsPerAddress());
    this.attempts = new KeyedRateLimiter(config.abuse().connectRatePerAddress(), config.abuse().connectBurstPerAddress(),
        System::nanoTime);
    this.presence = presence;
    this.loaded = memberships.users();
    this.metrics = metrics;
    this.config = config;
    this.inbound = inbound;
    this.catchUp = new CatchUp(history, config.catchUp());
    this.tokens = tokens;
    this.publisher = publisher;
    this.sessions = sessions;
    this.clock = clock;
    this.lifetime = new TokenLifetime(tokens, clock);
    this.perUser = new UserConnectionCap(config.maxConnectionsPerUser());
    this.frames = new FrameHandler(config, publisher, clock, originals, targets, memberships, presence, lifetime, metrics);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String address = addresses.of(request);
    // First, before any work: every attempt counts, a bad token as much as a good one.
    boolean limited = ClientAddress.limited(address);
    if (limited && !attempts.tryAcquire(address)) {
      metrics.refused("connect_rate_limited");
      ctx.response().putHeader("Retry-After", "1");
      HttpErrors.send(ctx.response(), 429, "connect_rate_limited", "more than " + config.abuse().connectRatePerAddress()
          + " connection attempts per second from this address (WEFT_CONNECT_RATE_PER_ADDRESS); wait and retry");
      return;
    }
    if (metrics.draining()) {
      HttpErrors.send(ctx.response(), 503, "draining", "this gateway is shutting down; connect again");
      return;
    }
    Tokens.Verified who = tokens.verify(BearerToken.from(request));
    if (!who.ok()) {
      HttpErrors.send(ctx.response(), 401, who.code(), who.message());
      return;
    }
    String device = request.getParam("device", "default");
    if (!UserIds.valid(device)) {
      HttpErrors.send(ctx.response(), 400, "bad_request", "device must be " + UserIds.RULE);
      return;
    }
    String lastSeen = request.getParam("last_seen");
    if (lastSeen != null && !lastSeen.equals("hidden") && !lastSeen.equals("shown")) {
      HttpErrors.send(ctx.response(), 400, "bad_request", "last_seen must be hidden or shown");
      return;
    }
    boolean hideLastSeen = "hidden".equals(lastSeen);
    Resumption resumption;
    try {
      resumption = resumption(request.getParam("cursor"));
    } catch (Cursor.Malformed e) {
      HttpErrors.send(ctx.response(), 400, "bad_cursor", e.getMessage() + "; connect with cursor=new to start over");
      return;
    }
    if (!request.canUpgradeToWebSocket()) {
      HttpErrors.send(ctx.response(), 400, "bad_request", "this endpoint only speaks WebSocket");
      return;
    }
    if (!perUser.tryTake(who.user())) {
      metrics.refused("too_many_connections");
      HttpErrors.send(ctx.response(), 429, "too_many_connections",
          "this user has " + perUser.max() + " connections to this gateway already (WEFT_MAX_CONNECTIONS_PER_USER); close one");
      return;
    }
    if (limited && !perAddress.tryTake(address)) {
      perUser.giveBack(who.user());
      metrics.refused("too_many_address_connections");
      HttpErrors.send(ctx.response(), 429, "too_many_address_connections", "this address has " + perAddress.max()
          + " connections to this gateway already (WEFT_MAX_CONNECTIONS_PER_ADDRESS)");
      return;
    }
    Context context = Vertx.currentContext();
    request.toWebSocket()
        .onSuccess(socket -> open(socket, context, who, device, resumption, hideLastSeen, address))
        .onFailure(e -> {
          perAddress.giveBack(address);
          perUser.giveBack(who.user());
          log.debug("upgrade failed: {}", e.toString());
        });
  }

  /** How a connection starts: live only (no cursor), from a cursor, or fresh (a new device, or a stale cursor). */
  private record Resumption(Cursor from, boolean fresh, boolean reset) {
    static final Resumption LIVE_ONLY = new Resumption(null, false, false);
  }

  private Resumption resumption(String param) throws Cursor.Malformed {
    if (param == null) {
      return Resumption.LIVE_ONLY;
    }
    if (param.equals("new")) {
      return new Resumption(Cursor.start(inbound.id(), inbound.partitions()), true, false);
    }
    Cursor from = Cursor.parse(param);
    if (!from.epoch.equals(inbound.id())) {
      // The inbound topic was recreated: its offsets mean nothing now. Start the device over, and say so.
      return new Resumption(Cursor.start(inbound.id(), inbound.partitions()), true, true);
    }
    if (from.partitions() != inbound.partitions()) {
      throw new Cursor.Malformed("cursor has " + from.partitions() + " positions, not " + inbound.partitions());
    }
    return new Resumption(from, false, false);
  }

  private void open(ServerWebSocket socket, Context context, Tokens.Verified who, String device, Resumption resumption,
      boolean hideLastSeen, String address) {
    String user = who.user();
    Connection c = new Connection(UUID.randomUUID().toString(), user, device, socket, context,
        new SendRateLimiter(config.sendRatePerSecond(), config.sendBurst(), System::nanoTime), config.writeQueueMaxBytes(),
        sessions.queuePeak(), metrics);
    c.address = address;
    c.issuedAt = who.issuedAt();
    c.blocks = new BlockStates();
    if (pushNotices != null) {
      c.unconfirmed = pushNotices.tracker(context, user);
      int undelivered = pushNotices.settings().undeliveredMs();
      c.undeliveredNanos = TimeUnit.MILLISECONDS.toNanos(undelivered);
      // A third of the allowance, so a confirmed message is never noticed; with none, the keep-alive pings confirm.
      c.confirmDelayMs = undelivered > 0 ? Math.max(10, undelivered / 3) : config.pingIntervalMs();
    }
    metrics.opened();
    c.typingLimiter = new SendRateLimiter(config.signals().typingRate(), config.signals().typingBurst(), System::nanoTime);
    if (resumption.from() != null) {
      c.resumeFrom(resumption.from());
    }
    sessions.add(c);
    // Revoked after the token was verified and before the socket was added, where the revocation's close missed it.
    // A revocation stored after this check finds the socket in LocalSessions and closes it itself.
    if (tokens.revoked(user, c.issuedAt)) {
      closeByServer(c, () -> true, "revoked", CLOSE_TOKEN_REVOKED, "token revoked: connect with a new token");
    }
    // Its groups start loading now; a group frame that comes first waits for them (Memberships).
    loaded.acquire(user);
    c.onDrop = () -> close(c);
    socket.textMessageHandler(text -> {
      c.seen();
      frames.onText(c, text);
    });
    socket.binaryMessageHandler(bytes -> {
      c.seen();
      frames.onBinary(c, bytes.length());
    });
    socket.pongHandler(pong -> {
      c.seen();
      c.pong(pong);
    });
    // Runs on this socket's event loop: the timer is created from it.
    c.pingTimer = context.owner().setPeriodic(config.pingIntervalMs(), id -> keepAlive(c));
    lifetime.arm(c, who.expiresAt());
    socket.exceptionHandler(e -> {
      if (FrameHandler.overflowedMessage(e)) {
        frames.closeTooBig(c); // a message in continuation frames past the hard limit: say so, as for one frame
      } else {
        log.debug("socket of {} failed: {}", user, e.toString());
      }
    });
    socket.closeHandler(v -> close(c));
    SessionAnnouncement announcement = SessionAnnouncement.newBuilder().setSession(c.session).setUser(user)
        .setDevice(device).setGateway(config.gatewayId()).setConnectedAt(clock.millis()).setHideLastSeen(hideLastSeen).build();
    publisher.publish(context, config.kafka().topics().sessions(), c.session, serde.encode(announcement))
        .onSuccess(md -> {
          // After the announcement: from here on every block entry naming the user is delivered here.
          c.blocks.load(blockStates::involving, user, () -> log.warn("could not load who blocks {}, or whom they block;"
              + " their one-to-one writes go as unblocked on this connection", dev.weft.common.LogSafe.of(user)));
          c.write(Frames.welcome(c, config.gatewayId()));
          if (resumption.fresh()) {
            catchUp.fresh(c, resumption.reset());
          } else if (resumption.from() != null) {
            catchUp.resume(c);
          }
        })
        .onFailure(e -> {
          log.warn("could not announce the session of {}: {}", user, e.toString());
          c.closeReason = "unavailable";
          socket.close(CLOSE_UNAVAILABLE, "unavailable: retry");
        });
  }

  /** Pings the client, or ends a connection that has been silent too long (a half-open TCP connection never answers). */
  private void keepAlive(Connection c) {
    if (c.silentMillis() > config.idleTimeoutMs()) {
      log.info("closing the idle socket of {} ({} ms silent)", c.user, c.silentMillis());
      c.closeReason = "idle";
      close(c);
      c.socket.close(CLOSE_IDLE, "idle: no frame or pong within " + config.idleTimeoutMs() + " ms");
    } else {
      c.socket.writePing(c.nextPing());
    }
  }

  private Future<?> close(Connection c) {
    if (!c.retire()) {
      return Future.succeededFuture();
    }
    c.context.owner().cancelTimer(c.pingTimer);
    c.noticeUnconfirmed();
    lifetime.disarm(c);
    perUser.giveBack(c.user);
    perAddress.giveBack(c.address);
    metrics.closed(c.closeReason);
    sessions.remove(c);
    presence.forget(c);
    loaded.release(c.user);
    return retract(c);
  }

  private Future<?> retract(Connection c) {
    return publisher.publish(c.context, config.kafka().topics().sessions(), c.session, null)
        .onFailure(e -> log.warn("could not retract session {} of {}: {}", c.session, c.user, e.toString()));
  }

  /** Asks the clients to reconnect elsewhere. */
  static final short CLOSE_SERVICE_RESTART = 1012;

  /**
   * A session of this gateway was retracted by someone else while its socket is open: a router took this gateway for
   * dead (its heartbeats did not reach Kafka within WEFT_GATEWAY_EXPIRY_MS, as when a broker hangs) and expired its
   * sessions, so nothing is routed to the socket any more. Closing it with 1012 sends the client back with its
   * cursor: the new session is announced, and the catch-up brings whatever was routed while it was expired.
   */
  public void retractedElsewhere(String session) {
    Connection c = sessions.session(session);
    if (c == null) {
      return; // not ours, or ours and closing: our own retraction
    }
    c.context.runOnContext(v -> {
      if (sessions.session(session) != c) {
        return;
      }
      log.warn("session {} of {} was expired while its socket is open (a router took this gateway for silent); "
          + "closing it with 1012 so the client resumes", session, c.user);
      c.closeReason = "expired";
      close(c);
      c.socket.close(CLOSE_SERVICE_RESTART, "session expired: reconnect with your cursor");
    });
  }

  /** Closed by the server API: the app's backend disconnected the user (or this device). */
  static final short CLOSE_DISCONNECTED = 4010;
  /** Closed by the server API: the token this socket last presented was revoked. */
  static final short CLOSE_TOKEN_REVOKED = 4011;

  /** Closes the user's sockets here (of {@code device} only, when set) that opened before {@code beforeMs}. Any thread. */
  public void disconnect(String user, String device, long beforeMs) {
    for (Connection c : sessions.of(user)) {
      if (device == null || device.equals(c.device)) {
        closeByServer(c, () -> c.openedAtMs <= beforeMs, "disconnected", CLOSE_DISCONNECTED, "disconnected by the server");
      }
    }
  }

  /** Closes the user's sockets here whose token was issued before {@code beforeMs} (or has no iat). Any thread. */
  public void revoked(String user, long beforeMs) {
    for (Connection c : sessions.of(user)) {
      closeByServer(c, () -> c.issuedAt == null || c.issuedAt.toEpochMilli() < beforeMs, "revoked",
          CLOSE_TOKEN_REVOKED, "token revoked: connect with a new token");
    }
  }

  private void closeByServer(Connection c, java.util.function.BooleanSupplier applies, String reason, short code,
      String message) {
    c.context.runOnContext(v -> {
      if (sessions.session(c.session) != c || !applies.getAsBoolean()) {
        return; // closed meanwhile, or refreshed with a token issued after the revocation
      }
      log.info("closing session {} of {}: {}", c.session, dev.weft.common.LogSafe.of(c.user), reason);
      c.closeReason = reason;
      close(c);
      c.socket.close(code, message);
    });
  }

  /**
   * Closes every socket with 1012 at a random moment within {@code periodMs}, so clients reconnect spread out rather
   * than all at once; each session is retracted as its socket closes. Completes once all are closed.
   */
  public Future<?> drain(long periodMs) {
    List<Future<?>> done = new ArrayList<>();
    java.util.Random random = new java.util.Random();
    for (Connection c : sessions.all()) {
      long at = periodMs <= 0 ? 0 : (long) (random.nextDouble() * periodMs);
      done.add(Future.future(p -> c.context.runOnContext(v -> c.context.owner().setTimer(Math.max(1, at), t -> {
        c.closeReason = "drain";
        close(c).onComplete(r -> p.complete());
        c.socket.close(CLOSE_SERVICE_RESTART, "gateway draining: reconnect");
      }))));
    }
    return Future.join(done);
  }

  /** Closes every socket with 1001 and retracts its session; completes once Kafka has the retractions. */
  public Future<?> closeAll() {
    List<Future<?>> done = new ArrayList<>();
    for (Connection c : sessions.all()) {
      done.add(Future.future(p -> c.context.runOnContext(v -> {
        c.closeReason = "gateway_stopping";
        close(c).onComplete(r -> p.complete());
        c.socket.close(CLOSE_GOING_AWAY, "gateway stopping: reconnect");
      })));
    }
    return Future.join(done);
  }
}
