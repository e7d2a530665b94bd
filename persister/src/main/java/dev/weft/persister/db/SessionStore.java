package dev.weft.persister.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The live sessions and every user's last-seen time, written from the sessions topic, read by gateways for the users
 * their clients follow. Blocking JDBC: call off any event loop.
 */
public final class SessionStore {

  private static final int CHUNK = 500;
  private static final String INSERT = "INSERT IGNORE INTO sessions (session_id, user_id, hide_last_seen) VALUES (?, ?, ?)";
  private static final String OWNERS = "SELECT session_id, user_id, hide_last_seen FROM sessions WHERE session_id IN (%s)";
  private static final String DELETE = "DELETE FROM sessions WHERE session_id = ?";
  private static final String LIVE = "SELECT user_id, COUNT(*) FROM sessions WHERE user_id IN (%s) GROUP BY user_id";
  private static final String SEEN = "INSERT INTO last_seen (user_id, seen_ms) VALUES (?, ?) "
      + "ON DUPLICATE KEY UPDATE seen_ms = VALUES(seen_ms)";
  private static final String SESSIONS_OF = "SELECT user_id, session_id, hide_last_seen FROM sessions WHERE user_id IN (%s)";
  private static final String LAST_SEEN_OF = "SELECT user_id, seen_ms FROM last_seen WHERE user_id IN (%s)";

  private final DataSource pool;

  SessionStore(DataSource pool) {
    this.pool = pool;
  }

  /** A record of the sessions topic: an announcement ({@code user} set) or a retraction ({@code user} null). */
  public record Change(String session, String user, boolean hideLastSeen, long ts) {
    public static Change announced(String session, String user, boolean hideLastSeen) {
      return new Change(session, user, hideLastSeen, 0);
    }

    public static Change retracted(String session, long ts) {
      return new Change(session, null, false, ts);
    }
  }

  /** A user's live sessions (id → hides last seen) and last-seen time (null: never seen, or hidden). */
  public record Stored(Map<String, Boolean> sessions, Long lastSeen) {}

  private record Ended(String user, boolean hide, long ts) {}

  /**
   * Applies one poll's changes, in order, in one transaction. A user whose last session a retraction ends gets that
   * retraction's time as last seen (null when the session hid it). Replays change nothing: a session retracted already
   * has no owner left to end.
   */
  public void apply(List<Change> changes) throws SQLException {
    Map<String, Change> announced = new LinkedHashMap<>();
    Map<String, Long> retracted = new LinkedHashMap<>();
    List<Ended> ended = new ArrayList<>();
    for (Change c : changes) {
      if (c.user() != null) {
        announced.put(c.session(), c);
        continue;
      }
      Change inBatch = announced.remove(c.session());
      if (inBatch != null) {
        ended.add(new Ended(inBatch.user(), inBatch.hideLastSeen(), c.ts()));
      } else {
        retracted.put(c.session(), c.ts());
      }
    }
    if (announced.isEmpty() && retracted.isEmpty() && ended.isEmpty()) {
      return;
    }
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        ended.addAll(owners(c, retracted));
        batch(c, INSERT, announced.values(), (ps, a) -> {
          ps.setString(1, a.session());
          ps.setString(2, a.user());
          ps.setBoolean(3, a.hideLastSeen());
        });
        batch(c, DELETE, retracted.keySet(), (ps, s) -> ps.setString(1, s));
        Map<String, Ended> lastEnded = new LinkedHashMap<>();
        ended.forEach(e -> lastEnded.put(e.user(), e)); // in order: the latest wins
        Map<String, Integer> live = counts(c, new ArrayList<>(lastEnded.keySet()));
        List<Ended> offline = lastEnded.values().stream().filter(e -> !live.containsKey(e.user())).toList();
        batch(c, SEEN, offline, (ps, e) -> {
          ps.setString(1, e.user());
          if (e.hide()) {
            ps.setNull(2, java.sql.Types.BIGINT);
          } else {
            ps.setLong(2, e.ts());
          }
        });
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** The stored presence of each of {@code users} who has a live session or a last-seen row. */
  public Map<String, Stored> of(List<String> users) throws SQLException {
    Map<String, Map<String, Boolean>> sessions = new HashMap<>();
    Map<String, Long> seen = new HashMap<>();
    try (Connection c = pool.getConnection()) {
      for (List<String> chunk : chunks(users)) {
        try (PreparedStatement ps = InList.prepare(c, SESSIONS_OF, chunk); ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            sessions.computeIfAbsent(rs.getString(1), u -> new LinkedHashMap<>()).put(rs.getString(2), rs.getBoolean(3));
          }
        }
        try (PreparedStatement ps = InList.prepare(c, LAST_SEEN_OF, chunk); ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long ms = rs.getLong(2);
            seen.put(rs.getString(1), rs.wasNull() ? null : ms);
          }
        }
      }
    }
    Map<String, Stored> out = new HashMap<>();
    for (String u : users) {
      if (sessions.containsKey(u) || seen.containsKey(u)) {
        out.put(u, new Stored(sessions.getOrDefault(u, Map.of()), seen.get(u)));
      }
    }
    return out;
  }

  private static List<Ended> owners(Connection c, Map<String, Long> retracted) throws SQLException {
    List<Ended> out = new ArrayList<>();
    for (List<String> chunk : chunks(new ArrayList<>(retracted.keySet()))) {
      try (PreparedStatement ps = InList.prepare(c, OWNERS, chunk); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Ended(rs.getString(2), rs.getBoolean(3), retracted.get(rs.getString(1))));
        }
      }
    }
    return out;
  }

  private static Map<String, Integer> counts(Connection c, List<String> users) throws SQLException {
    Map<String, Integer> out = new HashMap<>();
    for (List<String> chunk : chunks(users)) {
      try (PreparedStatement ps = InList.prepare(c, LIVE, chunk); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getInt(2));
        }
      }
    }
    return out;
  }

  private static <T> void batch(Connection c, String sql, java.util.Collection<T> rows, BatchWrite.Binder<T> binder)
      throws SQLException {
    new BatchWrite.Step<>(sql, List.copyOf(rows), binder).run(c);
  }

  private static List<List<String>> chunks(List<String> keys) {
    List<List<String>> out = new ArrayList<>();
    for (int from = 0; from < keys.size(); from += CHUNK) {
      out.add(keys.subList(from, Math.min(keys.size(), from + CHUNK)));
    }
    return out;
  }
}
