package dev.weft.gateway.ws;

import dev.weft.common.ConversationIds;
import dev.weft.common.UserIds;
import dev.weft.common.groups.GroupRules;
import dev.weft.common.groups.GroupState;
import dev.weft.gateway.groups.GroupQuotas;
import dev.weft.gateway.groups.Memberships;
import dev.weft.schemas.GroupEvent;
import dev.weft.schemas.GroupEventKind;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code group_create}, {@code group_add}, {@code group_remove}, {@code group_leave}: checked here against the
 * membership this gateway knows, then published to the conversation's own stream like a message, where routers
 * and persisters apply them in order with the same rules. The client gets the usual ack.
 */
final class GroupOps {

  static final int MAX_TITLE_LENGTH = 200;

  private final FrameHandler frames;
  private final Memberships memberships;
  private final int maxMembers;
  private final GroupQuotas quotas;

  GroupOps(FrameHandler frames, Memberships memberships, int maxMembers, GroupQuotas quotas) {
    this.frames = frames;
    this.memberships = memberships;
    this.maxMembers = maxMembers;
    this.quotas = quotas;
  }

  void handle(Connection c, String op, JsonObject frame, String ref) {
    if (ref == null || ref.isEmpty() || ref.length() > FrameHandler.MAX_REF_LENGTH) {
      c.write(Frames.error(null, ErrorCode.BAD_REQUEST, "ref must be a string of 1 to " + FrameHandler.MAX_REF_LENGTH + " characters"));
      return;
    }
    switch (op) {
      case "group_create" -> create(c, frame, ref);
      case "group_leave" -> change(c, frame, ref, GroupEventKind.LEFT, List.of());
      default -> {
        List<String> users = users(c, frame, ref, false);
        if (users != null) {
          change(c, frame, ref, op.equals("group_add") ? GroupEventKind.ADDED : GroupEventKind.REMOVED, users);
        }
      }
    }
  }

  private void create(Connection c, JsonObject frame, String ref) {
    Object title = frame.getValue("title");
    if (!(title instanceof String t) || t.isBlank() || t.length() > MAX_TITLE_LENGTH) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "title must be a non-blank string of at most " + MAX_TITLE_LENGTH + " characters"));
      return;
    }
    List<String> users = users(c, frame, ref, true);
    if (users == null) {
      return;
    }
    Set<String> all = new LinkedHashSet<>(users);
    all.remove(c.user);
    if (all.size() + 1 > maxMembers) {
      c.write(Frames.error(ref, ErrorCode.GROUP_TOO_LARGE, "a group has at most " + maxMembers + " members"));
      return;
    }
    List<String> members = new ArrayList<>();
    members.add(c.user);
    members.addAll(all);
    GroupEvent event = GroupEvent.newBuilder().setKind(GroupEventKind.CREATED).setTitle(t)
        .setUsers(new ArrayList<>(all)).setMaxMembers(maxMembers).build();
    String conv = ConversationIds.newGroup();
    GroupRules.Outcome outcome = GroupRules.apply(null, conv, 0, c.user, event);
    if (!outcome.applied()) {
      c.write(Frames.error(ref, ErrorCode.GROUP_TOO_LARGE, outcome.rejected()));
      return;
    }
    frames.inOrder(c, ref, () -> memberships.groupCounts(c.user, all, c.context),
        groupsOf -> unblocked(c, ref, all).map(ok -> {
          if (!ok) {
            return null;
          }
          // Last, so a request refused for any other reason spends nothing.
          GroupQuotas.Refusal over = quotas.create(c.user, all, groupsOf);
          if (over != null) {
            c.write(overQuota(ref, over));
          } else {
            frames.publish(c, ref, conv, members, "", event);
          }
          return null;
        }));
  }

  private void change(Connection c, JsonObject frame, String ref, GroupEventKind kind, List<String> users) {
    Object convValue = frame.getValue("conv");
    if (!(convValue instanceof String conv) || !ConversationIds.isGroup(conv)) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "conv must be the id of a group"));
      return;
    }
    if (memberships.now(conv, c.user) == null && !memberships.mustWait(conv, c.user)) {
      c.write(Frames.error(ref, ErrorCode.NOT_MEMBER, "no such group, or you are not a member of it"));
      return;
    }
    frames.inOrder(c, ref, () -> memberships.of(conv, c.user, c.context), access -> {
      GroupState g = access == null ? null : access.group();
      String refused = g == null ? null : refusal(g, c.user, kind, users);
      if (g == null) {
        c.write(Frames.error(ref, ErrorCode.NOT_MEMBER, "no such group, or you are not a member of it"));
      } else if (refused != null) {
        c.write(Frames.error(ref, refused.startsWith("admin") ? ErrorCode.NOT_ADMIN : ErrorCode.GROUP_TOO_LARGE, refused));
      } else {
        GroupEvent event = GroupEvent.newBuilder().setKind(kind).setUsers(new ArrayList<>(users)).build();
        // The routers' own check, on what this gateway knows: a change that would outgrow the group's record is
        // refused here, not discovered by a router.
        GroupRules.Outcome outcome = GroupRules.apply(g, conv, g.version() + 1, c.user, event);
        if (!outcome.applied() && (outcome.refusal() == GroupRules.Refusal.TOO_LARGE
            || outcome.refusal() == GroupRules.Refusal.TOO_MANY_MEMBERS)) {
          c.write(Frames.error(ref, ErrorCode.GROUP_TOO_LARGE, outcome.rejected()));
        } else {
          if (kind != GroupEventKind.ADDED) {
            frames.publish(c, ref, conv, g.currentMembers(), "", event);
            return Future.succeededFuture();
          }
          List<String> newcomers = users.stream().filter(u -> !g.isMember(u)).distinct().toList();
          return unblocked(c, ref, newcomers).compose(ok -> !ok ? Future.succeededFuture()
              : memberships.groupCounts(c.user, newcomers, c.context).onComplete(counted -> {
            GroupQuotas.Refusal over = counted.succeeded() ? quotas.add(c.user, newcomers, counted.result()) : null;
            if (counted.failed()) {
              c.write(Frames.error(ref, ErrorCode.UNAVAILABLE, counted.cause().getMessage()));
            } else if (over != null) {
              c.write(overQuota(ref, over));
            } else {
              frames.publish(c, ref, conv, g.currentMembers(), "", event);
            }
          }).<Void>mapEmpty()).<Void>mapEmpty().otherwiseEmpty();
        }
      }
      return Future.succeededFuture();
    });
  }

  /**
   * True when none of {@code users} blocks the caller; else false, and answered {@code blocked} naming them. Checked
   * on the pairs' one-to-one conversations, where blocks are kept.
   */
  private static Future<Boolean> unblocked(Connection c, String ref, java.util.Collection<String> users) {
    java.util.Map<String, String> convOf = new java.util.LinkedHashMap<>();
    users.stream().filter(u -> !u.equals(c.user))
        .forEach(u -> convOf.put(u, dev.weft.common.ConversationIds.direct(c.user, u)));
    if (convOf.isEmpty()) {
      return Future.succeededFuture(true);
    }
    return c.blocks.of(List.copyOf(convOf.values())).map(states -> {
      List<String> blockers = convOf.entrySet().stream()
          .filter(e -> states.get(e.getValue()).blockers().contains(e.getKey())).map(java.util.Map.Entry::getKey).toList();
      if (blockers.isEmpty()) {
        return true;
      }
      c.write(Frames.error(ref, ErrorCode.BLOCKED, "these users do not take your group invitations",
          new JsonObject().put("users", new JsonArray(blockers))));
      return false;
    }).recover(e -> {
      c.write(Frames.error(ref, ErrorCode.UNAVAILABLE, "cannot tell now whether these users take you; retry"));
      return Future.succeededFuture(false);
    });
  }

  private static String overQuota(String ref, GroupQuotas.Refusal over) {
    JsonObject details = new JsonObject().put("quota", over.quota());
    if (over.retryAfterMs() > 0) {
      details.put("retry_after_ms", over.retryAfterMs());
    }
    return Frames.error(ref, ErrorCode.QUOTA_EXCEEDED, over.message(), details);
  }

  /** Why the caller may not make this change, or null. The routers apply the same rules again, in order. */
  private static String refusal(GroupState g, String user, GroupEventKind kind, List<String> users) {
    if (kind == GroupEventKind.LEFT) {
      return null;
    }
    if (!g.isAdmin(user)) {
      return "admins only: you are not an admin of this group";
    }
    if (kind == GroupEventKind.ADDED) {
      long newcomers = users.stream().filter(u -> !g.isMember(u)).count();
      if (g.size() + newcomers > g.maxMembers()) {
        return "a group has at most " + g.maxMembers() + " members; it has " + g.size();
      }
    }
    return null;
  }

  /** The {@code members} array: user ids, at most the group limit; null (and an error sent) when it is not. */
  private List<String> users(Connection c, JsonObject frame, String ref, boolean mayBeEmpty) {
    Object value = frame.getValue("members");
    if (!(value instanceof JsonArray array) || (!mayBeEmpty && array.isEmpty())) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "members must be " + (mayBeEmpty ? "an" : "a non-empty") + " array of user ids"));
      return null;
    }
    if (array.size() > maxMembers) {
      c.write(Frames.error(ref, ErrorCode.GROUP_TOO_LARGE, "a group has at most " + maxMembers + " members"));
      return null;
    }
    List<String> out = new ArrayList<>();
    for (Object o : array) {
      if (!(o instanceof String u) || !UserIds.valid(u)) {
        c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "members must hold user ids: " + dev.weft.common.UserIds.RULE));
        return null;
      }
      out.add(u);
    }
    return out;
  }
}
