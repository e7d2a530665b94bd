package dev.weft.gateway.groups;

import dev.weft.common.ConversationIds;
import dev.weft.common.groups.GroupDirectory;
import dev.weft.common.groups.GroupState;
import dev.weft.gateway.ops.GatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Who may write to and read a conversation, as this gateway knows it: one-to-one members from the id, group members
 * from the group directory (the routers' snapshots). A lookup that says no is asked again once the directory has
 * read everything written so far, so a member who just joined (or a group just created) is not refused because
 * this gateway had not heard yet. Only misses wait.
 */
public final class Memberships {

  /** How long a missed lookup may wait for the directory to catch up. */
  private static final long FRESH_WAIT_MS = 3_000;
  private static final long RETRY_MS = 50;

  /** A member's view of a conversation: its current members, and the seq from which the member may read it. */
  public record Access(List<String> members, long readsFrom, GroupState group) {}

  private final GroupDirectory groups;
  private final GatewayMetrics metrics;

  public Memberships(GroupDirectory groups, GatewayMetrics metrics) {
    this.groups = groups;
    this.metrics = metrics;
  }

  /** The access {@code user} has now, or null, without waiting. */
  public Access now(String conv, String user) {
    if (!ConversationIds.isGroup(conv)) {
      return ConversationIds.directMembers(conv).filter(m -> m.contains(user)).map(m -> new Access(m, 0, null)).orElse(null);
    }
    GroupState g = groups.get(conv);
    if (g == null || !g.isMember(user)) {
      return null;
    }
    return new Access(g.currentMembers(), g.members().get(user).joined(), g);
  }

  /** The group as known now (null: not known here yet), without waiting. */
  public GroupState group(String conv) {
    return groups.get(conv);
  }

  /**
   * The access {@code user} has, asking the directory to catch up first when the answer now is no, and asking again
   * for a while: a group created (or a member added) a moment ago may not be applied by its router yet.
   */
  public Future<Access> of(String conv, String user, Context context) {
    Access a = now(conv, user);
    if (a != null || !ConversationIds.isGroup(conv)) {
      return Future.succeededFuture(a);
    }
    metrics.groupLookup("waited");
    return retry(conv, user, context, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FRESH_WAIT_MS));
  }

  private Future<Access> retry(String conv, String user, Context context, long deadline) {
    return fresh(context).compose(v -> {
      Access a = now(conv, user);
      if (a != null || System.nanoTime() > deadline) {
        return Future.succeededFuture(a);
      }
      return Future.<Void>future(p -> context.owner().setTimer(RETRY_MS, t -> p.complete()))
          .compose(w -> retry(conv, user, context, deadline));
    });
  }

  /** Completes on {@code context} once the directory holds everything written before this call. */
  public Future<Void> fresh(Context context) {
    return Future.fromCompletionStage(groups.fresh().orTimeout(FRESH_WAIT_MS, TimeUnit.MILLISECONDS), context)
        .recover(e -> Future.succeededFuture()); // a slow directory answers with what it has
  }
}
