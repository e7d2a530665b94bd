package dev.weft.persister.db;

import com.zaxxer.hikari.HikariConfig;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.GroupSnapshot;
import com.zaxxer.hikari.HikariDataSource;
import dev.weft.persister.config.PersisterConfig;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;

/**
 * The messages table: idempotent batch writes and history pages. Blocking JDBC: call off any event loop.
 *
 * <p>Schema changes are new Flyway files ({@code V2__...}); never edit an applied one (Flyway checks its checksum at
 * start). Each poll's messages are written with their rows of the per-user conversation index
 * ({@code conversation_members}, read by {@link UserReads}) in one transaction, so a reader never sees one without
 * the other.
 */
public final class MessageStore implements AutoCloseable {

  /** Every read of a row selects these, in this order ({@link #row}); {@code prefix} names the table ("m."). */
  static String columns(String prefix) {
    return String.join(", ", java.util.stream.Stream.of("conv_id", "seq", "id", "sender", "sender_device", "ts", "text",
        "ref", "event", "content", "action", "target_id").map(c -> prefix + c).toList())
        + ", " + prefix + "edited_seq IS NOT NULL, " + prefix + "deleted_seq IS NOT NULL";
  }

  static final String COLUMNS = columns("");

  // A duplicate key (a replayed record) counts as success: the row is already there.
  private static final String INSERT = "INSERT INTO messages (conv_id, seq, id, sender, sender_device, ts, text, ref, event, content, action, target_id) "
      + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE seq = seq";
  // A group event sets the member's interval exactly: the fold computed it from every event before.
  private static final String INTERVAL = "INSERT INTO conversation_members (user_id, conv_id, part, last_ts, joined_seq, left_seq) "
      + "VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE last_ts = GREATEST(last_ts, VALUES(last_ts)), "
      + "joined_seq = VALUES(joined_seq), left_seq = VALUES(left_seq)";
  private static final String GROUP = "INSERT INTO groups_state (conv_id, title, version, snapshot) VALUES (?, ?, ?, ?) "
      + "ON DUPLICATE KEY UPDATE title = IF(VALUES(version) > version, VALUES(title), title), "
      + "snapshot = IF(VALUES(version) > version, VALUES(snapshot), snapshot), version = GREATEST(version, VALUES(version))";
  private static final String GROUP_BY_CONV = "SELECT snapshot FROM groups_state WHERE conv_id = ?";
  // The first message a sender stored under a ref; a later one with the same ref was a resend or a reuse.
  private static final String BY_REF = "SELECT " + COLUMNS + " FROM messages "
      + "WHERE sender = ? AND ref = ? ORDER BY ts, seq LIMIT 1";
  // The index keeps the latest ts: a replay, or an older batch applied late, must not move it back.
  private static final String INDEX = "INSERT INTO conversation_members (user_id, conv_id, part, last_ts) VALUES (?, ?, ?, ?) "
      + "ON DUPLICATE KEY UPDATE last_ts = GREATEST(last_ts, VALUES(last_ts))";
  private static final String PAGE = "SELECT " + COLUMNS + " FROM messages "
      + "WHERE conv_id = ? AND seq > ? ORDER BY seq LIMIT ?";

  // Column sizes of V1__messages.sql; a row over them would fail its whole batch on every retry.
  private static final int CONV_MAX = 700;
  private static final int REF_MAX = 128;
  private static final int ID_MAX = 64;
  private static final int USER_MAX = 64;
  private static final int TEXT_MAX_BYTES = 16_777_215;

  private final HikariDataSource pool;
  private final AvroSerde<GroupSnapshot> snapshots = AvroSerde.groupSnapshot();

  private final ReceiptStore receipts;
  private final UserReads userReads;
  private final ConversationList conversations;
  private final GroupsOfUsers groupsOfUsers;
  private final SessionStore sessions;
  private final BlockStore blocks;
  private final ErasureStore erasures;

  private MessageStore(HikariDataSource pool) {
    this.receipts = new ReceiptStore(pool);
    this.userReads = new UserReads(pool);
    this.conversations = new ConversationList(pool);
    this.groupsOfUsers = new GroupsOfUsers(pool);
    this.sessions = new SessionStore(pool);
    this.blocks = new BlockStore(pool);
    this.erasures = new ErasureStore(pool);
    this.pool = pool;
  }

  /** Connects, and brings the schema up to date with Flyway. */
  public static MessageStore open(PersisterConfig config) {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(config.dbUrl());
    hc.setUsername(config.dbUser());
    hc.setPassword(config.dbPassword());
    hc.setMaximumPoolSize(config.dbPoolSize());
    hc.setPoolName("weft-db");
    hc.setConnectionTimeout(10_000);
    // One round trip per batch instead of one per row.
    hc.addDataSourceProperty("rewriteBatchedStatements", "true");
    hc.addDataSourceProperty("characterEncoding", "UTF-8");
    hc.addDataSourceProperty("connectionCollation", "utf8mb4_bin");
    HikariDataSource pool = new HikariDataSource(hc);
    try {
      Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    return new MessageStore(pool);
  }

  /**
   * Writes every message and every index row in one transaction; messages already stored are left as they are, index
   * rows keep their greatest ts. Pass each (user, conversation) once, sorted, so two writers lock rows in one order.
   */
  public void insertAll(List<StoredMessage> messages, List<Membership> members) throws SQLException {
    insertAll(messages, members, List.of(), List.of());
  }

  /**
   * Writes a poll's messages, index rows, group members' intervals and group snapshots in one transaction. Intervals
   * come after the plain index rows, so a group event's interval is what stays.
   */
  public void insertAll(List<StoredMessage> messages, List<Membership> members, List<Membership.Interval> intervals,
      List<GroupSnapshot> groups) throws SQLException {
    insertAll(messages, members, intervals, groups, List.of(), List.of());
  }

  /**
   * An edit, delete or reaction to apply to its target, in stream order. {@code onlySender}: a delete applies only if
   * the target is this user's (null: by a group admin, whoever sent it).
   */
  public record Action(dev.weft.schemas.MessageActionKind kind, String conv, String target, String user, long seq,
      String text, String emoji, String onlySender) {}

  private static final String EDIT = "UPDATE messages SET text = ?, edited_seq = ? WHERE conv_id = ? AND id = ? "
      + "AND sender = ? AND deleted_seq IS NULL AND event IS NULL AND action IS NULL";
  private static final String DELETE = "UPDATE messages SET text = '', content = NULL, deleted_seq = ? "
      + "WHERE conv_id = ? AND id = ? AND event IS NULL AND action IS NULL AND (? IS NULL OR sender = ?)";
  // The texts of its edits go with it: "gone from MySQL" means every copy.
  private static final String DELETE_EDITS = "UPDATE messages SET text = '' WHERE conv_id = ? AND target_id = ? "
      + "AND action LIKE '{\"op\":\"edit\"%' AND (? IS NULL OR sender = ?)";
  private static final String DELETE_REACTIONS = "DELETE FROM reactions WHERE conv_id = ? AND target_id = ? AND EXISTS "
      + "(SELECT 1 FROM messages WHERE conv_id = ? AND id = ? AND deleted_seq IS NOT NULL)";
  private static final String REACT = "INSERT INTO reactions (conv_id, target_id, user_id, emoji, seq) VALUES (?, ?, ?, ?, ?) "
      + "ON DUPLICATE KEY UPDATE emoji = IF(VALUES(seq) > seq, VALUES(emoji), emoji), seq = GREATEST(seq, VALUES(seq))";
  private static final String UNREACT = "DELETE FROM reactions WHERE conv_id = ? AND target_id = ? AND user_id = ? AND seq < ?";
  private static final String REACTIONS = "SELECT target_id, emoji, user_id FROM reactions WHERE target_id IN (%s) "
      + "AND conv_id = ? ORDER BY target_id, seq";
  private static final String BY_ID = "SELECT " + COLUMNS + " FROM messages WHERE conv_id = ? AND id = ?";

  /**
   * As above, and in the same transaction applies the batch's actions to their targets and stores its block entries.
   */
  public void insertAll(List<StoredMessage> messages, List<Membership> members, List<Membership.Interval> intervals,
      List<GroupSnapshot> groups, List<Action> actions, List<BlockStore.Change> blocks) throws SQLException {
    List<Action> edits = actions.stream().filter(a -> a.kind() == dev.weft.schemas.MessageActionKind.EDIT).toList();
    List<Action> deletes = actions.stream().filter(a -> a.kind() == dev.weft.schemas.MessageActionKind.DELETE).toList();
    // A user's last reaction to a message in the batch is the one that stands (a batch runs each statement once).
    java.util.Map<List<String>, Action> lastReaction = new java.util.LinkedHashMap<>();
    actions.stream().filter(a -> a.kind() == dev.weft.schemas.MessageActionKind.REACT)
        .forEach(a -> lastReaction.put(List.of(a.conv(), a.target(), a.user()), a));
    List<Action> reactions = lastReaction.values().stream().filter(a -> a.emoji() != null).toList();
    List<Action> removals = lastReaction.values().stream().filter(a -> a.emoji() == null).toList();
    BatchWrite.run(pool, List.of(
        new BatchWrite.Step<>(INSERT, messages, (ps, m) -> {
          ps.setString(1, m.conv());
          ps.setLong(2, m.seq());
          ps.setString(3, m.id());
          ps.setString(4, m.from());
          ps.setString(5, m.fromDevice());
          ps.setLong(6, m.ts());
          ps.setString(7, m.text());
          ps.setString(8, m.ref());
          ps.setString(9, m.event());
          ps.setString(10, m.content());
          ps.setString(11, m.action());
          ps.setString(12, m.target());
        }),
        new BatchWrite.Step<>(INDEX, members, (ps, m) -> {
          ps.setString(1, m.user());
          ps.setString(2, m.conv());
          ps.setInt(3, m.part());
          ps.setLong(4, m.lastTs());
        }),
        new BatchWrite.Step<>(INTERVAL, intervals, (ps, m) -> {
          ps.setString(1, m.user());
          ps.setString(2, m.conv());
          ps.setInt(3, m.part());
          ps.setLong(4, m.lastTs());
          ps.setLong(5, m.joined());
          if (m.left() < 0) {
            ps.setNull(6, java.sql.Types.BIGINT);
          } else {
            ps.setLong(6, m.left());
          }
        }),
        new BatchWrite.Step<>(GROUP, groups, (ps, g) -> {
          ps.setString(1, g.getConv());
          ps.setString(2, g.getTitle());
          ps.setLong(3, g.getVersion());
          ps.setBytes(4, snapshots.encode(g));
        }),
        // After the rows: a target written in the same batch is there. Edits before deletes: a deleted one stays so.
        new BatchWrite.Step<>(EDIT, edits, (ps, a) -> {
          ps.setString(1, a.text());
          ps.setLong(2, a.seq());
          ps.setString(3, a.conv());
          ps.setString(4, a.target());
          ps.setString(5, a.user());
        }),
        new BatchWrite.Step<>(DELETE, deletes, (ps, a) -> {
          ps.setLong(1, a.seq());
          ps.setString(2, a.conv());
          ps.setString(3, a.target());
          ps.setString(4, a.onlySender());
          ps.setString(5, a.onlySender());
        }),
        new BatchWrite.Step<>(DELETE_EDITS, deletes, (ps, a) -> {
          ps.setString(1, a.conv());
          ps.setString(2, a.target());
          ps.setString(3, a.onlySender());
          ps.setString(4, a.onlySender());
        }),
        new BatchWrite.Step<>(REACT, reactions, (ps, a) -> {
          ps.setString(1, a.conv());
          ps.setString(2, a.target());
          ps.setString(3, a.user());
          ps.setString(4, a.emoji());
          ps.setLong(5, a.seq());
        }),
        new BatchWrite.Step<>(UNREACT, removals, (ps, a) -> {
          ps.setString(1, a.conv());
          ps.setString(2, a.target());
          ps.setString(3, a.user());
          ps.setLong(4, a.seq());
        }),
        new BatchWrite.Step<>(BlockStore.UPSERT, blocks, (ps, b) -> {
          ps.setString(1, b.conv());
          ps.setString(2, b.blocker());
          ps.setString(3, b.blocked());
          ps.setBoolean(4, b.active());
          ps.setLong(5, b.seq());
        }),
        // Last: a deleted message keeps no reaction, one from the same batch included.
        new BatchWrite.Step<>(DELETE_REACTIONS, deletes, (ps, a) -> {
          ps.setString(1, a.conv());
          ps.setString(2, a.target());
          ps.setString(3, a.conv());
          ps.setString(4, a.target());
        })));
  }

  /** One entry of a conversation by its id, or empty. */
  public java.util.Optional<StoredMessage> byId(String conv, String id) throws SQLException {
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(BY_ID)) {
      ps.setString(1, conv);
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? java.util.Optional.of(row(rs)) : java.util.Optional.empty();
      }
    }
  }

  /** The reactions to these messages of the conversation: message id → emoji → users, in the order they reacted. */
  public java.util.Map<String, java.util.Map<String, List<String>>> reactions(String conv, List<String> ids)
      throws SQLException {
    java.util.Map<String, java.util.Map<String, List<String>>> out = new java.util.HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    try (Connection c = pool.getConnection(); PreparedStatement ps = InList.prepare(c, REACTIONS, ids)) {
      ps.setString(ids.size() + 1, conv);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), k -> new java.util.LinkedHashMap<>())
              .computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(rs.getString(3));
        }
      }
    }
    return out;
  }

  /** A group's membership as the database holds it, or empty. */
  public java.util.Optional<GroupSnapshot> group(String conv) throws SQLException {
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(GROUP_BY_CONV)) {
      ps.setString(1, conv);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? java.util.Optional.of(snapshots.decode(rs.getBytes(1))) : java.util.Optional.empty();
      }
    }
  }

  /** MEDIUMTEXT's bound. */
  static final long CONTENT_MAX_BYTES = 16_777_215;

  /** Why the row cannot be stored as is, or null when it fits the table. */
  public static String misfit(StoredMessage m) {
    if (m.conv() == null || m.conv().isEmpty() || m.conv().length() > CONV_MAX || !ascii(m.conv())) {
      return "conversation id is empty, not ASCII or longer than " + CONV_MAX;
    }
    if (m.id() == null || m.id().isEmpty() || m.id().length() > ID_MAX || !ascii(m.id())) {
      return "message id is empty, not ASCII or longer than " + ID_MAX;
    }
    if (m.from() == null || m.from().codePointCount(0, m.from().length()) > USER_MAX) {
      return "sender longer than " + USER_MAX + " characters";
    }
    if (m.fromDevice() == null || m.fromDevice().codePointCount(0, m.fromDevice().length()) > USER_MAX) {
      return "sender device longer than " + USER_MAX + " characters";
    }
    if (m.content() != null && m.content().length() * 3L > CONTENT_MAX_BYTES
        && m.content().getBytes(StandardCharsets.UTF_8).length > CONTENT_MAX_BYTES) {
      return "reply and attachments longer than " + CONTENT_MAX_BYTES + " bytes";
    }
    if (m.target() != null && (m.target().isEmpty() || m.target().length() > ID_MAX || !ascii(m.target()))) {
      return "the target message id is empty, not ASCII or longer than " + ID_MAX;
    }
    if (m.action() != null && m.action().length() > 1024) {
      return "an action longer than 1024 characters";
    }
    if (m.ref() != null && m.ref().codePointCount(0, m.ref().length()) > REF_MAX) {
      return "ref longer than " + REF_MAX + " characters";
    }
    // A UTF-16 char is at most 3 UTF-8 bytes (a surrogate pair, two chars, is 4), so short texts need no encoding.
    if (m.text() == null || (m.text().length() * 3L > TEXT_MAX_BYTES
        && m.text().getBytes(StandardCharsets.UTF_8).length > TEXT_MAX_BYTES)) {
      return "text longer than " + TEXT_MAX_BYTES + " bytes";
    }
    return null;
  }

  private static boolean ascii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 127) {
        return false;
      }
    }
    return true;
  }

  /** The first message a sender stored under a ref, if any. */
  public java.util.Optional<StoredMessage> byRef(String sender, String ref) throws SQLException {
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(BY_REF)) {
      ps.setString(1, sender);
      ps.setString(2, ref);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? java.util.Optional.of(row(rs)) : java.util.Optional.empty();
      }
    }
  }

  /** Reads the columns of {@link #COLUMNS}, in order. */
  static StoredMessage row(ResultSet rs) throws SQLException {
    return new StoredMessage(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getLong(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
        rs.getString(12), rs.getBoolean(13), rs.getBoolean(14));
  }

  /** Messages of a conversation with seq greater than {@code after}, in seq order. */
  public List<StoredMessage> page(String conv, long after, int limit) throws SQLException {
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(PAGE)) {
      ps.setString(1, conv);
      ps.setLong(2, after);
      ps.setInt(3, limit);
      List<StoredMessage> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs));
        }
      }
      return out;
    }
  }

  /** True when the database answers now. */
  public boolean reachable() {
    try (Connection c = pool.getConnection()) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  /** Reads over the per-user conversation index, on the same pool. */
  public UserReads userReads() {
    return userReads;
  }

  /** Users' groups, for the gateways that hold them, on the same pool. */
  public GroupsOfUsers groupsOfUsers() {
    return groupsOfUsers;
  }

  /** Who blocks whom, on the same pool. */
  public BlockStore blocks() {
    return blocks;
  }

  /** Users' erasures, on the same pool. */
  public ErasureStore erasures() {
    return erasures;
  }

  /** Live sessions and last-seen times. */
  public SessionStore sessions() {
    return sessions;
  }

  /** A user's conversation list, on the same pool. */
  public ConversationList conversations() {
    return conversations;
  }

  /** The receipts table, on the same pool. */
  /** Which incarnation of the inbound topic this history belongs to. */
  public TopicIdentity topicIdentity() {
    return new TopicIdentity(pool);
  }

  public ReceiptStore receipts() {
    return receipts;
  }

  @Override
  public void close() {
    pool.close();
  }
}
