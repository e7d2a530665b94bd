package dev.weft.gateway.groups;

import dev.weft.common.groups.GroupDirectory;
import dev.weft.common.groups.GroupState;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Whose group memberships this gateway holds: the users with a socket here, and those of an HTTP request in progress.
 * It is the group directory's {@link GroupDirectory.Filter}: a group is held while a loaded user is a current member,
 * and nothing else is, so a gateway's memory follows its connected users, not the number of groups in the cluster.
 *
 * <p>A user is loaded on the first {@link #acquire}: the persister answers with the snapshots of the user's groups as
 * of everything the inbound topic held when it was asked (a barrier), and the directory, which follows the groups
 * topic from the gateway's start, brings every change after that. The two are joined on the directory's thread, so
 * no snapshot is applied between them: a snapshot that came while the answer was on its way is kept aside and the
 * higher version of each group wins. The last {@link #release} forgets the groups no other loaded user is in.
 *
 * <p>Changes are made under this object's lock, taken inside the directory's per-group update (the filter); nothing
 * here calls the directory while holding it, so the two locks are always taken in one order. {@link #loaded} and
 * {@link #holds}, asked on every group frame from every event loop, read without it.
 */
public final class LoadedUsers implements GroupDirectory.Filter {

  /** Where a user's groups come from when the user is loaded: the persister. */
  @FunctionalInterface
  public interface Source {
    /** The snapshots of the groups {@code user} is a current member of, as of a barrier on the inbound topic. */
    Future<List<GroupState>> groupsOf(String user);
  }

  private static final class Entry {
    int refs;
    volatile boolean loaded;
    CompletableFuture<Void> ready = new CompletableFuture<>();
    /** Snapshots naming the user that came while its load was on its way: the latest of each group. */
    Map<String, GroupState> seen = new HashMap<>();
  }

  private final GroupDirectory groups;
  private final UserGroups index;
  private final Source source;
  private final java.util.concurrent.Executor joinOn;
  private final Map<String, Entry> users = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LoadedUsers.class);

  /** {@code joinOn} runs the join of a load with the directory: its reader's thread ({@link GroupDirectory#onReaderThread}). */
  public LoadedUsers(GroupDirectory groups, UserGroups index, Source source, java.util.concurrent.Executor joinOn) {
    this.groups = groups;
    this.index = index;
    this.source = source;
    this.joinOn = joinOn;
  }

  /**
   * Holds {@code user}'s memberships until the matching {@link #release}; the stage completes once they are loaded (a
   * load that failed is tried again by the next {@link #ready}). Any thread.
   */
  public CompletionStage<Void> acquire(String user) {
    Entry e;
    CompletableFuture<Void> ready;
    boolean start;
    synchronized (this) {
      e = users.computeIfAbsent(user, u -> new Entry());
      start = e.refs++ == 0;
      ready = e.ready;
    }
    if (start) {
      load(user, e, ready);
    }
    return ready;
  }

  /** Completes once {@code user}, who must be acquired, is loaded; starts the load again after a failed one. */
  public CompletionStage<Void> ready(String user) {
    Entry e;
    CompletableFuture<Void> ready;
    boolean again = false;
    synchronized (this) {
      e = users.get(user);
      if (e == null) {
        return CompletableFuture.failedFuture(new IllegalStateException(user + " is not acquired"));
      }
      if (e.ready.isCompletedExceptionally()) {
        e.ready = new CompletableFuture<>();
        e.seen = new HashMap<>();
        again = true;
      }
      ready = e.ready;
    }
    if (again) {
      load(user, e, ready);
    }
    return ready;
  }

  /** Gives back one {@link #acquire}; the last one forgets the groups that no other loaded user is a member of. */
  public void release(String user) {
    synchronized (this) {
      Entry e = users.get(user);
      if (e == null || --e.refs > 0) {
        return;
      }
      users.remove(user);
    }
    for (String conv : index.of(user)) {
      groups.reconsider(conv);
    }
  }

  /** True while {@code user} is acquired (loaded or loading). */
  public boolean holds(String user) {
    return users.containsKey(user);
  }

  /** True once {@code user}'s memberships are here. */
  public boolean loaded(String user) {
    Entry e = users.get(user);
    return e != null && e.loaded;
  }

  /** How many users are acquired. */
  public int size() {
    return users.size();
  }

  @Override
  public synchronized boolean keep(GroupState state) {
    boolean keep = false;
    for (var m : state.members().entrySet()) {
      Entry e = users.get(m.getKey());
      if (e == null) {
        continue;
      }
      if (e.loaded) {
        keep |= m.getValue().current();
      } else {
        e.seen.merge(state.conv(), state, LoadedUsers::newer);
      }
    }
    return keep;
  }

  private void load(String user, Entry e, CompletableFuture<Void> ready) {
    source.groupsOf(user).onComplete(r -> joinOn.execute(() -> {
      if (r.failed()) {
        long n = failures.incrementAndGet();
        if (n == 1 || n % 1_000 == 0) { // the first, then a line per thousand: an outage fails every connecting user
          log.warn("could not load a user's groups ({} failures so far; each is tried again at the user's next group"
              + " frame): {}", n, r.cause().toString());
        }
        ready.completeExceptionally(r.cause());
        return;
      }
      Map<String, GroupState> latest;
      synchronized (this) {
        if (users.get(user) != e || e.ready != ready) {
          ready.complete(null); // released (or reloading) meanwhile: nobody is owed these groups
          return;
        }
        latest = e.seen;
        e.seen = null;
        e.loaded = true;
      }
      for (GroupState g : r.result()) {
        latest.merge(g.conv(), g, LoadedUsers::newer);
      }
      latest.values().forEach(groups::put); // the filter keeps those the user (or another loaded one) is in
      ready.complete(null);
    }));
  }

  private static GroupState newer(GroupState a, GroupState b) {
    return a.version() >= b.version() ? a : b;
  }
}
