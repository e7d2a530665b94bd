package dev.weft.gateway.groups;

import dev.weft.common.groups.GroupDirectory;
import dev.weft.common.groups.GroupState;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The groups each user is a current member of, among those the group directory holds: the reverse of its index, kept
 * by listening to its changes, so "how many groups is this user in" and "do these two share a group" are answered from
 * memory in time bounded by one user's groups (which {@code WEFT_GROUPS_PER_USER} bounds). The directory holds the
 * groups of the users loaded here ({@link LoadedUsers}), so the answers are whole for those users only: another
 * member of one of their groups is indexed with that group alone. One entry per membership held. Updates come on the
 * directory's thread or a loading one, reads from any.
 */
public final class UserGroups implements GroupDirectory.Listener {

  private final Map<String, Set<String>> groupsOf = new ConcurrentHashMap<>();

  @Override
  public void changed(GroupState before, GroupState after) {
    String conv = after != null ? after.conv() : before.conv();
    if (before != null) {
      before.members().forEach((user, m) -> {
        if (m.current() && (after == null || !after.isMember(user))) {
          groupsOf.computeIfPresent(user, (u, set) -> {
            set.remove(conv);
            return set.isEmpty() ? null : set;
          });
        }
      });
    }
    if (after == null) {
      return;
    }
    after.members().forEach((user, m) -> {
      if (m.current() && (before == null || !before.isMember(user))) {
        groupsOf.compute(user, (u, set) -> {
          Set<String> s = set == null ? ConcurrentHashMap.newKeySet() : set;
          s.add(after.conv());
          return s;
        });
      }
    });
  }

  /** The groups held here of which {@code user} is a current member: a copy. */
  public Set<String> of(String user) {
    Set<String> s = groupsOf.get(user);
    return s == null ? Set.of() : Set.copyOf(s);
  }

  /** How many groups {@code user} is a current member of. */
  public int count(String user) {
    Set<String> s = groupsOf.get(user);
    return s == null ? 0 : s.size();
  }

  /** True when both are current members of at least one group. */
  public boolean shareAGroup(String a, String b) {
    Set<String> ofA = groupsOf.get(a);
    Set<String> ofB = groupsOf.get(b);
    if (ofA == null || ofB == null) {
      return false;
    }
    Set<String> small = ofA.size() <= ofB.size() ? ofA : ofB;
    Set<String> large = small == ofA ? ofB : ofA;
    for (String conv : small) {
      if (large.contains(conv)) {
        return true;
      }
    }
    return false;
  }
}
