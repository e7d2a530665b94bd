package dev.weft.gateway.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.Env;
import dev.weft.common.KafkaSettings;
import dev.weft.gateway.presence.PresenceDirectory.Presence;
import dev.weft.gateway.presence.PresenceDirectory.Stored;
import dev.weft.schemas.AvroSerde;
import dev.weft.schemas.SessionAnnouncement;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * The join of a persister's answer with the sessions records read while it was on its way, in every order the test
 * chooses. No broker: records are handed to the directory as its view would, on one thread.
 */
class PresenceDirectoryTest {

  private final List<Promise<Map<String, Stored>>> asked = new ArrayList<>();
  private final List<List<String>> askedFor = new ArrayList<>();
  private final List<String> changes = new ArrayList<>();
  private final PresenceDirectory directory = new PresenceDirectory(
      KafkaSettings.from(new Env(Map.of("WEFT_KAFKA_BOOTSTRAP", "localhost:1"))), "presence-test", users -> {
        Promise<Map<String, Stored>> p = Promise.promise();
        asked.add(p);
        askedFor.add(users);
        return p.future();
      }, Runnable::run);
  private final AvroSerde<SessionAnnouncement> serde = AvroSerde.sessionAnnouncement();
  private long offset;

  PresenceDirectoryTest() {
    directory.onChange((user, p) -> changes.add(user + (p.online() ? " online" : " offline " + p.lastSeen())));
  }

  @Test
  void recordsReadWhileTheAnswerIsOnItsWayAreAppliedAfterItSoNoChangeFallsBetween() {
    CompletableFuture<Void> loaded = directory.follow(List.of("bob")).get("bob");
    announce("s2", "bob", false); // a second device, after the persister's barrier
    retract("s1", 1_000); // the first one leaves, after the barrier too
    assertFalse(loaded.isDone());
    // The persister's answer: as of its barrier, bob had s1 only.
    asked.get(0).complete(Map.of("bob", new Stored(Map.of("s1", false), 500)));
    assertTrue(loaded.isDone());
    assertEquals(new Presence(true, -1), directory.of("bob"), "s2 is still on");
    retract("s2", 2_000);
    assertEquals(new Presence(false, 2_000), directory.of("bob"));
    assertEquals(List.of("bob offline 2000"), changes, "the load itself tells no listener");
  }

  @Test
  void aRetractionDuringTheLoadOfASessionInTheAnswerLeavesTheUserOfflineLastSeenThen() {
    CompletableFuture<Void> loaded = directory.follow(List.of("bob")).get("bob");
    retract("s1", 1_500);
    asked.get(0).complete(Map.of("bob", new Stored(Map.of("s1", false), 500)));
    assertTrue(loaded.isDone());
    assertEquals(new Presence(false, 1_500), directory.of("bob"));
  }

  @Test
  void aUserNeverSeenIsOfflineWithNoLastSeenAndAStoredLastSeenIsKeptUnlessTheSessionHidIt() {
    var loads = directory.follow(List.of("nobody", "carol", "dave"));
    assertEquals(List.of(List.of("nobody", "carol", "dave")), askedFor, "one request for the users of one follow");
    asked.get(0).complete(Map.of("carol", new Stored(Map.of(), 700)));
    loads.values().forEach(f -> assertTrue(f.isDone()));
    assertEquals(new Presence(false, -1), directory.of("nobody"));
    assertEquals(new Presence(false, 700), directory.of("carol"));
    announce("d1", "dave", true);
    assertEquals(new Presence(true, -1), directory.of("dave"));
    retract("d1", 3_000);
    assertEquals(new Presence(false, -1), directory.of("dave"), "the last session hid it");
    assertEquals(List.of("dave online", "dave offline -1"), changes);
  }

  @Test
  void aUserNobodyFollowsIsNotHeldAndUnfollowingForgetsEverything() {
    announce("x1", "stranger", false);
    assertEquals(new Presence(false, -1), directory.of("stranger"));
    assertEquals(0, directory.followedUsers());
    directory.follow(List.of("bob"));
    asked.get(0).complete(Map.of("bob", new Stored(Map.of("s1", false), -1)));
    assertEquals(1, directory.followedUsers());
    directory.unfollow("bob");
    assertEquals(0, directory.followedUsers());
    retract("s1", 9_000);
    assertEquals(new Presence(false, -1), directory.of("bob"), "nothing held of bob");
    assertTrue(changes.isEmpty(), String.valueOf(changes));
  }

  @Test
  void aFailedLoadFailsItsFollowersAndHoldsNothingSoTheNextFollowAsksAgain() {
    CompletableFuture<Void> first = directory.follow(List.of("bob")).get("bob");
    asked.get(0).fail("the persister answered 503");
    assertTrue(first.isCompletedExceptionally());
    assertEquals(0, directory.followedUsers());
    CompletableFuture<Void> second = directory.follow(List.of("bob")).get("bob");
    asked.get(1).complete(Map.of("bob", new Stored(Map.of("s1", false), -1)));
    assertTrue(second.isDone() && !second.isCompletedExceptionally());
    assertEquals(new Presence(true, -1), directory.of("bob"));
  }

  @Test
  void anAnswerForAUserUnfollowedMeanwhileIsDropped() {
    CompletableFuture<Void> loaded = directory.follow(List.of("bob")).get("bob");
    directory.unfollow("bob");
    assertTrue(loaded.isCompletedExceptionally());
    asked.get(0).complete(Map.of("bob", new Stored(Map.of("s1", false), -1)));
    assertEquals(0, directory.followedUsers());
    assertEquals(new Presence(false, -1), directory.of("bob"));
  }

  private void announce(String session, String user, boolean hide) {
    SessionAnnouncement a = SessionAnnouncement.newBuilder().setSession(session).setUser(user).setDevice("phone")
        .setGateway("gw-1").setConnectedAt(0).setHideLastSeen(hide).build();
    directory.apply(record(session, serde.encode(a), 0));
  }

  private void retract(String session, long ts) {
    directory.apply(record(session, null, ts));
  }

  private ConsumerRecord<String, byte[]> record(String key, byte[] value, long ts) {
    return new ConsumerRecord<>("weft.sessions", 0, offset++, ts, TimestampType.CREATE_TIME, -1, -1, key, value,
        new RecordHeaders(), java.util.Optional.empty());
  }
}
