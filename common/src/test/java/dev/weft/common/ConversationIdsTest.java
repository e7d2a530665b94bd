package dev.weft.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConversationIdsTest {

  @Test
  void directIdIsTheSameWhoeverWritesFirst() {
    assertEquals(ConversationIds.direct("alice", "bob"), ConversationIds.direct("bob", "alice"));
  }

  @Test
  void membersAreReadBackFromTheId() {
    String conv = ConversationIds.direct("zoë", "a.b@c");
    assertEquals(Optional.of(List.of("a.b@c", "zoë")), ConversationIds.directMembers(conv));
    assertTrue(ConversationIds.isMember(conv, "zoë"));
    assertFalse(ConversationIds.isMember(conv, "mallory"));
  }

  @Test
  void forgedOrMalformedIdsHaveNoMembers() {
    assertEquals(Optional.empty(), ConversationIds.directMembers("dm:Ym9i.YWxpY2U")); // bob.alice: wrong order
    assertEquals(Optional.empty(), ConversationIds.directMembers("dm:YQ.YQ"));
    assertEquals(Optional.empty(), ConversationIds.directMembers("dm:!!.YQ"));
    assertEquals(Optional.empty(), ConversationIds.directMembers("g:123"));
    assertEquals(Optional.empty(), ConversationIds.directMembers("dm:YQ"));
  }
}
