package dev.weft.gateway.ws;

import dev.weft.common.Topics;
import dev.weft.common.UserIds;
import dev.weft.gateway.config.SignalSettings;
import dev.weft.gateway.kafka.KafkaPublisher;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.Typing;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code typing}, {@code presence_subscribe} and {@code presence_unsubscribe}: ephemeral signals. Typing goes to the
 * conversation's other members through Kafka and a router, never stored; presence is read from this gateway's
 * presence directory and pushed as it changes.
 */
final class SignalOps {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SignalOps.class);

  private final SignalSettings settings;
  private final PendingLookups lookups;
  private final KafkaPublisher publisher;
  private final Topics topics;
  private final PresenceHub presence;
  private final Clock clock;
  private final AvroSerde<Typing> serde = AvroSerde.typing();

  SignalOps(SignalSettings settings, PendingLookups lookups, KafkaPublisher publisher, Topics topics, PresenceHub presence,
      Clock clock) {
    this.settings = settings;
    this.lookups = lookups;
    this.publisher = publisher;
    this.topics = topics;
    this.presence = presence;
    this.clock = clock;
  }

  /** {"op":"typing","conv":...,"state":"started"|"stopped"}: no ack; an error only for a bad frame or too many. */
  void typing(Connection c, JsonObject frame, String ref) {
    Object conv = frame.getValue("conv");
    Object state = frame.getValue("state");
    if (!(conv instanceof String convId)) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "conv is missing or not a string"));
      return;
    }
    if (!"started".equals(state) && !"stopped".equals(state)) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "state must be \"started\" or \"stopped\""));
      return;
    }
    if (!c.typingLimiter.tryAcquire()) {
      c.write(Frames.error(ref, ErrorCode.RATE_LIMITED, "more than " + settings.typingRate() + " typing frames per second"));
      return;
    }
    lookups.of(c, ref, convId, access -> {
      if (access == null) {
        c.write(Frames.error(ref, ErrorCode.NOT_MEMBER, "no such conversation, or you are not a member of it"));
        return;
      }
      Typing t = Typing.newBuilder().setConv(convId).setUser(c.user).setFromSession(c.session)
          .setStarted("started".equals(state)).setTs(clock.millis()).setTtlMs(settings.typingTtlMs())
          .setMembers(access.members()).setRecipients(List.of()).build();
      // Best effort by design: a lost indicator is replaced by the next one or expires by itself.
      publisher.publish(c.context, topics.typing(), convId, serde.encode(t));
    });
  }

  /**
   * {"op":"presence_subscribe","ref":...,"users":[...]}: ack, then each user's presence now, then every change. All or
   * nothing: when any of the users may not be followed ({@link dev.weft.gateway.presence.PresenceAccess}), the frame
   * gets {@code forbidden} naming them, and follows no one.
   */
  void subscribe(Connection c, JsonObject frame, String ref) {
    List<String> users = users(c, frame, ref);
    if (users == null || overSubscribed(c, ref, users)) {
      return;
    }
    if (c.presenceOrder.isComplete() && presence.access().allAllowedNow(c.user, users)) {
      c.presenceOrder = follow(c, ref, users); // the common case: decided from memory, nothing queued before it
      return;
    }
    if (!lookups.admit(c, ref)) {
      return;
    }
    Future<List<String>> refused = presence.access().refused(c.user, users, c.context);
    c.presenceOrder = c.presenceOrder.transform(ignored -> refused.transform(r -> {
      if (!c.isOpen()) {
        return Future.<Void>succeededFuture(); // closed meanwhile: its follows are forgotten already
      }
      if (r.failed()) {
        log.warn("could not check whom {} may follow: {}", c.user, r.cause().toString());
        c.write(Frames.error(ref, ErrorCode.UNAVAILABLE, "cannot check now whom you may follow; nothing was followed, retry"));
      } else if (!r.result().isEmpty()) {
        c.write(Frames.error(ref, ErrorCode.FORBIDDEN, "you may follow the presence only of users who share a conversation"
            + " with you (a group, or a one-to-one conversation with a message); nothing was followed",
            new JsonObject().put("users", new JsonArray(r.result()))));
      } else if (!overSubscribed(c, ref, users)) {
        return follow(c, ref, users);
      }
      return Future.<Void>succeededFuture();
    })).onComplete(r -> lookups.done(c));
  }

  /** True (and the frame answered) when following {@code users} too would pass the connection's bound. */
  private boolean overSubscribed(Connection c, String ref, List<String> users) {
    long adding = users.stream().filter(u -> !c.following().contains(u)).distinct().count();
    if (c.following().size() + adding > settings.presenceMaxSubscriptions()) {
      c.write(Frames.error(ref, ErrorCode.TOO_MANY_SUBSCRIPTIONS, "a connection follows at most "
          + settings.presenceMaxSubscriptions() + " users; it follows " + c.following().size()));
      return true;
    }
    return false;
  }

  /**
   * Follows once the users' presence is loaded here (at once when every one is followed here already): then the ack
   * and each user's presence now. When a persister could not be asked, {@code unavailable} and nothing followed.
   * Completes on the connection's context once answered.
   */
  private Future<Void> follow(Connection c, String ref, List<String> users) {
    List<String> added = new ArrayList<>();
    for (String u : users) {
      if (c.following().add(u)) {
        added.add(u);
      }
    }
    java.util.concurrent.CompletableFuture<Void> loaded = presence.follow(c, users);
    if (loaded.isDone() && !loaded.isCompletedExceptionally()) {
      answerFollow(c, ref, users);
      return Future.succeededFuture();
    }
    return Future.future(p -> loaded.whenComplete((v, e) -> c.context.runOnContext(x -> {
      if (!c.isOpen()) {
        p.complete(); // closed meanwhile: its follows are forgotten already
        return;
      }
      if (e == null) {
        answerFollow(c, ref, users);
      } else {
        for (String u : added) {
          if (c.following().remove(u)) {
            presence.unfollow(c, u);
          }
        }
        log.warn("could not load the presence {} follows: {}", c.user, e.toString());
        c.write(Frames.error(ref, ErrorCode.UNAVAILABLE, "cannot load their presence now; nothing was followed, retry"));
      }
      p.complete();
    })));
  }

  private void answerFollow(Connection c, String ref, List<String> users) {
    c.write(Frames.ackOnly(ref));
    for (String u : users) {
      c.write(Frames.presence(u, presence.of(u)));
    }
  }

  void unsubscribe(Connection c, JsonObject frame, String ref) {
    List<String> users = users(c, frame, ref);
    if (users == null) {
      return;
    }
    if (c.presenceOrder.isComplete()) {
      unfollow(c, ref, users);
    } else if (lookups.admit(c, ref)) {
      // Behind a subscribe still being checked, so the later frame wins.
      c.presenceOrder = c.presenceOrder.transform(ignored -> {
        unfollow(c, ref, users);
        return Future.<Void>succeededFuture();
      }).onComplete(r -> lookups.done(c));
    }
  }

  private void unfollow(Connection c, String ref, List<String> users) {
    for (String u : users) {
      if (c.following().remove(u)) {
        presence.unfollow(c, u);
      }
    }
    c.write(Frames.ackOnly(ref));
  }

  private static List<String> users(Connection c, JsonObject frame, String ref) {
    if (ref == null || ref.isEmpty() || ref.length() > FrameHandler.MAX_REF_LENGTH) {
      c.write(Frames.error(null, ErrorCode.BAD_REQUEST, "ref must be a string of 1 to " + FrameHandler.MAX_REF_LENGTH + " characters"));
      return null;
    }
    Object value = frame.getValue("users");
    if (!(value instanceof JsonArray array) || array.isEmpty()) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "users must be a non-empty array of user ids"));
      return null;
    }
    List<String> out = new ArrayList<>();
    for (Object o : array) {
      if (!(o instanceof String u) || !UserIds.valid(u)) {
        c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "users must hold user ids: " + dev.weft.common.UserIds.RULE));
        return null;
      }
      out.add(u);
    }
    return out;
  }
}
