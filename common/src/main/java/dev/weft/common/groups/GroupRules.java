package dev.weft.common.groups;

import dev.weft.common.UserIds;
import dev.weft.schemas.GroupEvent;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * How a membership event changes a group. Router, persister and gateway all apply these same rules to the same
 * ordered events, so they agree on the membership at every seq without asking one another. Pure functions.
 */
public final class GroupRules {

  private GroupRules() {}

  /** The state after the event, or why the event changes nothing. */
  public record Outcome(GroupState state, String rejected) {
    public boolean applied() {
      return rejected == null;
    }

    static Outcome no(String why) {
      return new Outcome(null, why);
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
        return Outcome.no("not a user id: " + user);
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
      return Outcome.no("the group exists");
    }
    String title = e.getTitle() == null ? "" : e.getTitle().toString();
    int max = Math.max(1, e.getMaxMembers());
    users.remove(from);
    if (users.size() + 1 > max) {
      return Outcome.no("more than " + max + " members");
    }
    Map<String, GroupState.Member> members = new LinkedHashMap<>();
    members.put(from, new GroupState.Member(seq, -1, true));
    users.forEach(u -> members.put(u, new GroupState.Member(seq, -1, false)));
    return new Outcome(new GroupState(conv, title, seq, max, members), null);
  }

  private static Outcome add(GroupState before, long seq, String from, Set<String> users) {
    if (before == null || !before.isMember(from)) {
      return Outcome.no("not a member");
    }
    if (!before.isAdmin(from)) {
      return Outcome.no("not an admin");
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
      return Outcome.no("more than " + before.maxMembers() + " members");
    }
    return new Outcome(new GroupState(before.conv(), before.title(), seq, before.maxMembers(), members), null);
  }

  private static Outcome remove(GroupState before, long seq, String from, Set<String> users, boolean needsAdmin) {
    if (before == null || !before.isMember(from)) {
      return Outcome.no("not a member");
    }
    if (needsAdmin && !before.isAdmin(from)) {
      return Outcome.no("not an admin");
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
    return new Outcome(new GroupState(before.conv(), before.title(), seq, before.maxMembers(), members), null);
  }
}
