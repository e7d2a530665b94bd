package dev.weft.persister.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The groups users are current members of, from the per-user index and the fold's snapshots: what a gateway loads when
 * a user connects, and the per-user group count its quota checks. Blocking JDBC: call off any event loop.
 */
public final class GroupsOfUsers {

  // groups_state holds groups only: the join leaves one-to-one conversations out.
  private static final String SNAPSHOTS = "SELECT cm.user_id, g.conv_id, g.snapshot FROM conversation_members cm "
      + "JOIN groups_state g ON g.conv_id = cm.conv_id WHERE cm.left_seq IS NULL AND cm.user_id IN (%s)";
  private static final String COUNTS = "SELECT cm.user_id, COUNT(*) FROM conversation_members cm "
      + "JOIN groups_state g ON g.conv_id = cm.conv_id WHERE cm.left_seq IS NULL AND cm.user_id IN (%s) "
      + "GROUP BY cm.user_id";

  private final DataSource pool;

  GroupsOfUsers(DataSource pool) {
    this.pool = pool;
  }

  /** The groups some users are current members of: each group's snapshot once, and each user's group ids. */
  public record Of(Map<String, byte[]> snapshots, Map<String, List<String>> groupsOf) {}

  /** The Avro snapshots (single-object encoded) of the groups each of {@code users} is a current member of. */
  public Of snapshotsOf(List<String> users) throws SQLException {
    Map<String, byte[]> snapshots = new HashMap<>();
    Map<String, List<String>> groupsOf = new HashMap<>();
    if (users.isEmpty()) {
      return new Of(snapshots, groupsOf);
    }
    try (Connection c = pool.getConnection(); PreparedStatement ps = InList.prepare(c, SNAPSHOTS, users)) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String conv = rs.getString(2);
          groupsOf.computeIfAbsent(rs.getString(1), u -> new ArrayList<>()).add(conv);
          if (!snapshots.containsKey(conv)) {
            snapshots.put(conv, rs.getBytes(3));
          }
        }
      }
    }
    return new Of(snapshots, groupsOf);
  }

  /** How many groups each of {@code users} is a current member of; a user in none is absent. */
  public Map<String, Integer> counts(List<String> users) throws SQLException {
    Map<String, Integer> out = new HashMap<>();
    if (users.isEmpty()) {
      return out;
    }
    try (Connection c = pool.getConnection(); PreparedStatement ps = InList.prepare(c, COUNTS, users)) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getInt(2));
        }
      }
    }
    return out;
  }
}
