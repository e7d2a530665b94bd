package dev.weft.gateway.ws;

import dev.weft.common.LogSafe;
import dev.weft.common.ConversationIds;
import dev.weft.common.Topics;
import dev.weft.common.UserIds;
import dev.weft.gateway.config.GatewayConfig;
import dev.weft.gateway.groups.Memberships;
import dev.weft.gateway.http.OriginalAcks;
import dev.weft.gateway.kafka.KafkaPublisher;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.GroupEvent;
import dev.weft.schemas.InboundMessage;
import dev.weft.schemas.Receipt;
import dev.weft.schemas.ReceiptKind;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a client's frames: validates each, publishes sends to Kafka, and answers with an ack only
 * once Kafka has the message, or with an error frame. Runs on the connection's event loop.
 */
final class FrameHandler {

  private static final Logger log = LoggerFactory.getLogger(FrameHandler.class);
  static final int MAX_REF_LENGTH = 128;

  private final GatewayConfig config;
  private final KafkaPublisher publisher;
  private final Topics topics;
  private final AvroSerde<InboundMessage> serde = AvroSerde.inboundMessage();
  private final AvroSerde<Receipt> receiptSerde = AvroSerde.receipt();
  private final Clock clock;
  private final OriginalAcks originals;

  private final Memberships memberships;
  private final PendingLookups pending;
  private final GroupOps groups;
  private final MessageActions actions;

  private final SignalOps signals;
  private final TokenLifetime lifetime;
  private final MessageIds ids = new MessageIds();
  /** Frames per user over all their sockets here (WEFT_SEND_RATE_PER_USER): the per-socket budget times 20 sockets is no limit. */
  private final dev.weft.gateway.abuse.KeyedRateLimiter userFrames;

  private final dev.weft.gateway.ops.GatewayMetrics metrics;
  private static final java.util.Set<String> OPS = java.util.Set.of("send", "receipt", "group_create", "group_add",
      "group_remove", "group_leave", "typing", "presence_subscribe", "presence_unsubscribe", "refresh", "edit", "delete",
      "react", "block", "unblock");

  FrameHandler(GatewayConfig config, KafkaPublisher publisher, Clock clock, OriginalAcks originals,
      dev.weft.gateway.http.PersisterMessages targets, Memberships memberships, PresenceHub presence,
      TokenLifetime lifetime, dev.weft.gateway.ops.GatewayMetrics metrics) {
    this.config = config;
    this.userFrames = new dev.weft.gateway.abuse.KeyedRateLimiter(config.abuse().sendRatePerUser(),
        config.abuse().sendBurstPerUser(), System::nanoTime);
    this.lifetime = lifetime;
    this.metrics = metrics;
    this.pending = new PendingLookups(memberships, config.lookups().maxPending());
    this.signals = new SignalOps(config.signals(), pending, publisher, config.kafka().topics(), presence, clock);
    this.memberships = memberships;
    this.groups = new GroupOps(this, memberships, config.groupMaxMembers(),
        new dev.weft.gateway.groups.GroupQuotas(config.quotas(), System::nanoTime));
    this.originals = originals;
    this.actions = new MessageActions(this, memberships, targets, config.maxTextBytes());
    this.publisher = publisher;
    this.topics = config.kafka().topics();
    this.clock = clock;
  }

  /** Closed when a message is over the configured frame size. */
  static final short CLOSE_TOO_BIG = 1009;

  /** True (and the socket closed with 1009) when the message is over the configured maximum. */
  boolean tooBig(Connection c, String text) {
    // A char is at most 3 UTF-8 bytes; only count bytes when the length alone cannot decide.
    if (text.length() * 3L <= config.maxFrameBytes()) {
      return false;
    }
    if (text.length() <= config.maxFrameBytes() && text.getBytes(StandardCharsets.UTF_8).length <= config.maxFrameBytes()) {
      return false;
    }
    closeTooBig(c);
    return true;
  }

  /** Closes the socket with 1009: the client sent a message over the configured maximum. */
  void closeTooBig(Connection c) {
    c.markClosed();
    c.closeReason = "too_big";
    c.socket.close(CLOSE_TOO_BIG, "message over " + config.maxFrameBytes() + " bytes");
  }

  /**
   * True when Vert.x stopped gathering a message of continuation frames at its hard limit (twice the maximum). It
   * drops the message and only reports this to the exception handler (WebSocketImplBase.FrameAggregator, 5.0.7), so
   * without a close the client would never learn why it got no answer.
   */
  static boolean overflowedMessage(Throwable e) {
    return e instanceof IllegalStateException && e.getMessage() != null
        && e.getMessage().startsWith("Cannot process ") && e.getMessage().contains("overflow max message size");
  }

  void onBinary(Connection c, int length) {
    if (length > config.maxFrameBytes()) {
      closeTooBig(c);
      return;
    }
    if (overBudget(c, null)) {
      return;
    }
    c.write(Frames.error(null, ErrorCode.BINARY_NOT_SUPPORTED, "binary frames are not supported: send JSON text frames"));
  }

  /**
   * Charges one frame to the socket's budget; true (and answered) when it is spent. Frames that are not JSON count
   * too: otherwise a flood of them would cost the gateway an answer each, without limit.
   */
  private boolean overBudget(Connection c, String ref) {
    if (c.limiter.tryAcquire()) {
      return false;
    }
    c.write(Frames.error(ref, ErrorCode.RATE_LIMITED,
        "more than " + config.sendRatePerSecond() + " frames per second; slow down and retry"));
    return true;
  }

  void onText(Connection c, String text) {
    if (tooBig(c, text)) {
      return;
    }
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      if (!overBudget(c, null)) {
        c.write(Frames.error(null, ErrorCode.BAD_JSON, "the frame is not a JSON object"));
      }
      return;
    }
    Object refValue = frame.getValue("ref");
    String ref = refValue instanceof String s ? s : null;
    if (overBudget(c, ref)) {
      return;
    }
    // After the socket's own check, so a socket over its budget does not spend its user's.
    if (!userFrames.tryAcquire(c.user)) {
      c.write(Frames.error(ref, ErrorCode.RATE_LIMITED, "more than " + config.abuse().sendRatePerUser()
          + " frames per second from this user over all their connections; slow down and retry"));
      return;
    }
    Object op = frame.getValue("op");
    if (!(op instanceof String)) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "op is missing or not a string"));
      return;
    }
    metrics.frameIn(OPS.contains(op) ? (String) op : "unknown");
    switch ((String) op) {
      case "send" -> send(c, frame, ref, refValue);
      case "receipt" -> receipt(c, frame, ref);
      case "group_create", "group_add", "group_remove", "group_leave" -> groups.handle(c, (String) op, frame, ref);
      case "typing" -> signals.typing(c, frame, ref);
      case "presence_subscribe" -> signals.subscribe(c, frame, ref);
      case "presence_unsubscribe" -> signals.unsubscribe(c, frame, ref);
      case "refresh" -> lifetime.refresh(c, frame, ref);
      case "edit", "delete", "react" -> actions.handle(c, (String) op, frame, ref);
      case "block", "unblock" -> block(c, frame, ref, "block".equals(op));
      default -> c.write(Frames.error(ref, ErrorCode.UNKNOWN_OP, "unknown op: " + truncate((String) op)));
    }
  }

  private void send(Connection c, JsonObject frame, String ref, Object refValue) {
    if (ref == null || ref.isEmpty() || ref.length() > MAX_REF_LENGTH) {
      c.write(Frames.error(null, ErrorCode.BAD_REQUEST,
          refValue == null ? "ref is missing" : "ref must be a string of 1 to " + MAX_REF_LENGTH + " characters"));
      return;
    }
    SendContent.Parsed content = SendContent.parse(frame, config.content());
    if (content.error() != null) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, content.error()));
      return;
    }
    Object textValue = frame.getValue("text");
    if (textValue == null && !content.attachments().isEmpty()) {
      textValue = ""; // a photo without a caption
    }
    if (!(textValue instanceof String body) || (body.isEmpty() && content.attachments().isEmpty())) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "text is missing or not a non-empty string"
          + " (it may be empty, or left out, only when the message carries attachments)"));
      return;
    }
    if (body.length() > config.maxTextBytes() || body.getBytes(StandardCharsets.UTF_8).length > config.maxTextBytes()) {
      c.write(Frames.error(ref, ErrorCode.TEXT_TOO_LONG, "text is over " + config.maxTextBytes() + " bytes"));
      return;
    }
    Object to = frame.getValue("to");
    Object convValue = frame.getValue("conv");
    if ((to == null) == (convValue == null)) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "give exactly one of to (a user id) or conv (a conversation id)"));
      return;
    }
    String conv;
    if (to != null) {
      if (!(to instanceof String recipient) || !UserIds.valid(recipient)) {
        c.write(Frames.error(ref, ErrorCode.BAD_RECIPIENT, "to must be a user id: " + UserIds.RULE));
        return;
      }
      if (recipient.equals(c.user)) {
        c.write(Frames.error(ref, ErrorCode.BAD_RECIPIENT, "to names the sender; a conversation needs another user"));
        return;
      }
      conv = ConversationIds.direct(c.user, recipient);
    } else {
      if (!(convValue instanceof String convId)) {
        c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "conv must be a string"));
        return;
      }
      conv = convId;
    }
    Object resend = frame.getValue("resend");
    if (resend != null && !(resend instanceof Boolean)) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "resend must be a boolean"));
      return;
    }
    boolean isResend = Boolean.TRUE.equals(resend);
    String other = ConversationIds.otherMember(conv, c.user).orElse(null);
    if (other != null) {
      dev.weft.gateway.http.PersisterBlocks.State blocks = c.blocks.now(conv);
      if (blocks == null) {
        // A write before the connection's blocks are loaded (it asked as soon as its session was announced) waits.
        inOrder(c, ref, () -> c.blocks.of(List.of(conv)).map(m -> m.get(conv)), state -> {
          if (!refusedByBlock(c, ref, state, other)) {
            Memberships.Access access = memberships.now(conv, c.user);
            if (isResend) {
              return resend(c, ref, conv, access.members(), body, content);
            }
            publish(c, ref, conv, access.members(), body, null, null, content::applyTo);
          }
          return io.vertx.core.Future.succeededFuture();
        });
        return;
      }
      if (refusedByBlock(c, ref, blocks, other)) {
        return;
      }
    }
    Memberships.Access known = memberships.now(conv, c.user);
    if (known != null && c.sendOrder.isComplete() && !isResend) {
      publish(c, ref, conv, known.members(), body, null, null, content::applyTo); // the common case: nothing to wait for
      return;
    }
    if (known == null && !memberships.mustWait(conv, c.user)) {
      // Not a member of a one-to-one conversation, or a group id looked up in vain lately: nothing to wait for.
      c.write(Frames.error(ref, ErrorCode.NOT_MEMBER, "no such conversation, or you are not a member of it"));
      return;
    }
    inOrder(c, ref, () -> memberships.of(conv, c.user, c.context), access -> {
      if (access == null) {
        c.write(Frames.error(ref, ErrorCode.NOT_MEMBER, "no such conversation, or you are not a member of it"));
        return io.vertx.core.Future.succeededFuture();
      }
      if (isResend) {
        return resend(c, ref, conv, access.members(), body, content);
      }
      publish(c, ref, conv, access.members(), body, null, null, content::applyTo);
      return io.vertx.core.Future.succeededFuture();
    });
  }

  /** True (and answered {@code blocked}) when either user of the pair blocks the other. */
  static boolean refusedByBlock(Connection c, String ref, dev.weft.gateway.http.PersisterBlocks.State state, String other) {
    if (state.blockers().contains(other)) {
      c.write(Frames.error(ref, ErrorCode.BLOCKED, "this user does not take your messages"));
      return true;
    }
    if (state.blockers().contains(c.user)) {
      c.write(Frames.error(ref, ErrorCode.BLOCKED, "you blocked this user: unblock them to write to them"));
      return true;
    }
    return false;
  }

  /**
   * Queues a write behind the connection's earlier ones, so the client's writes reach Kafka in the order it made
   * them. {@code lookup} starts now, alongside those of earlier frames (each waits at most its bounded while, so a
   * queue of them takes about one wait, not one each); {@code step} runs with its answer once every earlier step is
   * done (a resend's check, a publish). The frame holds one of the connection's pending slots until then; over the
   * bound it is answered with {@code too_many_pending} and nothing runs.
   */
  <T> void inOrder(Connection c, String ref, java.util.function.Supplier<io.vertx.core.Future<T>> lookup,
      java.util.function.Function<T, io.vertx.core.Future<Void>> step) {
    if (!pending.admit(c, ref)) {
      return;
    }
    io.vertx.core.Future<T> looked = lookup.get().onFailure(e -> {
      if (e instanceof Memberships.Unavailable) {
        c.write(Frames.error(ref, ErrorCode.UNAVAILABLE, e.getMessage()));
      }
    });
    c.sendOrder = c.sendOrder.transform(ignored -> looked.compose(step).otherwiseEmpty()).onComplete(r -> pending.done(c));
  }

  /** A send the client may have made before: answer with the original ack if it was stored, else send it now. */
  private io.vertx.core.Future<Void> resend(Connection c, String ref, String conv, List<String> members, String body,
      SendContent.Parsed content) {
    return originals.find(c.user, ref, conv)
        .onSuccess(found -> {
          if (found.isPresent()) {
            JsonObject o = found.get();
            c.write(Frames.ack(ref, conv, o.getLong("seq"), o.getString("id"), o.getLong("ts")));
          } else {
            publish(c, ref, conv, members, body, null, c.uncertainIds.get(ref), content::applyTo);
          }
        })
        .onFailure(e -> {
          log.warn("could not check resend {} of {}: {}", LogSafe.of(ref), LogSafe.of(c.user), e.toString());
          c.write(Frames.error(ref, ErrorCode.UNAVAILABLE, "cannot tell yet whether the original was stored; retry"));
        })
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /** Publishes a message, or a group event when {@code event} is set; the client gets the ack once Kafka has it. */
  void publish(Connection c, String ref, String conv, List<String> members, String body, GroupEvent event) {
    publish(c, ref, conv, members, body, event, null, b -> { });
  }

  /** Publishes an edit, a delete or a reaction: an entry of the conversation's stream, acked like a message. */
  void publishAction(Connection c, String ref, String conv, List<String> members, String text,
      dev.weft.schemas.MessageAction action) {
    publish(c, ref, conv, members, text, null, null, b -> b.setAction(action));
  }

  /**
   * {@code block} / {@code unblock} {@code user}: an entry of the pair's one-to-one conversation, so it takes its place
   * in that conversation's order; acked like a message.
   */
  private void block(Connection c, JsonObject frame, String ref, boolean blocked) {
    if (ref == null || ref.isEmpty() || ref.length() > MAX_REF_LENGTH) {
      c.write(Frames.error(null, ErrorCode.BAD_REQUEST, "ref must be a string of 1 to " + MAX_REF_LENGTH + " characters"));
      return;
    }
    if (!(frame.getValue("user") instanceof String user) || !UserIds.valid(user) || user.equals(c.user)) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "user must be another user's id: " + UserIds.RULE));
      return;
    }
    String conv = ConversationIds.direct(c.user, user);
    dev.weft.schemas.BlockChange change = dev.weft.schemas.BlockChange.newBuilder().setBlocked(blocked).build();
    inOrder(c, ref, () -> io.vertx.core.Future.succeededFuture(true), ok -> {
      // This connection knows at once; the user's other connections when the entry is delivered.
      publish(c, ref, conv, List.of(c.user, user), "", null, null, b -> b.setBlock(change),
          seq -> c.blocks.delivered(conv, seq, c.user, blocked));
      return io.vertx.core.Future.succeededFuture();
    });
  }

  /**
   * As above, under {@code reuseId} when it is set (a resend of a write whose outcome was uncertain); {@code extra}
   * sets the optional fields (a send's reply and attachments, an action).
   */
  private void publish(Connection c, String ref, String conv, List<String> members, String body, GroupEvent event,
      String reuseId, java.util.function.Consumer<InboundMessage.Builder> extra) {
    publish(c, ref, conv, members, body, event, reuseId, extra, seq -> { });
  }

  /** As above; {@code onAck} is told the seq Kafka gave the record, before the client is. */
  private void publish(Connection c, String ref, String conv, List<String> members, String body, GroupEvent event,
      String reuseId, java.util.function.Consumer<InboundMessage.Builder> extra, java.util.function.LongConsumer onAck) {
    String id = reuseId != null ? reuseId : ids.next();
    long ts = clock.millis();
    InboundMessage.Builder builder = InboundMessage.newBuilder()
        .setId(id).setConv(conv).setFrom(c.user).setFromDevice(c.device).setFromSession(c.session)
        .setRef(ref).setMembers(members).setTs(ts).setGateway(config.gatewayId()).setText(body).setEvent(event);
    extra.accept(builder);
    InboundMessage message = builder.build();
    publisher.publish(c.context, topics.inbound(), conv, serde.encode(message))
        .onSuccess(md -> {
          metrics.published();
          onAck.accept(md.offset());
          c.uncertainIds.remove(ref);
          c.write(Frames.ack(ref, conv, md.offset(), id, ts));
        })
        .onFailure(e -> {
          if (e instanceof KafkaPublisher.Overloaded) {
            c.write(Frames.error(ref, ErrorCode.OVERLOADED, "the gateway is overloaded; nothing was stored, retry later"));
          } else {
            log.warn("Kafka did not take message {} of {}: {}", id, LogSafe.of(c.user), e.toString());
            if (ref != null && event == null) {
              c.uncertainIds.put(ref, id);
            }
            c.write(Frames.error(ref, ErrorCode.UNAVAILABLE, "Kafka did not confirm the write; retry with the same ref"));
          }
        });
  }

  /** A member's delivered or read position: stored, and pushed to the conversation's other devices. */
  private void receipt(Connection c, JsonObject frame, String ref) {
    if (ref == null || ref.isEmpty() || ref.length() > MAX_REF_LENGTH) {
      c.write(Frames.error(null, ErrorCode.BAD_REQUEST, "ref must be a string of 1 to " + MAX_REF_LENGTH + " characters"));
      return;
    }
    Object convValue = frame.getValue("conv");
    if (!(convValue instanceof String)) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "conv is missing or not a string"));
      return;
    }
    Object kindValue = frame.getValue("kind");
    ReceiptKind kind = "delivered".equals(kindValue) ? ReceiptKind.DELIVERED : "read".equals(kindValue) ? ReceiptKind.READ : null;
    if (kind == null) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "kind must be \"delivered\" or \"read\""));
      return;
    }
    Object seqValue = frame.getValue("seq");
    // A seq is a partition offset: 0..Long.MAX_VALUE. Jackson reads 1e30 and 1.5 as Double and anything past a long as
    // BigInteger, so only Integer and Long can be one; never narrow a Number to long, which would wrap or truncate.
    if (!(seqValue instanceof Integer || seqValue instanceof Long) || ((Number) seqValue).longValue() < 0) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "seq must be a non-negative integer"));
      return;
    }
    String conv = (String) convValue;
    long seq = ((Number) seqValue).longValue();
    c.confirmedByReceipt(conv, seq); // the client says it has these: no push for them
    pending.of(c, ref, conv, access -> {
      if (access == null) {
        c.write(Frames.error(ref, ErrorCode.NOT_MEMBER, "no such conversation, or you are not a member of it"));
      } else {
        publishReceipt(c, ref, conv, kind, seq, access.members());
      }
    });
  }

  private void publishReceipt(Connection c, String ref, String conv, ReceiptKind kind, long seq, List<String> members) {
    Receipt receipt = Receipt.newBuilder().setConv(conv).setUser(c.user).setDevice(c.device).setFromSession(c.session)
        .setKind(kind).setSeq(seq).setMembers(members).setTs(clock.millis()).build();
    publisher.publish(c.context, topics.receipts(), conv, receiptSerde.encode(receipt))
        .onSuccess(md -> c.write(Frames.receiptAck(ref, conv, kind, seq)))
        .onFailure(e -> c.write(Frames.error(ref, e instanceof KafkaPublisher.Overloaded ? ErrorCode.OVERLOADED : ErrorCode.UNAVAILABLE,
            "the receipt was not stored; send it again")));
  }

  private static String truncate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
