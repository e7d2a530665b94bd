package dev.weft.router;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
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

    private Presence plusOne(String gateway, Map<String, Presence> singles) {
      if (gateways.length == 0) {
        return singles.computeIfAbsent(gateway, g -> new Presence(new String[] {g}, new int[] {1}));
      }
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
    private Presence minusOne(String gateway, Map<String, Presence> singles) {
      int i = indexOf(gateway);
      if (i < 0) {
        return this;
      }
      if (gateways.length == 1 && sessions[0] == 2) {
        return singles.computeIfAbsent(gateways[0], g -> new Presence(new String[] {g}, new int[] {1}));
      }
      if (sessions[i] > 1) {
        int[] s = sessions.clone();
        s[i]--;
        return new Presence(gateways, s);
      }
      if (gateways.length == 1) {
        return null;
      }
      if (gateways.length == 2 && sessions[1 - i] == 1) {
        String other = gateways[1 - i];
        return singles.computeIfAbsent(other, x -> new Presence(new String[] {x}, new int[] {1}));
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

  /**
   * By session id: a {@link UUID} for the ids gateways make (canonical lowercase UUIDs, 32 bytes instead of an
   * 80-byte {@code String}), the id itself for any other. Measured with {@code ./weft scale} (docs/scale.md).
   */
  private final ConcurrentHashMap<Object, Session> sessions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Presence> presence = new ConcurrentHashMap<>();
  /** Gateway ids are few and repeated in every session: keep one copy of each. Guarded by this. */
  private final Map<String, String> gatewayIds = new HashMap<>();
  /**
   * The presence of a user with one session, shared by every such user of a gateway (most users, most of the
   * time): immutable, so sharing it costs them nothing. Guarded by this.
   */
  private final Map<String, Presence> singles = new HashMap<>();

  /** Where the user is connected; {@link Presence#NONE} when nowhere. Lock-free, allocation-free. */
  Presence presenceOf(String user) {
    Presence p = presence.get(user);
    return p == null ? Presence.NONE : p;
  }

  /** The gateway holding a session, or null when the session is unknown. */
  String gatewayOf(String session) {
    if (session == null) {
      return null;
    }
    Session s = sessions.get(key(session));
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
    Object key = key(session);
    Session old = sessions.get(key);
    if (old != null && old.user().equals(user) && old.gateway().equals(gateway)) {
      return;
    }
    if (old != null) {
      remove(session);
    }
    String gw = gatewayIds.computeIfAbsent(gateway, g -> g);
    sessions.put(key, new Session(user, gw));
    presence.compute(user, (u, p) -> (p == null ? Presence.NONE : p).plusOne(gw, singles));
  }

  /** Forgets a session (a tombstone); unknown sessions are ignored. */
  synchronized void remove(String session) {
    Session old = sessions.remove(key(session));
    if (old != null) {
      presence.computeIfPresent(old.user(), (u, p) -> p.minusOne(old.gateway(), singles));
    }
  }

  /** The sessions a gateway holds. A scan: called only when a gateway is expired. */
  synchronized java.util.List<String> sessionsOf(String gateway) {
    java.util.List<String> out = new java.util.ArrayList<>();
    sessions.forEach((id, s) -> {
      if (s.gateway().equals(gateway)) {
        out.add(id.toString()); // a UUID key prints as the canonical id it was parsed from
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

  /** The map key of a session id: a UUID when the id is one in canonical form (so it prints back the same), else the id. */
  static Object key(String session) {
    if (session.length() != 36) {
      return session;
    }
    long hi = 0;
    long lo = 0;
    int digits = 0;
    for (int i = 0; i < 36; i++) {
      char c = session.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return session;
        }
        continue;
      }
      int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (v < 0) {
        return session; // uppercase or not hex: not what UUID.toString() writes, so keep the id itself
      }
      if (digits < 16) {
        hi = (hi << 4) | v;
      } else {
        lo = (lo << 4) | v;
      }
      digits++;
    }
    return new UUID(hi, lo);
  }

  int sessionCount() {
    return sessions.size();
  }

  int userCount() {
    return presence.size();
  }
}
