package dev.weft.gateway.ws;

import dev.weft.schemas.Delivery;
import dev.weft.schemas.ReceiptDelivery;
import dev.weft.schemas.ReceiptKind;
import io.vertx.core.json.JsonObject;

/** The JSON frames the gateway writes. */
final class Frames {

  private Frames() {}

  static String welcome(Connection c, String gateway) {
    return new JsonObject().put("op", "welcome").put("user", c.user).put("device", c.device)
        .put("gateway", gateway).put("session", c.session).encode();
  }

  static String ack(String ref, String conv, long seq, String id, long ts) {
    return new JsonObject().put("op", "ack").put("ref", ref).put("conv", conv).put("seq", seq)
        .put("id", id).put("ts", ts).encode();
  }

  static String error(String ref, ErrorCode code, String message) {
    return error(ref, code, message, null);
  }

  /** An error with fields beyond the usual ones ({@code details}: null for none), such as a quota's name. */
  static String error(String ref, ErrorCode code, String message, JsonObject details) {
    JsonObject o = new JsonObject().put("op", "error");
    if (ref != null) {
      o.put("ref", ref);
    }
    o.put("code", code.code).put("message", message);
    if (code.retryable) {
      o.put("retry", true);
    }
    if (details != null) {
      details.forEach(e -> o.put(e.getKey(), e.getValue()));
    }
    return o.encode();
  }

  static String receiptAck(String ref, String conv, ReceiptKind kind, long seq) {
    return new JsonObject().put("op", "ack").put("ref", ref).put("conv", conv)
        .put("kind", kind.name().toLowerCase(java.util.Locale.ROOT)).put("seq", seq).encode();
  }

  static String receipt(ReceiptDelivery r) {
    return new JsonObject().put("op", "receipt").put("conv", r.getConv()).put("user", r.getUser())
        .put("kind", r.getKind().name().toLowerCase(java.util.Locale.ROOT)).put("seq", r.getSeq()).encode();
  }

  /** A receipt frame for one stored position, as catch-up replays them. */
  static String receipt(String conv, String user, String kind, long seq) {
    return new JsonObject().put("op", "receipt").put("conv", conv).put("user", user).put("kind", kind).put("seq", seq)
        .encode();
  }

  /** The answer to a {@code refresh}: the socket now lives until {@code exp} (epoch ms). */
  static String refreshed(String ref, long exp) {
    JsonObject o = new JsonObject().put("op", "ack");
    if (ref != null) {
      o.put("ref", ref);
    }
    return o.put("exp", exp).encode();
  }

  /** The answer to a frame that needs no more than "done". */
  static String ackOnly(String ref) {
    return new JsonObject().put("op", "ack").put("ref", ref).encode();
  }

  static String presence(String user, dev.weft.gateway.presence.PresenceDirectory.Presence p) {
    JsonObject o = new JsonObject().put("op", "presence").put("user", user).put("online", p.online());
    if (!p.online() && p.lastSeen() >= 0) {
      o.put("last_seen", p.lastSeen());
    }
    return o.encode();
  }

  static String typing(dev.weft.schemas.Typing t) {
    return new JsonObject().put("op", "typing").put("conv", t.getConv()).put("user", t.getUser())
        .put("state", t.getStarted() ? "started" : "stopped").put("expires_in_ms", t.getTtlMs()).encode();
  }

  /** Catch-up is over: what follows is live. */
  static String synced(String cursor, boolean reset) {
    JsonObject o = new JsonObject().put("op", "synced").put("cursor", cursor);
    if (reset) {
      o.put("reset", true);
    }
    return o.encode();
  }

  /**
   * The same {@code msg} frame with the cursor that follows it. Spliced rather than re-encoded: one frame is shared by
   * every recipient socket, each with its own cursor, and a cursor holds only characters JSON needs no escape for.
   */
  static String withCursor(String msgFrame, String cursor) {
    return msgFrame.substring(0, msgFrame.length() - 1) + ",\"cursor\":\"" + cursor + "\"}";
  }

  /** The frame for a delivery: a {@code msg}, or an {@code event} for a group membership change. */
  static String delivery(Delivery d) {
    return d.getEvent() != null ? event(d) : d.getAction() != null ? action(d) : msg(d);
  }

  /** To the blocker's other devices: {@code user} is the other member of the conversation. */
  static String block(Delivery d) {
    String other = dev.weft.common.ConversationIds.otherMember(d.getConv(), d.getFrom()).orElse("");
    return new JsonObject().put("op", "block").put("conv", d.getConv()).put("seq", d.getSeq()).put("id", d.getId())
        .put("user", other).put("blocked", d.getBlock().getBlocked()).put("ts", d.getTs()).encode();
  }

  /** An {@code edit}, {@code delete} or {@code react}: an entry of the stream, ordered and resumed like a message. */
  static String action(Delivery d) {
    JsonObject o = new JsonObject();
    dev.weft.common.MessageContent.actionFields(d.getAction()).forEach(o::put);
    o.put("conv", d.getConv()).put("seq", d.getSeq()).put("id", d.getId()).put("from", d.getFrom()).put("ts", d.getTs());
    if (d.getAction().getKind() == dev.weft.schemas.MessageActionKind.EDIT) {
      o.put("text", d.getText());
    }
    return o.encode();
  }

  static String event(Delivery d) {
    JsonObject o = new JsonObject().put("op", "event").put("conv", d.getConv()).put("seq", d.getSeq())
        .put("id", d.getId()).put("from", d.getFrom()).put("ts", d.getTs())
        .put("event", d.getEvent().getKind().name().toLowerCase(java.util.Locale.ROOT));
    if (d.getEvent().getTitle() != null) {
      o.put("title", d.getEvent().getTitle());
    }
    io.vertx.core.json.JsonArray users = new io.vertx.core.json.JsonArray();
    d.getEvent().getUsers().forEach(u -> users.add(u.toString()));
    return o.put("users", users).encode();
  }

  static String msg(Delivery d) {
    JsonObject o = new JsonObject().put("op", "msg").put("conv", d.getConv()).put("seq", d.getSeq())
        .put("id", d.getId()).put("from", d.getFrom()).put("ts", d.getTs()).put("text", d.getText());
    dev.weft.common.MessageContent.fields(d.getReplyTo(), d.getAttachments()).forEach(o::put);
    return o.encode();
  }
}
