package dev.weft.router;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.StampedLock;

/**
 * Who is connected where: session id → (user, gateway), and user → the gateways holding their sessions, with
 * how many sessions each.
 *
 * <p>Packed, since every router holds every session: sessions in {@link SessionSlots} (a UUID id as two longs and
 * the user as a number; the gateway is the user's unless the session is marked away), users in {@link UserIndex}
 * (ids as bytes in one array, one {@code int} word each), gateways in {@link GatewayIndex}. A user's word says where the user is: the gateway's number and the session count
 * there, for a user on one gateway (most users); {@link #MULTI} for one on several, whose {@link Presence} is kept in
 * {@link #multi}. Measured with {@code ./weft scale} (docs/scale.md).
 *
 * <p>Threading: one writer at a time (the {@link SessionTableReader} thread; writes are synchronized, so any thread
 * may write), under a {@link StampedLock}'s write lock; many readers (the routing threads), each read optimistic:
 * lock-free and allocation-free, tried again under the read lock only when a write overlapped it.
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

    static Presence single(String gateway) {
      return new Presence(new String[] {gateway}, new int[] {1});
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

  /** A user's word for "on several gateways (or very many sessions on one): see {@link #multi}". */
  private static final int MULTI = -1;
  /** Sessions on one gateway that the word can count; one more moves the user to {@link #multi}. */
  private static final int MAX_WORD_COUNT = 0xffff;
  /** A session's value: its user's number + 1 in the low bits, and this bit when it is {@link #away}. */
  private static final int AWAY = 1 << 30;
  private static final int MAX_USER_NUMBER = AWAY - 2;

  /** A user on several gateways: where they are, and their home gateway's number (see {@link #away}). */
  private record Spread(Presence presence, int home) {}

  private final StampedLock lock = new StampedLock();
  /**
   * Each session's user, with no gateway: a session is on its user's home gateway (the gateway of the word, or of the
   * {@link Spread}) unless it is marked away, and then its gateway is in {@link #away}. Most users are on one
   * gateway, so most sessions cost two longs and an int.
   */
  private final SessionSlots sessions = new SessionSlots();
  /** The gateway's number + 1 of each session that is not on its user's home gateway. */
  private final SessionSlots away = new SessionSlots();
  private final UserIndex users = new UserIndex();
  private final GatewayIndex gateways = new GatewayIndex();
  /** Users whose word is {@link #MULTI}, by number. */
  private final ConcurrentHashMap<Integer, Spread> multi = new ConcurrentHashMap<>();

  /** Where the user is connected; {@link Presence#NONE} when nowhere. Lock-free, allocation-free for most users. */
  Presence presenceOf(String user) {
    Presence p = read(presenceReader, user);
    return p == null ? Presence.NONE : p; // null only from a torn read, which validation rejects
  }

  private final java.util.function.Function<String, Presence> presenceReader = this::readPresence;
  private final java.util.function.Function<String, String> gatewayReader = this::readGateway;

  /**
   * Reads optimistically: lock-free, valid when no write overlapped it (a torn read may also throw, or give null,
   * which a write in progress alone can cause); else reads again under the read lock. The readers are fields, so a
   * read allocates nothing.
   */
  private <R> R read(java.util.function.Function<String, R> reader, String key) {
    long stamp = lock.tryOptimisticRead();
    R result = null;
    boolean read = false;
    try {
      result = reader.apply(key);
      read = true;
    } catch (RuntimeException torn) {
      // validate fails below
    }
    if (read && lock.validate(stamp)) {
      return result;
    }
    stamp = lock.readLock();
    try {
      return reader.apply(key);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private Presence readPresence(String user) {
    int n = users.find(user);
    if (n < 0) {
      return Presence.NONE;
    }
    int word = users.word(n);
    if (word == MULTI) {
      return multi.get(n).presence();
    }
    if (word == 0) {
      return Presence.NONE;
    }
    int count = word & 0xffff;
    int gateway = word >>> 16;
    if (count == 1) {
      return gateways.single(gateway);
    }
    String name = gateways.name(gateway);
    return name == null ? null : new Presence(new String[] {name}, new int[] {count});
  }

  /** The gateway holding a session, or null when the session is unknown. */
  String gatewayOf(String session) {
    return session == null ? null : read(gatewayReader, session);
  }

  private String readGateway(String session) {
    int value = sessions.find(session);
    return value == SessionSlots.ABSENT ? null : gateways.name(gatewayNumber(session, value));
  }

  private static int userNumber(int value) {
    return (value & ~AWAY) - 1;
  }

  /** The number of the gateway holding the session that has this value. */
  private int gatewayNumber(String session, int value) {
    return (value & AWAY) != 0 ? away.find(session) - 1 : home(userNumber(value));
  }

  /** The number of the user's home gateway: of the word, or of the spread when on several. */
  private int home(int user) {
    int word = users.word(user);
    return word == MULTI ? multi.get(user).home() : word >>> 16;
  }

  static boolean isValidGatewayId(String gateway) {
    return dev.weft.common.SessionRecords.isValidGatewayId(gateway);
  }

  /** Records a live session; a session announced again (even moved) replaces its earlier announcement. */
  synchronized void put(String session, String user, String gateway) {
    if (!isValidGatewayId(gateway)) {
      throw new IllegalArgumentException("gateway id '" + gateway + "' cannot name a delivery topic");
    }
    int old = sessions.find(session);
    if (old != SessionSlots.ABSENT && userNumber(old) == users.find(user)
        && gateway.equals(gateways.name(gatewayNumber(session, old)))) {
      return;
    }
    long stamp = lock.writeLock();
    try {
      if (old != SessionSlots.ABSENT) {
        removeLocked(session);
      }
      int g = gateways.acquire(gateway);
      int u = users.add(user);
      if (u > MAX_USER_NUMBER) {
        gateways.release(g);
        throw new IllegalStateException("more than " + (MAX_USER_NUMBER + 1) + " users hold sessions at once");
      }
      plusOne(u, g);
      if (home(u) == g) {
        sessions.put(session, u + 1);
      } else {
        away.put(session, g + 1);
        sessions.put(session, (u + 1) | AWAY);
      }
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Forgets a session (a tombstone); unknown sessions are ignored. */
  synchronized void remove(String session) {
    if (sessions.find(session) == SessionSlots.ABSENT) {
      return;
    }
    long stamp = lock.writeLock();
    try {
      removeLocked(session);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  private void removeLocked(String session) {
    int old = sessions.remove(session);
    if (old == SessionSlots.ABSENT) {
      return;
    }
    int u = userNumber(old);
    int g = (old & AWAY) != 0 ? away.remove(session) - 1 : home(u);
    if (!minusOne(u, g)) {
      users.remove(u);
    }
    gateways.release(g);
  }

  private void plusOne(int u, int g) {
    int word = users.word(u);
    if (word == 0) {
      users.setWord(u, (g << 16) | 1);
      return;
    }
    if (word != MULTI && (word >>> 16) == g && (word & 0xffff) < MAX_WORD_COUNT) {
      users.setWord(u, word + 1);
      return;
    }
    // The home stays where the user's sessions that are not away are: the word's gateway, on the way to several.
    Spread now = word == MULTI ? multi.get(u) : new Spread(fromWord(word), word >>> 16);
    multi.put(u, new Spread(now.presence().plusOne(gateways.name(g)), now.home()));
    users.setWord(u, MULTI);
  }

  /** False when the user has no session left. */
  private boolean minusOne(int u, int g) {
    int word = users.word(u);
    if (word != MULTI) {
      if ((word & 0xffff) <= 1) {
        users.setWord(u, 0);
        return false;
      }
      users.setWord(u, word - 1);
      return true;
    }
    Spread spread = multi.get(u);
    Presence now = spread.presence().minusOne(gateways.name(g));
    if (now == null) {
      multi.remove(u);
      users.setWord(u, 0);
      return false;
    }
    if (now.size() == 1 && now.sessions(0) <= MAX_WORD_COUNT) {
      // Back to a word: on one gateway again, which becomes the home. Every session left is there, so none that is
      // not away can be anywhere else; the away ones keep their gateway in {@link #away}.
      multi.remove(u);
      users.setWord(u, (gateways.numberOf(now.gateway(0)) << 16) | now.sessions(0));
    } else {
      multi.put(u, new Spread(now, spread.home()));
    }
    return true;
  }

  private Presence fromWord(int word) {
    return new Presence(new String[] {gateways.name(word >>> 16)}, new int[] {word & 0xffff});
  }

  /** The sessions a gateway holds. A scan: called only when a gateway is expired. */
  synchronized java.util.List<String> sessionsOf(String gateway) {
    int g = gateways.numberOf(gateway);
    if (g < 0) {
      return new java.util.ArrayList<>();
    }
    java.util.List<String> out = sessions.idsWhere(v -> (v & AWAY) == 0 && home(userNumber(v)) == g);
    out.addAll(away.idsWhere(v -> v == g + 1));
    return out;
  }

  /** Every gateway that holds at least one session. */
  synchronized java.util.Set<String> gateways() {
    return gateways.present();
  }

  synchronized int sessionCount() {
    return sessions.size();
  }

  synchronized int userCount() {
    return users.size();
  }
}
