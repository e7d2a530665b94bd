package dev.weft.gateway.ws;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The sockets this gateway holds, by user. Shared by every event loop and the delivery consumer. */
public final class LocalSessions {

  private final Map<String, Set<Connection>> byUser = new ConcurrentHashMap<>();
  private final Map<String, Connection> bySession = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();
  private final QueuePeak queuePeak = new QueuePeak();

  /** The most queued for any one socket so far. */
  public QueuePeak queuePeak() {
    return queuePeak;
  }

  void add(Connection c) {
    byUser.computeIfAbsent(c.user, u -> ConcurrentHashMap.newKeySet()).add(c);
    bySession.put(c.session, c);
    count.incrementAndGet();
  }

  void remove(Connection c) {
    bySession.remove(c.session, c);
    byUser.computeIfPresent(c.user, (u, set) -> {
      if (set.remove(c)) {
        count.decrementAndGet();
      }
      return set.isEmpty() ? null : set;
    });
  }

  Collection<Connection> of(String user) {
    Set<Connection> set = byUser.get(user);
    return set == null ? List.of() : set;
  }

  /** The open connection of a session id, or null. */
  Connection session(String session) {
    return bySession.get(session);
  }

  /** Every connection, for shutdown. */
  List<Connection> all() {
    return byUser.values().stream().flatMap(Set::stream).toList();
  }

  public int size() {
    return count.get();
  }
}
