package dev.weft.gateway.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.weft.gateway.http.PersisterBlocks;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BlockStatesTest {

  private final Promise<List<PersisterBlocks.Row>> answer = Promise.promise();
  private final BlockStates states = new BlockStates();
  private boolean failed;

  private void load() {
    states.load(user -> answer.future(), "alice", () -> failed = true);
  }

  @Test
  void anEntryDeliveredWhileTheLoadIsOutIsAppliedAfterItWhenNewerAndDroppedWhenTheLoadHadIt() {
    load();
    assertNull(states.now("dm:a.b"), "not known before the load answers");
    Future<?> waiting = states.of(List.of("dm:a.b"));
    states.delivered("dm:a.b", 10, "bob", true); // the load had it
    states.delivered("dm:a.b", 12, "bob", false); // newer: bob unblocked after
    states.delivered("dm:a.c", 13, "alice", true); // a conversation with no row yet
    assertFalse(waiting.isComplete());
    answer.complete(List.of(new PersisterBlocks.Row("dm:a.b", "bob", "alice", true, 10)));
    assertEquals(Set.of(), states.now("dm:a.b").blockers());
    assertEquals(Set.of("alice"), states.now("dm:a.c").blockers());
    assertEquals(Set.of(), states.now("dm:a.d").blockers(), "no row: nobody blocks");
  }

  @Test
  void afterTheLoadEntriesFollowInOrderAndAnOlderOneIsIgnored() {
    load();
    answer.complete(List.of(new PersisterBlocks.Row("dm:a.b", "alice", "bob", true, 4),
        new PersisterBlocks.Row("dm:a.b", "bob", "alice", true, 3)));
    assertEquals(Set.of("alice", "bob"), states.now("dm:a.b").blockers(), "both ways");
    states.delivered("dm:a.b", 9, "alice", false);
    assertEquals(Set.of("bob"), states.now("dm:a.b").blockers());
    states.delivered("dm:a.b", 7, "alice", true); // older than what is known
    assertEquals(Set.of("bob"), states.now("dm:a.b").blockers());
  }

  @Test
  void aFailedLoadLeavesTheConnectionWritingAsUnblockedWithWhatCameLiveStillApplied() {
    load();
    states.delivered("dm:a.b", 5, "bob", true);
    answer.fail("database down");
    assertEquals(true, failed);
    assertEquals(Set.of("bob"), states.now("dm:a.b").blockers(), "what came live counts");
    assertEquals(Set.of(), states.now("dm:a.c").blockers());
  }
}
