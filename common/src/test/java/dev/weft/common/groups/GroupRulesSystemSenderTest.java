package dev.weft.common.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.SystemSender;
import dev.weft.schemas.GroupEvent;
import dev.weft.schemas.GroupEventKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server API changes groups as the system: an admin of every group, and never a member of one. */
class GroupRulesSystemSenderTest {

  private static final String CONV = "g:system";

  private static GroupEvent event(GroupEventKind kind, List<String> users) {
    return GroupEvent.newBuilder().setKind(kind).setTitle(kind == GroupEventKind.CREATED ? "t" : null)
        .setUsers(users).setMaxMembers(10).build();
  }

  @Test
  void theSystemAddsAndRemovesMembersOfAnyGroupWithoutBeingOne() {
    GroupState g = GroupRules.apply(null, CONV, 0, "alice", event(GroupEventKind.CREATED, List.of("bob"))).state();
    GroupRules.Outcome added = GroupRules.apply(g, CONV, 1, SystemSender.ID, event(GroupEventKind.ADDED, List.of("carol")));
    assertTrue(added.applied(), added.rejected());
    g = added.state();
    assertTrue(g.isMember("carol"));
    assertFalse(g.isMember(SystemSender.ID), "the system is no member");
    GroupRules.Outcome removed = GroupRules.apply(g, CONV, 2, SystemSender.ID, event(GroupEventKind.REMOVED, List.of("alice")));
    assertTrue(removed.applied(), removed.rejected());
    assertFalse(removed.state().isMember("alice"));
    assertTrue(removed.state().isAdmin("bob"), "the longest-standing member takes over as admin");
  }

  @Test
  void theSystemCreatesNoGroupLeavesNoneAndChangesNoGroupThatDoesNotExist() {
    assertEquals(GroupRules.Refusal.NOT_USER_ID,
        GroupRules.apply(null, CONV, 0, SystemSender.ID, event(GroupEventKind.CREATED, List.of("bob"))).refusal());
    assertFalse(GroupRules.apply(null, CONV, 0, SystemSender.ID, event(GroupEventKind.ADDED, List.of("bob"))).applied());
    GroupState g = GroupRules.apply(null, CONV, 0, "alice", event(GroupEventKind.CREATED, List.of("bob"))).state();
    assertFalse(GroupRules.apply(g, CONV, 1, SystemSender.ID, event(GroupEventKind.LEFT, List.of())).applied());
    // A user who is not an admin still may not.
    assertEquals(GroupRules.Refusal.NOT_ADMIN,
        GroupRules.apply(g, CONV, 1, "bob", event(GroupEventKind.ADDED, List.of("carol"))).refusal());
  }
}
