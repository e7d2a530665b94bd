package dev.weft.common.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.GroupEvent;
import dev.weft.schemas.GroupEventKind;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GroupRulesBoundsTest {

  private static final String CONV = "g:bounds";

  private static GroupEvent event(GroupEventKind kind, List<String> users, int max) {
    return GroupEvent.newBuilder().setKind(kind).setTitle(kind == GroupEventKind.CREATED ? "t" : null)
        .setUsers(new ArrayList<>(users)).setMaxMembers(max).build();
  }

  private static List<String> ids(String prefix, int n, int length) {
    return IntStream.range(0, n).mapToObj(i -> {
      String p = prefix + i + "-";
      return p + "x".repeat(length - p.length());
    }).toList();
  }

  @Test
  void formerMembersAreKeptOnlyUpToTheMemberLimit_theMostRecentlyRemoved() {
    GroupState g = GroupRules.apply(null, CONV, 0, "admin", event(GroupEventKind.CREATED, List.of(), 100)).state();
    long seq = 1;
    for (int round = 0; round < 10; round++) {
      List<String> batch = ids("r" + round + "-", 80, 64);
      g = GroupRules.apply(g, CONV, seq++, "admin", event(GroupEventKind.ADDED, batch, 0)).state();
      g = GroupRules.apply(g, CONV, seq++, "admin", event(GroupEventKind.REMOVED, batch, 0)).state();
    }
    long former = g.members().values().stream().filter(m -> !m.current()).count();
    assertEquals(100, former);
    assertTrue(g.members().containsKey(ids("r9-", 80, 64).get(79)), "the latest removed are kept");
    assertFalse(g.members().containsKey(ids("r0-", 80, 64).get(0)), "the longest gone are forgotten");
    assertTrue(g.isAdmin("admin"));
  }

  @Test
  void theEncodedSnapshotNeverPassesItsBound_andAChangeThatWouldIsRefused() {
    // Ids of 64 three-byte characters: 5,000 of them as current members would be about 1 MB.
    GroupState g = GroupRules.apply(null, CONV, 0, "admin", event(GroupEventKind.CREATED, List.of(), 5_000)).state();
    long seq = 1;
    GroupRules.Outcome refused = null;
    int next = 0;
    for (int round = 0; round < 40 && refused == null; round++) {
      List<String> batch = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        batch.add("\u4e00".repeat(56) + String.format("%08d", next++));
      }
      GroupRules.Outcome o = GroupRules.apply(g, CONV, seq++, "admin", event(GroupEventKind.ADDED, batch, 0));
      if (!o.applied()) {
        refused = o;
      } else {
        g = o.state();
        assertTrue(AvroSerde.groupSnapshot().encode(g.toSnapshot()).length <= GroupRules.MAX_SNAPSHOT_BYTES);
        assertTrue(g.encodedBytesBound() <= GroupRules.MAX_SNAPSHOT_BYTES);
      }
    }
    assertTrue(refused != null, "a group of long ids reaches the byte bound before 8,000 members");
    assertEquals(GroupRules.Refusal.TOO_LARGE, refused.refusal());
  }

  @Test
  void theByteEstimateIsNeverBelowTheEncodedSize() {
    GroupState g = GroupRules.apply(null, CONV, 0, "admin",
        event(GroupEventKind.CREATED, List.of("b\u00e9", "\ud83d\ude00c", "plain"), 10)).state();
    g = GroupRules.apply(g, CONV, 123_456_789_012L, "admin", event(GroupEventKind.REMOVED, List.of("plain"), 0)).state();
    assertTrue(g.encodedBytesBound() >= AvroSerde.groupSnapshot().encode(g.toSnapshot()).length);
  }
}
