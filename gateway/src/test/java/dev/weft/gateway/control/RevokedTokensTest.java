package dev.weft.gateway.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RevokedTokensTest {

  private long now = 1_000_000;
  private final RevokedTokens revoked = new RevokedTokens(60_000, () -> now);

  @Test
  void aRevocationHoldsUntilNoTokenItRefusesCanStillBeValid() {
    revoked.revoke("alice", now);
    assertEquals(1_000_000, revoked.revokedBefore("alice"));
    assertEquals(Long.MIN_VALUE, revoked.revokedBefore("bob"));
    now += 59_999;
    assertEquals(1_000_000, revoked.revokedBefore("alice"));
    now += 1;
    assertEquals(Long.MIN_VALUE, revoked.revokedBefore("alice"), "every token issued before it has expired");
    assertEquals(0, revoked.size());
  }

  @Test
  void revokingForgetsTheExpiredOnesAtMostOnceAMinute() {
    revoked.revoke("alice", now);
    now += 60_001; // alice's can no longer refuse anything, and a minute has passed since the last pass
    revoked.revoke("bob", now);
    assertEquals(1, revoked.size(), "alice's forgotten by the pass");
    now += 59_000;
    revoked.revoke("carol", now - 59_000); // within the minute: no pass, and carol's still counts
    assertEquals(2, revoked.size());
  }

  @Test
  void theLaterOfTwoRevocationsWinsAndOnesTooOldToMatterAreNotKept() {
    revoked.revoke("alice", now - 10);
    revoked.revoke("alice", now - 500);
    assertEquals(now - 10, revoked.revokedBefore("alice"));
    revoked.revoke("bob", now - 60_000); // loaded from the topic long after: nothing it refuses is left
    assertEquals(Long.MIN_VALUE, revoked.revokedBefore("bob"));
    revoked.revoke("carol", now);
    now += 60_000;
    revoked.forgetExpired();
    assertEquals(0, revoked.size());
  }
}
