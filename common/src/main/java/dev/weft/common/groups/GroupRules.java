package dev.weft.common.groups;

import dev.weft.common.UserIds;
import dev.weft.schemas.GroupEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a membership event changes a group. Router, persister and gateway all apply these same rules to the same
 * ordered events, so they agree on the membership at every seq without asking one another. Pure functions.
 *
 * <p>What a group keeps is bounded here, where a change is accepted, so no snapshot can outgrow what Kafka takes in
 * one record: at most {@code maxMembers} former members are kept (the most recently removed), and the encoded
 * snapshot never passes {@link #MAX_SNAPSHOT_BYTES}. Former members are kept only so that a router replaying records
 * from before a removal still routes them as then; the database keeps every member's interval for history.
 */
public final class GroupRules {

  /**
   * Most bytes a group's encoded snapshot may take: half the producer's default 1 MiB request limit, so the record
   * (key, headers, batch framing) always fits with room to spare.
   */
  public static final int MAX_SNAPSHOT_BYTES = 512 * 1024;

  private GroupRules() {}

  /** Why an event changes nothing. */
  public enum Refusal {
    NOT_USER_ID, EXISTS, NOT_MEMBER, NOT_ADMIN, TOO_MANY_MEMBERS, TOO_LARGE
  }

  /** The state after the event, or why the event changes nothing. */
  public record Outcome(GroupState state, Refusal refusal, String rejected) {
    public boolean applied() {
      return refusal == null;
    }

    static Outcome no(Refusal refusal, String why) {
      return new Outcome(null, refusal, why);
    }

    static Outcome yes(GroupState state) {
      return new Outcome(state, null, null);
    }
  }

  /**
   * Applies the event at {@code seq} from {@code from} to {@code before} (null: no such group yet). Never call it
   * with {@code seq <= before.version()}: that event is applied already.
   */
  public static Outcome apply(GroupState before, String conv, long seq, String from, GroupEvent e) {
    Set<String> users = new LinkedHashSet<>();
    for (CharSequence u : e.getUsers()) {
      String user = u.toString();
      if (!UserIds.valid(user)) {
        return Outcome.no(Refusal.NOT_USER_ID, "not a user id: " + user);
      }
      users.add(user);
    }
    return switch (e.getKind()) {
      case CREATED -> create(before, conv, seq, from, e, users);
      case ADDED -> add(before, seq, from, users);
      case REMOVED -> remove(before, seq, from, users, true);
      case LEFT -> remove(before, seq, from, Set.of(from), false);
    };
  }

  private static Outcome create(GroupState before, String conv, long seq, String from, GroupEvent e, Set<String> users) {
    if (before != null) {
      return Outcome.no(Refusal.EXISTS, "the group exists");
    }
    if (dev.weft.common.SystemSender.is(from)) {
      return Outcome.no(Refusal.NOT_USER_ID, "a group is created by a user, its first admin");
    }
    String title = e.getTitle() == null ? "" : e.getTitle().toString();
    int max = Math.max(1, e.getMaxMembers());
    users.remove(from);
    if (users.size() + 1 > max) {
      return Outcome.no(Refusal.TOO_MANY_MEMBERS, "more than " + max + " members");
    }
    Map<String, GroupState.Member> members = new LinkedHashMap<>();
    members.put(from, new GroupState.Member(seq, -1, true));
    users.forEach(u -> members.put(u, new GroupState.Member(seq, -1, false)));
    return bounded(new GroupState(conv, title, seq, max, members));
  }

  private static Outcome add(GroupState before, long seq, String from, Set<String> users) {
    if (before == null) {
      return Outcome.no(Refusal.NOT_MEMBER, "no such group");
    }
    boolean system = dev.weft.common.SystemSender.is(from); // the server API: an admin of every group
    if (!system && !before.isMember(from)) {
      return Outcome.no(Refusal.NOT_MEMBER, "not a member");
    }
    if (!system && !before.isAdmin(from)) {
      return Outcome.no(Refusal.NOT_ADMIN, "not an admin");
    }
    Map<String, GroupState.Member> members = new LinkedHashMap<>(before.members());
    int size = before.size();
    for (String u : users) {
      GroupState.Member m = members.get(u);
      if (m == null || !m.current()) {
        members.remove(u); // re-inserted last, in join order
        members.put(u, new GroupState.Member(seq, -1, false));
        size++;
      }
    }
    if (size > before.maxMembers()) {
      return Outcome.no(Refusal.TOO_MANY_MEMBERS, "more than " + before.maxMembers() + " members");
    }
    return bounded(new GroupState(before.conv(), before.title(), seq, before.maxMembers(), members));
  }

  private static Outcome remove(GroupState before, long seq, String from, Set<String> users, boolean needsAdmin) {
    if (before == null) {
      return Outcome.no(Refusal.NOT_MEMBER, "no such group");
    }
    boolean system = needsAdmin && dev.weft.common.SystemSender.is(from); // the server API: an admin of every group
    if (!system && !before.isMember(from)) {
      return Outcome.no(Refusal.NOT_MEMBER, "not a member");
    }
    if (needsAdmin && !system && !before.isAdmin(from)) {
      return Outcome.no(Refusal.NOT_ADMIN, "not an admin");
    }
    Map<String, GroupState.Member> members = new LinkedHashMap<>(before.members());
    for (String u : users) {
      GroupState.Member m = members.get(u);
      if (m != null && m.current()) {
        members.put(u, new GroupState.Member(m.joined(), seq, false));
      }
    }
    // A group with members never lacks an admin: the longest-standing member takes over.
    boolean anyAdmin = members.values().stream().anyMatch(m -> m.current() && m.admin());
    if (!anyAdmin) {
      members.entrySet().stream().filter(en -> en.getValue().current()).findFirst()
          .ifPresent(en -> en.setValue(new GroupState.Member(en.getValue().joined(), -1, true)));
    }
    return bounded(new GroupState(before.conv(), before.title(), seq, before.maxMembers(), members));
  }

  /**
   * Forgets the longest-gone former members beyond the member limit, then more of them while the snapshot is over its
   * byte bound; refuses the change when current members alone are over it.
   */
  private static Outcome bounded(GroupState state) {
    Map<String, GroupState.Member> members = state.members();
    List<Map.Entry<String, GroupState.Member>> former = new ArrayList<>();
    for (var e : members.entrySet()) {
      if (!e.getValue().current()) {
        former.add(e);
      }
    }
    long bytes = state.encodedBytesBound();
    if (former.size() <= state.maxMembers() && bytes <= MAX_SNAPSHOT_BYTES) {
      return Outcome.yes(state);
    }
    former.sort(Comparator.comparingLong(e -> e.getValue().left())); // stable: ties keep the map's order
    Map<String, GroupState.Member> kept = new LinkedHashMap<>(members);
    int excess = former.size() - state.maxMembers();
    for (var e : former) {
      if (excess <= 0 && bytes <= MAX_SNAPSHOT_BYTES) {
        break;
      }
      kept.remove(e.getKey());
      bytes -= GroupState.memberBytesBound(e.getKey());
      excess--;
    }
    if (bytes > MAX_SNAPSHOT_BYTES) {
      return Outcome.no(Refusal.TOO_LARGE, "the group's membership record would be over " + MAX_SNAPSHOT_BYTES + " bytes");
    }
    return Outcome.yes(new GroupState(state.conv(), state.title(), state.version(), state.maxMembers(), kept));
  }
}
