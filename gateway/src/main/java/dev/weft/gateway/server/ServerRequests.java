package dev.weft.gateway.server;

import dev.weft.common.UserIds;
import dev.weft.gateway.http.HttpErrors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/** Reading a server API request's body and fields; each returns null after answering 400 when they are not right. */
final class ServerRequests {

  private ServerRequests() {}

  /** The body as a JSON object; an empty body is an empty object when {@code mayBeEmpty}. */
  static JsonObject body(RoutingContext ctx, boolean mayBeEmpty) {
    String text = ctx.body() == null ? null : ctx.body().asString();
    if (text == null || text.isBlank()) {
      if (mayBeEmpty) {
        return new JsonObject();
      }
      HttpErrors.send(ctx.response(), 400, "bad_json", "the body must be a JSON object");
      return null;
    }
    try {
      return new JsonObject(text);
    } catch (RuntimeException e) {
      HttpErrors.send(ctx.response(), 400, "bad_json", "the body is not a JSON object");
      return null;
    }
  }

  /** Runs {@code then} with the group as stored; answers 503 or 404 {@code no_such_group} itself. */
  static void withGroup(RoutingContext ctx, dev.weft.gateway.http.PersisterGroups groups, String conv,
      java.util.function.Consumer<dev.weft.common.groups.GroupState> then) {
    groups.group(conv).onComplete(r -> {
      if (r.failed()) {
        HttpErrors.send(ctx.response(), 503, "unavailable", "cannot read the group now; retry: " + r.cause().getMessage());
      } else if (r.result() == null) {
        HttpErrors.send(ctx.response(), 404, "no_such_group", "no such group");
      } else {
        then.accept(r.result());
      }
    });
  }

  /** A user id: in the path or a body field. */
  static String user(RoutingContext ctx, Object value, String field) {
    if (value instanceof String s && UserIds.valid(s)) {
      return s;
    }
    HttpErrors.send(ctx.response(), 400, "bad_request", field + " must be a user id: " + UserIds.RULE);
    return null;
  }

  /** An array of user ids, at most {@code max}; absent is empty. */
  static List<String> users(RoutingContext ctx, Object value, String field, int max) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array) || array.size() > max) {
      HttpErrors.send(ctx.response(), 400, "bad_request", field + " must be an array of at most " + max + " user ids");
      return null;
    }
    List<String> out = new ArrayList<>();
    for (Object o : array) {
      if (!(o instanceof String u) || !UserIds.valid(u)) {
        HttpErrors.send(ctx.response(), 400, "bad_request", field + " must hold user ids: " + UserIds.RULE);
        return null;
      }
      if (!out.contains(u)) {
        out.add(u);
      }
    }
    return out;
  }
}
