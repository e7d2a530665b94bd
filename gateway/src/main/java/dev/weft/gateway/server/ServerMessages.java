package dev.weft.gateway.server;

import dev.weft.common.ConversationIds;
import dev.weft.common.SystemSender;
import dev.weft.gateway.http.HttpErrors;
import dev.weft.gateway.http.PersisterGroups;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /v1/server/messages}: a message into a conversation on behalf of a user ({@code from}), who must be a
 * member as for their own send, or a notice from the system ({@code from} left out), which goes to every current
 * member and reaches clients with {@code "from": ""}. Ordered, routed, stored and caught up like any message.
 */
final class ServerMessages {

  private static final int MAX_REF_LENGTH = 128;

  private final ServerWrites writes;
  private final PersisterGroups groups;
  private final int maxTextBytes;

  ServerMessages(ServerWrites writes, PersisterGroups groups, int maxTextBytes) {
    this.writes = writes;
    this.groups = groups;
    this.maxTextBytes = maxTextBytes;
  }

  void publish(RoutingContext ctx) {
    JsonObject body = ServerRequests.body(ctx, false);
    if (body == null) {
      return;
    }
    if (!(body.getValue("text") instanceof String text) || text.isEmpty()) {
      HttpErrors.send(ctx.response(), 400, "bad_request", "text is missing or not a non-empty string");
      return;
    }
    if (text.length() > maxTextBytes || text.getBytes(StandardCharsets.UTF_8).length > maxTextBytes) {
      HttpErrors.send(ctx.response(), 400, "text_too_long", "text is over " + maxTextBytes + " bytes (WEFT_MAX_TEXT_BYTES)");
      return;
    }
    Object refValue = body.getValue("ref");
    if (refValue != null && !(refValue instanceof String r && !r.isEmpty() && r.length() <= MAX_REF_LENGTH)) {
      HttpErrors.send(ctx.response(), 400, "bad_request", "ref must be a string of 1 to " + MAX_REF_LENGTH + " characters");
      return;
    }
    String ref = (String) refValue;
    String from = SystemSender.ID;
    if (body.getValue("from") != null) {
      from = ServerRequests.user(ctx, body.getValue("from"), "from");
      if (from == null) {
        return;
      }
    }
    Object to = body.getValue("to");
    Object convValue = body.getValue("conv");
    if ((to == null) == (convValue == null)) {
      HttpErrors.send(ctx.response(), 400, "bad_request", "give exactly one of to (a user id, with from) or conv");
      return;
    }
    String conv;
    if (to != null) {
      String recipient = ServerRequests.user(ctx, to, "to");
      if (recipient == null) {
        return;
      }
      if (SystemSender.is(from) || recipient.equals(from)) {
        HttpErrors.send(ctx.response(), 400, "bad_recipient",
            "to needs a from that is another user; a system notice names its conv");
        return;
      }
      conv = ConversationIds.direct(from, recipient);
    } else if (convValue instanceof String c) {
      conv = c;
    } else {
      HttpErrors.send(ctx.response(), 400, "bad_request", "conv must be a string");
      return;
    }
    String sender = from;
    Optional<List<String>> direct = ConversationIds.directMembers(conv);
    if (direct.isPresent()) {
      if (!SystemSender.is(sender) && !direct.get().contains(sender)) {
        notMember(ctx, sender);
        return;
      }
      write(ctx, conv, sender, direct.get(), text, ref);
      return;
    }
    if (!ConversationIds.isGroup(conv)) {
      HttpErrors.send(ctx.response(), 400, "bad_request", "conv is neither a one-to-one nor a group conversation id");
      return;
    }
    ServerRequests.withGroup(ctx, groups, conv, g -> {
      if (!SystemSender.is(sender) && !g.isMember(sender)) {
        notMember(ctx, sender);
      } else {
        write(ctx, conv, sender, g.currentMembers(), text, ref);
      }
    });
  }

  private void write(RoutingContext ctx, String conv, String from, List<String> members, String text, String ref) {
    writes.toConversation(conv, from, members, text, null, ref)
        .onSuccess(w -> ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
            .end(w.json().put("from", from).encode()))
        .onFailure(e -> ServerWrites.failed(ctx, e));
  }

  private static void notMember(RoutingContext ctx, String user) {
    HttpErrors.send(ctx.response(), 403, "not_member", "from is not a member of the conversation");
  }
}
