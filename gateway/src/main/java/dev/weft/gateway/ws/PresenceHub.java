package dev.weft.gateway.ws;

import dev.weft.gateway.presence.PresenceAccess;
import dev.weft.gateway.presence.PresenceDirectory;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Which local sockets follow whose presence, and pushing each change to them. */
public final class PresenceHub {

  private final PresenceDirectory directory;
  private final PresenceAccess access;
  private final Map<String, Set<Connection>> followers = new ConcurrentHashMap<>();

  public PresenceHub(PresenceDirectory directory, PresenceAccess access) {
    this.directory = directory;
    this.access = access;
    directory.onChange((user, p) -> {
      Set<Connection> set = followers.get(user);
      if (set != null) {
        String frame = Frames.presence(user, p);
        set.forEach(c -> c.pushEphemeral(frame));
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

  void follow(Connection c, String user) {
    followers.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet()).add(c);
  }

  void unfollow(Connection c, String user) {
    followers.computeIfPresent(user, (u, set) -> {
      set.remove(c);
      return set.isEmpty() ? null : set;
    });
  }

  /** The socket is gone: it follows no one any more. */
  void forget(Connection c) {
    for (String user : c.following()) {
      unfollow(c, user);
    }
  }
}
