package dev.weft.gateway.ws;

import java.util.concurrent.ConcurrentHashMap;

/**
 * At most {@code max} sockets per user on this gateway (WEFT_MAX_CONNECTIONS_PER_USER). Each socket is a session record
 * every router and gateway reads, and a share of the per-connection rate budget: without a cap, one user with a
 * thousand sockets costs the cluster a thousand users. A place is taken before the upgrade, so upgrades racing on
 * several event loops cannot pass the cap together, and given back exactly once: when the upgrade fails, or when the
 * connection closes. Per gateway: a user's sockets on other gateways are not counted. Keyed by any string: the
 * per-address cap (WEFT_MAX_CONNECTIONS_PER_ADDRESS) is another instance keyed by client address.
 */
final class UserConnectionCap {

  private final int max;
  private final ConcurrentHashMap<String, Integer> held = new ConcurrentHashMap<>();

  UserConnectionCap(int max) {
    this.max = max;
  }

  /** Takes a place for one more socket of {@code user}; false when the user already has {@code max}. */
  boolean tryTake(String user) {
    boolean[] taken = {false};
    held.compute(user, (u, n) -> {
      int now = n == null ? 0 : n;
      if (now >= max) {
        return n;
      }
      taken[0] = true;
      return now + 1;
    });
    return taken[0];
  }

  void giveBack(String user) {
    held.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
  }

  int max() {
    return max;
  }
}
