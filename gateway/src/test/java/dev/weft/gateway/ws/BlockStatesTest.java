package dev.weft.gateway.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.weft.gateway.http.PersisterBlocks;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BlockStatesTest {

  private final List<Promise<Map<String, PersisterBlocks.State>>> asked = new ArrayList<>();
  private final BlockStates states = new BlockStates(convs -> {
    Promise<Map<String, PersisterBlocks.State>> p = Promise.promise();
    asked.add(p);
    return p.future();
  });

  @Test
  void anEntryDeliveredWhileTheLoadIsOutIsAppliedAfterItWhenNewerAndDroppedWhenTheLoadHadIt() {
    Future<Map<String, PersisterBlocks.State>> loaded = states.of(List.of("dm:a.b"));
    states.delivered("dm:a.b", 10, "bob", true); // the load had it (seq 10)
    states.delivered("dm:a.b", 12, "bob", false); // newer: bob unblocked after
    states.delivered("dm:a.b", 13, "alice", true); // newer still
    asked.get(0).complete(Map.of("dm:a.b", new PersisterBlocks.State(10, Set.of("bob"))));
    assertEquals(Set.of("alice"), loaded.result().get("dm:a.b").blockers());
    assertEquals(13, states.now("dm:a.b").seq());
  }

  @Test
  void aKnownStateFollowsEntriesAndOneNotKnownWaitsForItsLoad() {
    states.delivered("dm:a.b", 5, "bob", true); // not known, not loading: the next load has it
    assertNull(states.now("dm:a.b"));
    states.of(List.of("dm:a.b"));
    asked.get(0).complete(Map.of("dm:a.b", new PersisterBlocks.State(5, Set.of("bob"))));
    states.delivered("dm:a.b", 9, "bob", false);
    assertEquals(Set.of(), states.now("dm:a.b").blockers());
    states.delivered("dm:a.b", 7, "bob", true); // older than what is known: ignored
    assertEquals(Set.of(), states.now("dm:a.b").blockers());
  }

  @Test
  void twoAsksForTheSameConversationShareOneLoadAndAFailedLoadIsAskedAgain() {
    Future<Map<String, PersisterBlocks.State>> first = states.of(List.of("dm:a.b"));
    Future<Map<String, PersisterBlocks.State>> second = states.of(List.of("dm:a.b", "dm:a.c"));
    assertEquals(2, asked.size(), "one load for dm:a.b, one for dm:a.c");
    asked.get(0).fail("persister down");
    assertEquals(true, first.failed());
    assertEquals(true, second.failed() || !second.isComplete());
    states.of(List.of("dm:a.b"));
    assertEquals(3, asked.size(), "asked again after the failure");
  }
}
