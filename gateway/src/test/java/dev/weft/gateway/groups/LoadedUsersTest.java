package dev.weft.gateway.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.KafkaSettings;
import dev.weft.common.groups.GroupDirectory;
import dev.weft.common.groups.GroupRules;
import dev.weft.common.groups.GroupState;
import dev.weft.schemas.GroupEvent;
import dev.weft.schemas.GroupEventKind;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a gateway holds of the groups: those of its loaded users, joined from the persister's answer and the groups
 * topic in version order. The directory's reader is not started: snapshots are put as its thread would put them, and
 * the persister's answers are promises the test completes, so every interleaving of the two is the test's to choose.
 */
class LoadedUsersTest {

  private final GroupDirectory groups = new GroupDirectory(KafkaSettings.from(new dev.weft.common.Env(Map.of("WEFT_KAFKA_BOOTSTRAP", "localhost:1"))), "loaded-users-test");
  private final UserGroups index = new UserGroups();
  private final Map<String, ArrayDeque<Promise<List<GroupState>>>> asked = new HashMap<>();
  private final LoadedUsers users = new LoadedUsers(groups, index,
      u -> {
        Promise<List<GroupState>> p = Promise.promise();
        asked.computeIfAbsent(u, k -> new ArrayDeque<>()).add(p);
        return p.future();
      }, Runnable::run);

  LoadedUsersTest() {
    groups.onChange(index);
    groups.retainOnly(users);
  }

  @AfterEach
  void close() {
    groups.close();
  }

  @Test
  void holdsTheGroupsOfLoadedUsersAndNothingElse() {
    GroupState annsGroup = create("g:a", "ann", "ben");
    GroupState others = create("g:o", "cat", "dan");
    CompletionStage<Void> ready = users.acquire("ann");
    assertFalse(users.loaded("ann"));
    answer("ann", annsGroup);
    assertTrue(ready.toCompletableFuture().isDone());
    assertTrue(users.loaded("ann"));
    assertNotNull(groups.get("g:a"));

    groups.put(others); // from the topic: nobody here is in it
    assertNull(groups.get("g:o"));
    assertEquals(1, groups.size());
    assertEquals(1, index.count("ann"));
    assertTrue(index.shareAGroup("ann", "ben"), "another member is known through the group it shares");

    GroupState joined = add(others, "cat", "ann");
    groups.put(joined); // ann added: now it is held
    assertEquals(2, groups.size());
  }

  @Test
  void aChangeThatCameWhileTheLoadWasOnItsWayWinsOverTheOlderAnswer() {
    GroupState v0 = create("g:1", "ann", "ben");
    GroupState v1 = remove(v0, "ann", "ben");
    GroupState stay = create("g:2", "ben", "ann");
    GroupState gone = remove(stay, "ben", "ann");
    users.acquire("ann");
    groups.put(v1); // the topic brings changes while the persister answers as of before them
    groups.put(gone);
    answer("ann", v0, stay);
    assertEquals(v1.version(), groups.get("g:1").version());
    assertNull(groups.get("g:2"), "ann was removed while loading: the group is not hers to hold");
    assertEquals(1, index.count("ann"));
  }

  @Test
  void theLastReleaseForgetsTheGroupsNoOtherLoadedUserIsIn() {
    GroupState shared = create("g:s", "ann", "ben");
    GroupState own = create("g:own", "ann", "cat");
    users.acquire("ann");
    users.acquire("ann"); // a second socket
    answer("ann", shared, own);
    users.acquire("ben");
    answer("ben", shared);
    users.release("ann");
    assertEquals(2, groups.size(), "one socket of ann's is still open");
    users.release("ann");
    assertNull(groups.get("g:own"));
    assertNotNull(groups.get("g:s"), "ben is still in it");
    assertEquals(java.util.Set.of("g:s"), index.of("ann"), "ann is known only through the group ben's load holds");
    users.release("ben");
    assertEquals(0, groups.size());
    assertEquals(0, users.size());
  }

  @Test
  void aLoadThatFailedIsTriedAgainByTheNextLookup() {
    GroupState g = create("g:1", "ann");
    CompletionStage<Void> first = users.acquire("ann");
    asked.get("ann").poll().fail("the persister is behind");
    assertTrue(first.toCompletableFuture().isCompletedExceptionally());
    assertFalse(users.loaded("ann"));
    CompletionStage<Void> again = users.ready("ann");
    answer("ann", g);
    assertTrue(again.toCompletableFuture().isDone() && !again.toCompletableFuture().isCompletedExceptionally());
    assertNotNull(groups.get("g:1"));
  }

  @Test
  void anAnswerForAUserReleasedMeanwhileIsDropped() {
    GroupState g = create("g:1", "ann");
    users.acquire("ann");
    users.release("ann");
    answer("ann", g);
    assertEquals(0, groups.size());
  }

  private void answer(String user, GroupState... states) {
    asked.get(user).poll().complete(List.of(states));
  }

  private static GroupState create(String conv, String creator, String... others) {
    GroupEvent e = GroupEvent.newBuilder().setKind(GroupEventKind.CREATED).setTitle("t").setUsers(List.of(others))
        .setMaxMembers(10).build();
    return GroupRules.apply(null, conv, 1, creator, e).state();
  }

  private static GroupState add(GroupState g, String by, String user) {
    return change(g, by, GroupEventKind.ADDED, user);
  }

  private static GroupState remove(GroupState g, String by, String user) {
    return change(g, by, GroupEventKind.REMOVED, user);
  }

  private static GroupState change(GroupState g, String by, GroupEventKind kind, String user) {
    GroupEvent e = GroupEvent.newBuilder().setKind(kind).setUsers(List.of(user)).build();
    GroupRules.Outcome o = GroupRules.apply(g, g.conv(), g.version() + 1, by, e);
    assertTrue(o.applied(), o.rejected());
    return o.state();
  }
}
