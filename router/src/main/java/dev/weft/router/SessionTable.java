package dev.weft.router;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is connected where: session id → (user, gateway), and user → the gateways holding their sessions, with
 * how many sessions each.
 *
 * <p>Threading: one writer (the {@link SessionTableReader} thread; writes are also synchronized, so any thread
 * may write), many lock-free readers (the routing thread). Each user's gateways are published as an immutable
 * {@link Presence} replaced on every change, so a reader never sees a half-made one and allocates nothing.
 * Sessions change far less often than messages flow, so copying on write is the cheap side.
 */
final class SessionTable {

  /** The gateways holding a user's sessions, and how many sessions on each (same index). Immutable. */
  static final class Presence {
    static final Presence NONE = new Presence(new String[0], new int[0]);

    private final String[] gateways;
    private final int[] sessions;

    private Presence(String[] gateways, int[] sessions) {
      this.gateways = gateways;
      this.sessions = sessions;
    }

    int size() {
      return gateways.length;
    }

    String gateway(int i) {
      return gateways[i];
    }

    int sessions(int i) {
      return sessions[i];
    }

    private int indexOf(String gateway) {
      for (int i = 0; i < gateways.length; i++) {
        if (gateways[i].equals(gateway)) {
          return i;
        }
      }
      return -1;
    }

    private Presence plusOne(String gateway) {
      int i = indexOf(gateway);
      if (i >= 0) {
        int[] s = sessions.clone();
        s[i]++;
        return new Presence(gateways, s);
      }
      String[] g = Arrays.copyOf(gateways, gateways.length + 1);
      int[] s = Arrays.copyOf(sessions, sessions.length + 1);
      g[g.length - 1] = gateway;
      s[s.length - 1] = 1;
      return new Presence(g, s);
    }

    /** Null when no session is left. */
    private Presence minusOne(String gateway) {
      int i = indexOf(gateway);
      if (i < 0) {
        return this;
      }
      if (sessions[i] > 1) {
        int[] s = sessions.clone();
        s[i]--;
        return new Presence(gateways, s);
      }
      if (gateways.length == 1) {
        return null;
      }
      String[] g = new String[gateways.length - 1];
      int[] s = new int[sessions.length - 1];
      for (int from = 0, to = 0; from < gateways.length; from++) {
        if (from != i) {
          g[to] = gateways[from];
          s[to++] = sessions[from];
        }
      }
      return new Presence(g, s);
    }
  }

  private record Session(String user, String gateway) {}

  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Presence> presence = new ConcurrentHashMap<>();
  /** Gateway ids are few and repeated in every session: keep one copy of each. Guarded by this. */
  private final Map<String, String> gatewayIds = new HashMap<>();

  /** Where the user is connected; {@link Presence#NONE} when nowhere. Lock-free, allocation-free. */
  Presence presenceOf(String user) {
    Presence p = presence.get(user);
    return p == null ? Presence.NONE : p;
  }

  /** The gateway holding a session, or null when the session is unknown. */
  String gatewayOf(String session) {
    Session s = sessions.get(session);
    return s == null ? null : s.gateway();
  }

  static boolean isValidGatewayId(String gateway) {
    return dev.weft.common.SessionRecords.isValidGatewayId(gateway);
  }

  /** Records a live session; a session announced again (even moved) replaces its earlier announcement. */
  synchronized void put(String session, String user, String gateway) {
    if (!isValidGatewayId(gateway)) {
      throw new IllegalArgumentException("gateway id '" + gateway + "' cannot name a delivery topic");
    }
    Session old = sessions.get(session);
    if (old != null && old.user().equals(user) && old.gateway().equals(gateway)) {
      return;
    }
    if (old != null) {
      remove(session);
    }
    String gw = gatewayIds.computeIfAbsent(gateway, g -> g);
    sessions.put(session, new Session(user, gw));
    presence.compute(user, (u, p) -> (p == null ? Presence.NONE : p).plusOne(gw));
  }

  /** Forgets a session (a tombstone); unknown sessions are ignored. */
  synchronized void remove(String session) {
    Session old = sessions.remove(session);
    if (old != null) {
      presence.computeIfPresent(old.user(), (u, p) -> p.minusOne(old.gateway()));
    }
  }

  /** The sessions a gateway holds. A scan: called only when a gateway is expired. */
  synchronized java.util.List<String> sessionsOf(String gateway) {
    java.util.List<String> out = new java.util.ArrayList<>();
    sessions.forEach((id, s) -> {
      if (s.gateway().equals(gateway)) {
        out.add(id);
      }
    });
    return out;
  }

  /** Every gateway that holds at least one session. */
  synchronized java.util.Set<String> gateways() {
    java.util.Set<String> out = new java.util.HashSet<>();
    sessions.values().forEach(s -> out.add(s.gateway()));
    return out;
  }

  int sessionCount() {
    return sessions.size();
  }

  int userCount() {
    return presence.size();
  }
}
