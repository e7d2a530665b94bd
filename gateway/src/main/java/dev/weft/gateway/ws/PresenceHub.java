package dev.weft.gateway.ws;

import dev.weft.gateway.presence.PresenceAccess;
import dev.weft.gateway.presence.PresenceDirectory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which local sockets follow whose presence, and pushing each change to them. The directory holds a user's presence
 * while at least one local socket follows them: the first follower has it loaded, the last one leaving forgets it.
 */
public final class PresenceHub {

  /** A followed user: the local sockets following, and the directory's load of their presence. */
  private static final class Watch {
    final Set<Connection> followers = ConcurrentHashMap.newKeySet();
    final CompletableFuture<Void> loaded;

    Watch(CompletableFuture<Void> loaded) {
      this.loaded = loaded;
    }
  }

  private final PresenceDirectory directory;
  private final PresenceAccess access;
  private final Map<String, Watch> watched = new ConcurrentHashMap<>();

  public PresenceHub(PresenceDirectory directory, PresenceAccess access) {
    this.directory = directory;
    this.access = access;
    directory.onChange((user, p) -> {
      Watch w = watched.get(user);
      if (w != null) {
        String frame = Frames.presence(user, p);
        w.followers.forEach(c -> c.pushEphemeral(frame));
      }
    });
  }

  /** Whose presence a user may follow. */
  PresenceAccess access() {
    return access;
  }

  PresenceDirectory.Presence of(String user) {
    return directory.of(user);
  }

  /**
   * {@code c} follows these users; completes once each one's presence is loaded (at once for users followed here
   * already), or fails when it could not be loaded. The users nobody here followed are asked for together.
   */
  CompletableFuture<Void> follow(Connection c, List<String> users) {
    List<CompletableFuture<Void>> loads = new ArrayList<>();
    synchronized (this) {
      List<String> fresh = new ArrayList<>();
      for (String user : users) {
        Watch w = watched.get(user);
        // New here, or a load that failed: load (again); the followers of a failed load leave with an error.
        if ((w == null || w.loaded.isCompletedExceptionally()) && !fresh.contains(user)) {
          fresh.add(user);
        }
      }
      // Asks the directory without waiting (it queues the loads), so the watches exist before this returns.
      if (!fresh.isEmpty()) {
        directory.follow(fresh).forEach((user, load) -> watched.put(user, new Watch(load)));
      }
      for (String user : users) {
        Watch w = watched.get(user);
        w.followers.add(c);
        loads.add(w.loaded);
      }
    }
    return CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new));
  }

  synchronized void unfollow(Connection c, String user) {
    Watch w = watched.get(user);
    if (w != null && w.followers.remove(c) && w.followers.isEmpty()) {
      watched.remove(user);
      directory.unfollow(user);
    }
  }

  /** The socket is gone: it follows no one any more. */
  void forget(Connection c) {
    for (String user : c.following()) {
      unfollow(c, user);
    }
  }
}
