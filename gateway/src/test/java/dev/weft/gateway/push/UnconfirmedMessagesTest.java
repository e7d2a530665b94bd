package dev.weft.gateway.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnconfirmedMessagesTest {

  private final List<String> noticed = new ArrayList<>();
  private final UnconfirmedMessages tracker = new UnconfirmedMessages(m -> noticed.add(m.conv() + "@" + m.seq()));

  private static UnconfirmedMessages.Message msg(String conv, long seq) {
    return new UnconfirmedMessages.Message(conv, "id-" + seq, seq, "alice", 0, "");
  }

  @Test
  void aPongConfirmsWhatWasWrittenBeforeItsPingAndNothingAfter() {
    assertTrue(tracker.written(msg("a", 1), 0), "no ping out: one should follow the message");
    Buffer first = tracker.nextPing();
    assertFalse(tracker.written(msg("b", 2), 1), "a ping is out already");
    Buffer second = tracker.nextPing();
    tracker.written(msg("c", 3), 2); // after both pings
    assertFalse(tracker.pong(first), "the second ping is still out");
    assertEquals(1, tracker.noticeOlderThan(100, 100), "b is due in 1 ns, c in 2");
    assertTrue(noticed.isEmpty());
    assertEquals(-1, tracker.noticeOlderThan(100, 102));
    assertEquals(List.of("b@2", "c@3"), noticed, "a was confirmed by the first pong; b and c are old now");
  }

  @Test
  void theLastPongConfirmsEverythingBeforeItAndAsksForAnotherPingWhenMessagesCameAfter() {
    tracker.written(msg("a", 1), 0);
    Buffer ping = tracker.nextPing();
    tracker.written(msg("b", 2), 1);
    assertTrue(tracker.pong(ping), "b came after the ping: another one should go");
    Buffer next = tracker.nextPing();
    assertFalse(tracker.pong(next));
    assertTrue(tracker.isEmpty());
    tracker.closed();
    assertTrue(noticed.isEmpty(), String.valueOf(noticed));
  }

  @Test
  void aSocketThatNeverAnswersHasItsLatestMessageOfEachConversationNoticedOnceDueOrAtClose() {
    tracker.written(msg("a", 1), 0);
    tracker.nextPing();
    tracker.written(msg("a", 2), 50); // the same conversation: one notice, for the latest, timed from the first
    tracker.written(msg("b", 3), 80);
    assertEquals(20, tracker.noticeOlderThan(100, 160), "b is due in 20 ns");
    assertEquals(List.of("a@2"), noticed);
    tracker.closed();
    assertEquals(List.of("a@2", "b@3"), noticed);
  }

  @Test
  void aReceiptUpToTheLatestMessageConfirmsItsConversationAndOneBelowItDoesNot() {
    tracker.written(msg("a", 5), 0);
    tracker.written(msg("b", 7), 0);
    tracker.receipt("a", 5);
    tracker.receipt("b", 6);
    tracker.receipt("elsewhere", 100);
    tracker.closed();
    assertEquals(List.of("b@7"), noticed);
  }

  @Test
  void aPongThatIsNotOursConfirmsNothing() {
    tracker.written(msg("a", 1), 0);
    tracker.nextPing();
    assertFalse(tracker.pong(Buffer.buffer("hello")));
    assertFalse(tracker.pong(Buffer.buffer(8).appendLong(99)));
    assertFalse(tracker.isEmpty());
  }

  @Test
  void pastTheBoundTheOldestConversationIsNoticedAtOnce() {
    for (int i = 0; i <= UnconfirmedMessages.MAX_CONVERSATIONS; i++) {
      tracker.written(msg("c" + i, i), i);
    }
    assertEquals(List.of("c0@0"), noticed);
  }
}
