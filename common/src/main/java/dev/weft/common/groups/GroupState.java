package dev.weft.common.groups;

import dev.weft.schemas.GroupMember;
import dev.weft.schemas.GroupSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One group's membership after the event at {@link #version()}: current members, and former ones with the seq they
 * left at, so "who was a member at seq s" has an answer for any s since each member's latest join. Immutable: a change
 * makes a new state, so one can be shared between threads.
 */
public final class GroupState {

  /** A user's latest membership: from the event at {@code joined} up to the one at {@code left} (-1 while current). */
  public record Member(long joined, long left, boolean admin) {
    public boolean current() {
      return left < 0;
    }
  }

  private final String conv;
  private final String title;
  private final long version;
  private final int maxMembers;
  private final Map<String, Member> members;

  GroupState(String conv, String title, long version, int maxMembers, Map<String, Member> members) {
    this.conv = conv;
    this.title = title;
    this.version = version;
    this.maxMembers = maxMembers;
    this.members = members;
  }

  public String conv() {
    return conv;
  }

  public String title() {
    return title;
  }

  public long version() {
    return version;
  }

  public int maxMembers() {
    return maxMembers;
  }

  /** Every user who is or was a member, with the latest membership of each. */
  public Map<String, Member> members() {
    return members;
  }

  public boolean isMember(String user) {
    Member m = members.get(user);
    return m != null && m.current();
  }

  public boolean isAdmin(String user) {
    Member m = members.get(user);
    return m != null && m.current() && m.admin();
  }

  public List<String> currentMembers() {
    List<String> out = new ArrayList<>();
    members.forEach((u, m) -> {
      if (m.current()) {
        out.add(u);
      }
    });
    return out;
  }

  public int size() {
    int n = 0;
    for (Member m : members.values()) {
      if (m.current()) {
        n++;
      }
    }
    return n;
  }

  /** True when {@code user} may send the message at {@code seq}: a member from before it, not removed before it. */
  public boolean memberAt(String user, long seq) {
    Member m = members.get(user);
    return m != null && m.joined() < seq && (m.left() < 0 || m.left() > seq);
  }

  /**
   * Who gets the record at {@code seq}: the members at that point, including those an event at {@code seq} itself
   * adds or removes (a removed member sees its removal).
   */
  public List<String> recipientsAt(long seq) {
    List<String> out = new ArrayList<>();
    members.forEach((u, m) -> {
      if (m.joined() <= seq && (m.left() < 0 || m.left() >= seq)) {
        out.add(u);
      }
    });
    return out;
  }

  /**
   * At least as many bytes as {@link #toSnapshot()} takes single-object encoded: Avro's variable-length ints counted
   * at their widest, every char of a string at 3 UTF-8 bytes. Cheap and the same everywhere, so the rules can bound it.
   */
  public long encodedBytesBound() {
    long bytes = 10 + stringBound(conv) + stringBound(title) + 10 + 5 + 10 + 1; // header, fields, array block + end
    for (String user : members.keySet()) {
      bytes += memberBytesBound(user);
    }
    return bytes;
  }

  /** What one member adds to {@link #encodedBytesBound()}: the id, two longs and a boolean. */
  static long memberBytesBound(String user) {
    return stringBound(user) + 10 + 10 + 1;
  }

  private static long stringBound(String s) {
    long bytes = 5;
    for (int i = 0; i < s.length(); i++) {
      bytes += s.charAt(i) < 0x80 ? 1 : 3;
    }
    return bytes;
  }

  public GroupSnapshot toSnapshot() {
    List<GroupMember> list = new ArrayList<>(members.size());
    members.forEach((u, m) -> list.add(new GroupMember(u, m.joined(), m.left(), m.admin())));
    return new GroupSnapshot(conv, title, version, maxMembers, list);
  }

  public static GroupState of(GroupSnapshot s) {
    Map<String, Member> members = new LinkedHashMap<>();
    s.getMembers().stream().sorted(Comparator.comparingLong(GroupMember::getJoined))
        .forEach(m -> members.put(m.getUser(), new Member(m.getJoined(), m.getLeft(), m.getAdmin())));
    return new GroupState(s.getConv(), s.getTitle(), s.getVersion(), s.getMaxMembers(), members);
  }
}
