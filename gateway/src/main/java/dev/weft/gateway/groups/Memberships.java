package dev.weft.gateway.groups;

import dev.weft.common.ConversationIds;
import dev.weft.common.groups.GroupDirectory;
import dev.weft.common.groups.GroupState;
import dev.weft.gateway.config.LookupSettings;
import dev.weft.gateway.ops.GatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Who may write to and read a conversation, as this gateway knows it: one-to-one members from the id, group members
 * from the group directory (the routers' snapshots), which holds the groups of the users loaded here
 * ({@link LoadedUsers}). A user with a socket here is loaded from the moment it connects; a group lookup for a user
 * still loading waits for the load, and one for a user not held here (an HTTP request) loads the user for the while.
 * A group lookup that says no waits a bounded while for the router's snapshot, so a member who just joined (or a group just created) is not refused because this gateway had
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
  /** Longest wait for a user's groups to load (a barrier in the persister, then its database); then unavailable. */
  private static final long LOAD_TIMEOUT_MS = 10_000;

  /** How many groups each user is a current member of, across the cluster: the persister. */
  @FunctionalInterface
  public interface Counts {
    /** A user absent from the answer is in none. */
    Future<Map<String, Integer>> countsOf(List<String> users);
  }

  /** A user's groups could not be loaded: the answer is unknown, not no. */
  public static final class Unavailable extends RuntimeException {
    Unavailable(Throwable cause) {
      super("group memberships could not be looked up: " + cause.getMessage() + "; retry", cause, false, false);
    }
  }

  /** A member's view of a conversation: its current members, and the seq from which the member may read it. */
  public record Access(List<String> members, long readsFrom, GroupState group) {}

  private final GroupDirectory groups;
  private final UserGroups userGroups;
  private final LoadedUsers users;
  private final Counts counts;
  private final long waitNanos;
  private final UnknownGroups unknown;
  private final GatewayMetrics metrics;
  private final LongSupplier nanoTime;

  /**
   * {@code userGroups} must listen to {@code groups} (see {@link GroupDirectory#onChange}), and {@code users} be its
   * filter ({@link GroupDirectory#retainOnly}).
   */
  public Memberships(GroupDirectory groups, UserGroups userGroups, LoadedUsers users, Counts counts,
      LookupSettings settings, GatewayMetrics metrics, LongSupplier nanoTime) {
    this.groups = groups;
    this.userGroups = userGroups;
    this.users = users;
    this.counts = counts;
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
    GroupState g = users.loaded(user) ? groups.get(conv) : null;
    if (g == null || !g.isMember(user)) {
      return null;
    }
    return new Access(g.currentMembers(), g.members().get(user).joined(), g);
  }

  /** The users whose groups are held here. */
  public LoadedUsers users() {
    return users;
  }

  /** Each user's current groups, as this gateway knows them. */
  public UserGroups userGroups() {
    return userGroups;
  }

  /**
   * How many groups each of {@code self} (who has a socket here) and {@code others} is a current member of: from what
   * is held here for users loaded here, from the persister for the rest (as of everything the inbound topic held when
   * asked). Completes on {@code context}; fails when either could not tell.
   */
  public Future<ToIntFunction<String>> groupCounts(String self, Collection<String> others, Context context) {
    List<String> far = others.stream().filter(u -> !users.loaded(u)).distinct().toList();
    Future<Map<String, Integer>> asked = far.isEmpty() ? Future.succeededFuture(Map.of()) : counts.countsOf(far);
    Future<Void> mine = users.holds(self) ? loadOf(self, context) : Future.failedFuture(self + " has no socket here");
    Future<ToIntFunction<String>> answer = Future.all(mine, asked).map(done -> {
      Map<String, Integer> remote = asked.result();
      java.util.Set<String> asFar = java.util.Set.copyOf(far);
      return u -> asFar.contains(u) ? remote.getOrDefault(u, 0) : userGroups.count(u);
    });
    // The web client completes on its own context; hop back so the caller touches its socket on its event loop.
    return Future.<ToIntFunction<String>>future(p -> answer.onComplete(r -> context.runOnContext(v -> p.handle(r))))
        .recover(e -> Future.failedFuture(new Unavailable(e)));
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
    if (!users.loaded(user)) {
      return true; // its groups are on their way
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
   * ends or the answer is yes; then asks the directory to catch up once and decides. Completes on {@code context};
   * fails with {@link Unavailable} when the user's groups could not be loaded.
   */
  public Future<Access> of(String conv, String user, Context context) {
    if (!ConversationIds.isGroup(conv) || users.loaded(user)) {
      return decide(conv, user, context);
    }
    boolean held = users.holds(user);
    if (!held) {
      users.acquire(user);
    }
    Future<Access> access = loadOf(user, context)
        .recover(e -> Future.failedFuture(new Unavailable(e)))
        .compose(v -> decide(conv, user, context));
    return held ? access : access.andThen(r -> users.release(user));
  }

  /** Completes on {@code context} once {@code user} (acquired) is loaded; fails after {@link #LOAD_TIMEOUT_MS}. */
  private Future<Void> loadOf(String user, Context context) {
    var load = users.ready(user).toCompletableFuture().copy() // the timeout is this caller's, not every waiter's
        .orTimeout(LOAD_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    return Future.fromCompletionStage(load, context);
  }

  private Future<Access> decide(String conv, String user, Context context) {
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

  /**
   * Completes on {@code context} once {@code user}'s groups are loaded (when the user is held here) and the directory
   * holds everything written before this call. Never fails: a slow load or directory answers with what is here.
   */
  public Future<Void> fresh(String user, Context context) {
    if (!users.holds(user) || users.loaded(user)) {
      return fresh(context);
    }
    return loadOf(user, context).otherwiseEmpty().compose(v -> fresh(context));
  }

  /** Completes on {@code context} once the directory holds everything written before this call. */
  public Future<Void> fresh(Context context) {
    return Future.fromCompletionStage(groups.fresh().orTimeout(FRESH_TIMEOUT_MS, TimeUnit.MILLISECONDS), context)
        .recover(e -> Future.succeededFuture()); // a slow directory answers with what it has
  }
}
