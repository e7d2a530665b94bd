package dev.weft.gateway.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UnknownGroupsTest {

  private static final long MS = 1_000_000L;

  private final AtomicLong now = new AtomicLong(42 * MS);

  @Test
  void anIdIsHeldUntilItsTtlThenForgotten() {
    UnknownGroups unknown = new UnknownGroups(1_000, 10, now::get);
    unknown.add("g:a");
    assertTrue(unknown.contains("g:a"));
    assertFalse(unknown.contains("g:b"), "only ids added are held");
    now.addAndGet(999 * MS);
    assertTrue(unknown.contains("g:a"));
    now.addAndGet(MS);
    assertFalse(unknown.contains("g:a"), "expired at its TTL");
    assertEquals(0, unknown.size(), "and dropped");
  }

  @Test
  void addingAgainRenewsTheTtl() {
    UnknownGroups unknown = new UnknownGroups(1_000, 10, now::get);
    unknown.add("g:a");
    now.addAndGet(800 * MS);
    unknown.add("g:a");
    now.addAndGet(800 * MS);
    assertTrue(unknown.contains("g:a"));
  }

  @Test
  void aSnapshotsArrivalDropsTheEntryAtOnce() {
    UnknownGroups unknown = new UnknownGroups(60_000, 10, now::get);
    unknown.add("g:a");
    unknown.remove("g:a");
    assertFalse(unknown.contains("g:a"));
  }

  @Test
  void pastItsBoundTheOldestIdGoesFirst() {
    UnknownGroups unknown = new UnknownGroups(60_000, 3, now::get);
    unknown.add("g:1");
    now.addAndGet(MS);
    unknown.add("g:2");
    unknown.add("g:3");
    unknown.add("g:1"); // renewed: now the newest
    unknown.add("g:4");
    assertEquals(3, unknown.size());
    assertFalse(unknown.contains("g:2"), "the oldest went");
    assertTrue(unknown.contains("g:1") && unknown.contains("g:3") && unknown.contains("g:4"));
  }

  @Test
  void expiredIdsAreDroppedAsNewOnesArriveWithoutBeingAskedFor() {
    UnknownGroups unknown = new UnknownGroups(1_000, 100, now::get);
    for (int i = 0; i < 50; i++) {
      unknown.add("g:" + i);
    }
    now.addAndGet(1_000 * MS);
    unknown.add("g:new");
    assertEquals(1, unknown.size(), "a storm of ids leaves nothing behind once it expires");
  }
}
