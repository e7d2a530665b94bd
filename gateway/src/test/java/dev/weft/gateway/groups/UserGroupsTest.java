package dev.weft.gateway.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.groups.GroupRules;
import dev.weft.common.groups.GroupState;
import dev.weft.schemas.GroupEvent;
import dev.weft.schemas.GroupEventKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UserGroupsTest {

  private final UserGroups index = new UserGroups();

  @Test
  void countsCurrentMembershipsAndKnowsWhoSharesAGroup() {
    GroupState g = apply(null, "g:1", 1, "ann", GroupEventKind.CREATED, List.of("ben"));
    assertEquals(1, index.count("ann"));
    assertEquals(1, index.count("ben"));
    assertTrue(index.shareAGroup("ann", "ben"));
    assertFalse(index.shareAGroup("ann", "cat"));

    GroupState added = apply(g, "g:1", 2, "ann", GroupEventKind.ADDED, List.of("cat"));
    assertTrue(index.shareAGroup("ben", "cat"));
    GroupState removed = apply(added, "g:1", 3, "ann", GroupEventKind.REMOVED, List.of("ben"));
    assertEquals(0, index.count("ben"), "a former member is not counted");
    assertFalse(index.shareAGroup("ann", "ben"));
    assertTrue(index.shareAGroup("ann", "cat"));
    apply(removed, "g:1", 4, "ann", GroupEventKind.ADDED, List.of("ben"));
    assertEquals(1, index.count("ben"), "re-added");
    apply(null, "g:2", 1, "ben", GroupEventKind.CREATED, List.of());
    assertEquals(2, index.count("ben"));
  }

  private GroupState apply(GroupState before, String conv, long seq, String from, GroupEventKind kind, List<String> users) {
    GroupEvent e = GroupEvent.newBuilder().setKind(kind).setTitle(kind == GroupEventKind.CREATED ? "t" : null)
        .setUsers(new ArrayList<>(users)).setMaxMembers(10).build();
    GroupState after = GroupRules.apply(before, conv, seq, from, e).state();
    index.changed(before, after);
    return after;
  }
}
