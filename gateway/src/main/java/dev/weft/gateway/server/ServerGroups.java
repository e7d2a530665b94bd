package dev.weft.gateway.server;

import dev.weft.common.ConversationIds;
import dev.weft.common.SystemSender;
import dev.weft.common.groups.GroupRules;
import dev.weft.gateway.http.HttpErrors;
import dev.weft.gateway.http.PersisterGroups;
import dev.weft.schemas.GroupEvent;
import dev.weft.schemas.GroupEventKind;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/server/groups} creates a group with a user as its first admin; {@code POST
 * /v1/server/groups/<conv>/members} adds and removes members as the system, which is an admin of every group. Each is
 * a group event in the group's own stream, applied by routers and persisters with the same rules as a client's.
 * The per-user quotas of clients do not apply: the backend is trusted. The group's size limit does.
 */
final class ServerGroups {

  private static final int MAX_TITLE_LENGTH = 200;

  private final ServerWrites writes;
  private final PersisterGroups groups;
  private final int maxMembers;

  ServerGroups(ServerWrites writes, PersisterGroups groups, int maxMembers) {
    this.writes = writes;
    this.groups = groups;
    this.maxMembers = maxMembers;
  }

  void create(RoutingContext ctx) {
    JsonObject body = ServerRequests.body(ctx, false);
    if (body == null) {
      return;
    }
    if (!(body.getValue("title") instanceof String title) || title.isBlank() || title.length() > MAX_TITLE_LENGTH) {
      HttpErrors.send(ctx.response(), 400, "bad_request",
          "title must be a non-blank string of at most " + MAX_TITLE_LENGTH + " characters");
      return;
    }
    String admin = ServerRequests.user(ctx, body.getValue("admin"), "admin");
    if (admin == null) {
      return;
    }
    List<String> users = ServerRequests.users(ctx, body.getValue("members"), "members", maxMembers);
    if (users == null) {
      return;
    }
    List<String> others = new ArrayList<>(users);
    others.remove(admin);
    if (others.size() + 1 > maxMembers) {
      HttpErrors.send(ctx.response(), 409, "group_too_large", "a group has at most " + maxMembers + " members");
      return;
    }
    GroupEvent event = GroupEvent.newBuilder().setKind(GroupEventKind.CREATED).setTitle(title).setUsers(others)
        .setMaxMembers(maxMembers).build();
    String conv = ConversationIds.newGroup();
    GroupRules.Outcome outcome = GroupRules.apply(null, conv, 0, admin, event);
    if (!outcome.applied()) {
      HttpErrors.send(ctx.response(), 409, "group_too_large", outcome.rejected());
      return;
    }
    List<String> members = new ArrayList<>();
    members.add(admin);
    members.addAll(others);
    writes.toConversation(conv, admin, members, "", event, null)
        .onSuccess(w -> ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
            .end(w.json().put("members", new JsonArray(members)).encode()))
        .onFailure(e -> ServerWrites.failed(ctx, e));
  }

  void changeMembers(RoutingContext ctx) {
    String conv = ctx.pathParam("conv");
    if (!ConversationIds.isGroup(conv)) {
      HttpErrors.send(ctx.response(), 400, "bad_request", "conv must be the id of a group");
      return;
    }
    JsonObject body = ServerRequests.body(ctx, false);
    if (body == null) {
      return;
    }
    List<String> add = ServerRequests.users(ctx, body.getValue("add"), "add", maxMembers);
    if (add == null) {
      return;
    }
    List<String> remove = ServerRequests.users(ctx, body.getValue("remove"), "remove", maxMembers);
    if (remove == null) {
      return;
    }
    if (add.isEmpty() && remove.isEmpty()) {
      HttpErrors.send(ctx.response(), 400, "bad_request", "give add or remove, a non-empty array of user ids");
      return;
    }
    if (add.stream().anyMatch(remove::contains)) {
      HttpErrors.send(ctx.response(), 400, "bad_request", "a user is both in add and in remove");
      return;
    }
    ServerRequests.withGroup(ctx, groups, conv, g -> {
      long newcomers = add.stream().filter(u -> !g.isMember(u)).count();
      long leaving = remove.stream().filter(g::isMember).count();
      // Removals are written after the additions: the group must hold the additions first.
      if (g.size() + newcomers > g.maxMembers()) {
        HttpErrors.send(ctx.response(), 409, "group_too_large",
            "a group has at most " + g.maxMembers() + " members; it has " + g.size() + " and would have "
                + (g.size() + newcomers - leaving));
        return;
      }
      List<String> members = g.currentMembers();
      JsonArray changes = new JsonArray();
      Future<Void> done = Future.succeededFuture();
      if (!add.isEmpty()) {
        done = done.compose(v -> change(conv, GroupEventKind.ADDED, add, members, changes));
      }
      if (!remove.isEmpty()) {
        done = done.compose(v -> change(conv, GroupEventKind.REMOVED, remove, members, changes));
      }
      done.onSuccess(v -> ctx.json(new JsonObject().put("conv", conv).put("changes", changes)))
          .onFailure(e -> ServerWrites.failed(ctx, e));
    });
  }

  private Future<Void> change(String conv, GroupEventKind kind, List<String> users, List<String> members,
      JsonArray changes) {
    GroupEvent event = GroupEvent.newBuilder().setKind(kind).setUsers(new ArrayList<>(users)).build();
    return writes.toConversation(conv, SystemSender.ID, members, "", event, null)
        .onSuccess(w -> changes.add(w.json().put("kind", kind.name().toLowerCase(java.util.Locale.ROOT))
            .put("users", new JsonArray(users))))
        .mapEmpty();
  }
}
