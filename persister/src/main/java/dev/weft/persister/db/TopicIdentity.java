package dev.weft.persister.db;

import dev.weft.common.TopicCreator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Binds a database to one incarnation of the inbound topic. A stored message's {@code seq} is its offset there, so a
 * topic deleted and created again (offsets from 0) or given more partitions (conversations moved) would hand new
 * messages the {@code (conversation, seq)} of old rows, which the writer's duplicate-key rule would drop without a
 * word. Checked once at start, before anything is consumed.
 */
public final class TopicIdentity {

  /** The database holds history of another incarnation of the topic: storing more would lose messages. */
  public static final class Mismatch extends IllegalStateException {
    Mismatch(String message) {
      super(message);
    }
  }

  private final DataSource pool;

  TopicIdentity(DataSource pool) {
    this.pool = pool;
  }

  /**
   * Records {@code current} as the topic this history belongs to, or checks that it is the one recorded. A database
   * without messages adopts a new incarnation (nothing can collide); one with messages refuses it.
   */
  public void claim(String topic, TopicCreator.Identity current) throws SQLException {
    try (Connection c = pool.getConnection()) {
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT IGNORE INTO topic_identity (topic, topic_id, partitions) VALUES (?, ?, ?)")) {
        insert.setString(1, topic);
        insert.setString(2, current.id());
        insert.setInt(3, current.partitions());
        if (insert.executeUpdate() == 1) {
          return;
        }
      }
      String recordedId;
      int recordedPartitions;
      try (PreparedStatement select = c.prepareStatement(
          "SELECT topic_id, partitions FROM topic_identity WHERE topic = ?")) {
        select.setString(1, topic);
        try (ResultSet r = select.executeQuery()) {
          r.next();
          recordedId = r.getString(1);
          recordedPartitions = r.getInt(2);
        }
      }
      if (recordedId.equals(current.id()) && recordedPartitions == current.partitions()) {
        return;
      }
      if (!holdsMessages(c)) {
        try (PreparedStatement update = c.prepareStatement(
            "UPDATE topic_identity SET topic_id = ?, partitions = ?, first_seen = CURRENT_TIMESTAMP(3) WHERE topic = ?")) {
          update.setString(1, current.id());
          update.setInt(2, current.partitions());
          update.setString(3, topic);
          update.executeUpdate();
        }
        return;
      }
      String what = recordedId.equals(current.id())
          ? "its partition count changed from " + recordedPartitions + " to " + current.partitions()
          : "it was deleted and created again (topic id " + recordedId + " then, " + current.id() + " now)";
      throw new Mismatch("the history in this database belongs to another incarnation of " + topic + ": " + what
          + ". Sequence numbers are offsets in that topic, so new messages would collide with stored ones and be"
          + " lost. Point the persister at a new database (WEFT_DB_URL), or move the old history aside; see"
          + " docs/operations.md, \"Runbook: the inbound topic was recreated\".");
    }
  }

  private static boolean holdsMessages(Connection c) throws SQLException {
    try (PreparedStatement any = c.prepareStatement("SELECT 1 FROM messages LIMIT 1");
        ResultSet r = any.executeQuery()) {
      return r.next();
    }
  }
}
