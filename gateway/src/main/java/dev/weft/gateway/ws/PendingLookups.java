package dev.weft.gateway.ws;

import dev.weft.gateway.groups.Memberships;
import java.util.function.Consumer;

/**
 * Bounds the work one connection has waiting: membership lookups that wait for the group directory, and the frames
 * queued behind them to keep its sends in order. A frame over the bound is answered at once with
 * {@code too_many_pending} and does nothing else, so what a client sends costs at most {@code max} waits at a time,
 * paid by that client. Answers that need no wait are never counted. The count lives on the {@link Connection};
 * event loop only.
 */
final class PendingLookups {

  private final Memberships memberships;
  private final int max;

  PendingLookups(Memberships memberships, int max) {
    this.memberships = memberships;
    this.max = max;
  }

  /** Takes one of the connection's slots, or answers the frame with {@code too_many_pending} and returns false. */
  boolean admit(Connection c, String ref) {
    if (c.pendingLookups >= max) {
      c.write(Frames.error(ref, ErrorCode.TOO_MANY_PENDING, "this connection has " + max
          + " lookups waiting already; wait for their answers, then retry"));
      return false;
    }
    c.pendingLookups++;
    return true;
  }

  /** Gives back a slot taken by {@link #admit}. */
  void done(Connection c) {
    c.pendingLookups--;
  }

  /**
   * Calls {@code then} with the access the connection's user has to {@code conv} (null: none): at once when that is
   * settled now, else after a lookup that holds one of the connection's slots. Over the bound, {@code then} is not
   * called: the frame has its {@code too_many_pending}.
   */
  void of(Connection c, String ref, String conv, Consumer<Memberships.Access> then) {
    if (!memberships.mustWait(conv, c.user)) {
      then.accept(memberships.now(conv, c.user));
      return;
    }
    if (!admit(c, ref)) {
      return;
    }
    memberships.of(conv, c.user, c.context).onComplete(r -> {
      done(c);
      then.accept(r.succeeded() ? r.result() : null);
    });
  }
}
