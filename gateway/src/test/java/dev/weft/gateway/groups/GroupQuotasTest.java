package dev.weft.gateway.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.groups.GroupRules;
import dev.weft.common.groups.GroupState;
import dev.weft.gateway.config.QuotaSettings;
import dev.weft.schemas.GroupEvent;
import dev.weft.schemas.GroupEventKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GroupQuotasTest {

  private final AtomicLong now = new AtomicLong(7);
  private final UserGroups groups = new UserGroups();
  private final GroupQuotas quotas = new GroupQuotas(new QuotaSettings(2, 3, 4), now::get);

  @Test
  void creationsPerHourAreRefusedUntilTheWindowEndsThenAllowedAgain() {
    assertNull(quotas.create("alice", List.of(), groups::count));
    now.addAndGet(TimeUnit.MINUTES.toNanos(10));
    assertNull(quotas.create("alice", List.of(), groups::count));
    GroupQuotas.Refusal third = quotas.create("alice", List.of(), groups::count);
    assertNotNull(third);
    assertEquals(GroupQuotas.CREATED_PER_HOUR, third.quota());
    assertEquals(TimeUnit.MINUTES.toMillis(50), third.retryAfterMs(), "the window opened with the first creation");
    assertNull(quotas.create("bob", List.of(), groups::count), "per user");
    now.addAndGet(TimeUnit.MINUTES.toNanos(50) - 1);
    assertNotNull(quotas.create("alice", List.of(), groups::count), "held to the window's last nanosecond");
    now.addAndGet(1);
    assertNull(quotas.create("alice", List.of(), groups::count), "a new window");
  }

  @Test
  void membersAddedPerMinuteCountNewcomersOfCreatesAndAddsAndAFrameOverTheLimitNeverFits() {
    assertNull(quotas.create("alice", List.of("b", "c"), groups::count));
    assertNull(quotas.add("alice", List.of("d"), groups::count));
    GroupQuotas.Refusal over = quotas.add("alice", List.of("e", "f"), groups::count);
    assertEquals(GroupQuotas.MEMBERS_PER_MINUTE, over.quota());
    assertEquals(TimeUnit.MINUTES.toMillis(1), over.retryAfterMs());
    assertNull(quotas.add("alice", List.of("e"), groups::count), "the refused frame spent nothing");
    GroupQuotas.Refusal tooMany = quotas.add("bob", List.of("1", "2", "3", "4", "5"), groups::count);
    assertEquals(-1, tooMany.retryAfterMs(), "no wait makes five fit in four");
    now.addAndGet(TimeUnit.MINUTES.toNanos(1));
    assertNull(quotas.add("alice", List.of("e", "f", "g", "h"), groups::count));
  }

  @Test
  void aCreateRefusedForItsRateGivesBackItsMembers() {
    assertNull(quotas.create("alice", List.of(), groups::count));
    assertNull(quotas.create("alice", List.of(), groups::count));
    assertEquals(GroupQuotas.CREATED_PER_HOUR, quotas.create("alice", List.of("b", "c", "d"), groups::count).quota());
    assertNull(quotas.add("alice", List.of("b", "c", "d", "e"), groups::count), "the refused create's members were given back");
  }

  @Test
  void groupsPerUserHoldsForCreatorAndAddedUsersAndFreesOnLeaving() {
    List<GroupState> carols = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      carols.add(created("g:" + i, "admin" + i, List.of("carol")));
    }
    GroupQuotas.Refusal adding = quotas.add("dan", List.of("carol"), groups::count);
    assertEquals(GroupQuotas.PER_USER, adding.quota());
    assertEquals(-1, adding.retryAfterMs());
    assertTrue(adding.message().contains("carol"), adding.message());
    assertEquals(GroupQuotas.PER_USER, quotas.create("dan", List.of("carol"), groups::count).quota());
    assertEquals(GroupQuotas.PER_USER, quotas.create("carol", List.of(), groups::count).quota());
    assertNull(quotas.create("dan", List.of(), groups::count), "dan is in no group");

    GroupState before = carols.get(0);
    GroupRules.Outcome left = GroupRules.apply(before, before.conv(), before.version() + 1, "carol",
        GroupEvent.newBuilder().setKind(GroupEventKind.LEFT).setUsers(List.of()).build());
    groups.changed(before, left.state());
    assertNull(quotas.create("carol", List.of(), groups::count), "after leaving one");
  }

  private GroupState created(String conv, String admin, List<String> others) {
    GroupEvent e = GroupEvent.newBuilder().setKind(GroupEventKind.CREATED).setTitle("t")
        .setUsers(new ArrayList<>(others)).setMaxMembers(10).build();
    GroupState s = GroupRules.apply(null, conv, 1, admin, e).state();
    groups.changed(null, s);
    return s;
  }
}
