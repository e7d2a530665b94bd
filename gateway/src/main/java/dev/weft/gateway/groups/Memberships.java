package dev.weft.gateway.groups;

import dev.weft.common.ConversationIds;
import dev.weft.common.groups.GroupDirectory;
import dev.weft.common.groups.GroupState;
import dev.weft.gateway.config.LookupSettings;
import dev.weft.gateway.ops.GatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Who may write to and read a conversation, as this gateway knows it: one-to-one members from the id, group members
 * from the group directory (the routers' snapshots). A group lookup that says no waits a bounded while for the
 * router's snapshot, so a member who just joined (or a group just created) is not refused because this gateway had
 * not heard yet; only misses wait. A group id still unknown after that wait is remembered for a while, and answered
 * no at once.
 *
 * <p>What a miss costs: timers on the caller's event loop, backing off, then one request to the directory, which
 * serves all such requests of an iteration with one broker call. The callers bound how many misses one client has
 * waiting.
 */
public final class Memberships {

  /** The first look again after a miss; each later one waits twice as long, up to {@link #LAST_RETRY_MS}. */
  private static final long FIRST_RETRY_MS = 25;
  /** Looks stay this close together however long the wait, so a late snapshot is noticed soon after it arrives. */
  private static final long LAST_RETRY_MS = 400;
  /** How long the directory may take to catch up at the end of a wait; a slow one answers with what it has. */
  private static final long FRESH_TIMEOUT_MS = 3_000;

  /** A member's view of a conversation: its current members, and the seq from which the member may read it. */
  public record Access(List<String> members, long readsFrom, GroupState group) {}

  private final GroupDirectory groups;
  private final UserGroups userGroups;
  private final long waitNanos;
  private final UnknownGroups unknown;
  private final GatewayMetrics metrics;
  private final LongSupplier nanoTime;

  /** {@code userGroups} must listen to {@code groups} (see {@link GroupDirectory#onChange}). */
  public Memberships(GroupDirectory groups, UserGroups userGroups, LookupSettings settings, GatewayMetrics metrics,
      LongSupplier nanoTime) {
    this.groups = groups;
    this.userGroups = userGroups;
    this.waitNanos = TimeUnit.MILLISECONDS.toNanos(settings.waitMs());
    this.unknown = new UnknownGroups(settings.unknownTtlMs(), settings.unknownMax(), nanoTime);
    this.metrics = metrics;
    this.nanoTime = nanoTime;
    metrics.unknownGroups(unknown::size);
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

  /** Each user's current groups, as this gateway knows them. */
  public UserGroups userGroups() {
    return userGroups;
  }

  /** The group as known now (null: not known here yet), without waiting. */
  public GroupState group(String conv) {
    return groups.get(conv);
  }

  /**
   * True when {@link #of} would wait: the user has no access now, but a snapshot on its way may still give it. False
   * when the answer is settled now: access, not a group's id, or a group id this gateway waited for lately in vain
   * (counted as answered from the negative cache). Call it once per decision.
   */
  public boolean mustWait(String conv, String user) {
    if (!ConversationIds.isGroup(conv) || now(conv, user) != null) {
      return false;
    }
    if (groups.get(conv) != null) {
      unknown.remove(conv); // its snapshot arrived: the entry says nothing any more
      return true;
    }
    if (unknown.contains(conv)) {
      metrics.groupLookup("cached_unknown");
      return false;
    }
    return true;
  }

  /**
   * The access {@code user} has (null: none). When the answer now is no, looks again, backing off, until the wait
   * ends or the answer is yes; then asks the directory to catch up once and decides. Completes on {@code context}.
   */
  public Future<Access> of(String conv, String user, Context context) {
    if (!mustWait(conv, user)) {
      return Future.succeededFuture(now(conv, user));
    }
    metrics.groupLookup("waited");
    return lookAgain(conv, user, context, nanoTime.getAsLong() + waitNanos, FIRST_RETRY_MS);
  }

  private Future<Access> lookAgain(String conv, String user, Context context, long deadline, long delayMs) {
    Access a = now(conv, user);
    if (a != null) {
      return Future.succeededFuture(a);
    }
    long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - nanoTime.getAsLong());
    if (leftMs <= 0) {
      return settle(conv, user, context);
    }
    // The directory reads the groups topic all the time: looking at what it holds needs no request to it.
    return Future.<Void>future(p -> context.owner().setTimer(Math.min(delayMs, leftMs), t -> p.complete()))
        .compose(v -> lookAgain(conv, user, context, deadline, Math.min(delayMs * 2, LAST_RETRY_MS)));
  }

  /** The end of a wait: everything written before now is applied, so the answer is what the directory says. */
  private Future<Access> settle(String conv, String user, Context context) {
    return fresh(context).map(v -> {
      Access a = now(conv, user);
      if (a == null && groups.get(conv) == null) {
        unknown.add(conv);
      }
      return a;
    });
  }

  /** Completes on {@code context} once the directory holds everything written before this call. */
  public Future<Void> fresh(Context context) {
    return Future.fromCompletionStage(groups.fresh().orTimeout(FRESH_TIMEOUT_MS, TimeUnit.MILLISECONDS), context)
        .recover(e -> Future.succeededFuture()); // a slow directory answers with what it has
  }
}
