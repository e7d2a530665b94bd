package dev.weft.gateway.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConversationIds;
import dev.weft.common.UserIds;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The conversation-id decoder the gateway runs on every {@code conv} a client names: it never throws, and it accepts
 * exactly the ids {@link ConversationIds#direct} writes, so a forged id never makes someone a member.
 */
class ConversationIdsFuzzTest {

  /** A user id with no unpaired surrogate: those collide once encoded, which issue 13 item 7 refuses at the door. */
  private static String userId(Random r) {
    String s;
    do {
      s = Fuzz.string(r);
      if (s.length() > UserIds.MAX_LENGTH) {
        s = s.substring(0, UserIds.MAX_LENGTH);
      }
    } while (!UserIds.valid(s) || !wellFormed(s));
    return s;
  }

  private static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(++i)))) {
        return false;
      }
      if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private static String hostile(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> Fuzz.string(r);
      case 1 -> "dm:" + Fuzz.string(r) + (r.nextBoolean() ? "." + Fuzz.string(r) : "");
      case 2 -> "g:" + Fuzz.string(r);
      default -> {
        String a = userId(r);
        String b = userId(r);
        yield a.equals(b) ? ConversationIds.newGroup() : Fuzz.mutate(r, ConversationIds.direct(a, b));
      }
    };
  }

  @Test
  void anyIdDecodesToNothingOrToTheTwoUsersItWasWrittenFor() {
    Fuzz.forAll("conv-any-id", ConversationIdsFuzzTest::hostile, conv -> {
      Optional<List<String>> members = ConversationIds.directMembers(conv);
      boolean group = ConversationIds.isGroup(conv);
      assertFalse(group && members.isPresent(), "an id is a group's or a pair's, never both");
      if (members.isPresent()) {
        String a = members.get().get(0);
        String b = members.get().get(1);
        assertTrue(UserIds.valid(a) && UserIds.valid(b) && a.compareTo(b) < 0);
        assertEquals(conv, ConversationIds.direct(a, b), "only the canonical spelling is accepted");
      }
      if (group) {
        assertTrue(conv.startsWith("g:") && conv.length() == 24);
      }
    });
  }

  @Test
  void aPairsIdNamesExactlyThatPair() {
    Fuzz.forAll("conv-round-trip", r -> List.of(userId(r), userId(r), userId(r)), users -> {
      String a = users.get(0);
      String b = users.get(1);
      String stranger = users.get(2);
      if (a.equals(b)) {
        return;
      }
      String conv = ConversationIds.direct(a, b);
      assertEquals(conv, ConversationIds.direct(b, a), "both sides get the same id");
      assertTrue(ConversationIds.isMember(conv, a) && ConversationIds.isMember(conv, b));
      assertEquals(stranger.equals(a) || stranger.equals(b), ConversationIds.isMember(conv, stranger));
      assertFalse(ConversationIds.isGroup(conv));
      assertTrue(conv.length() <= ConversationIds.MAX_LENGTH);
    });
  }
}
