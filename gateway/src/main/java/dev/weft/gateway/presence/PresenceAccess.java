package dev.weft.gateway.presence;

import dev.weft.gateway.config.PresencePolicy;
import dev.weft.gateway.groups.Memberships;
import dev.weft.gateway.groups.UserGroups;
import dev.weft.gateway.http.DirectPartners;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Whose presence a user may follow (WEFT_PRESENCE_POLICY). Under {@code shared}: their own, and that of users who share
 * a conversation with them: a group both are current members of (answered from memory), or a one-to-one conversation
 * holding a stored message (asked of a persister, once per request for all such users). When memory says no, the
 * group directory is also brought up to date meanwhile, so a group created a moment ago counts. A user who does not exist
 * shares nothing, so the answer for them is the same as for a stranger: following reveals nothing about who exists.
 */
public final class PresenceAccess {

  private final PresencePolicy policy;
  private final Memberships memberships;
  private final UserGroups groups;
  private final DirectPartners partners;

  public PresenceAccess(PresencePolicy policy, Memberships memberships, DirectPartners partners) {
    this.policy = policy;
    this.memberships = memberships;
    this.groups = memberships.userGroups();
    this.partners = partners;
  }

  /** True when nothing needs asking: every one of {@code targets} may be followed, decided from memory. */
  public boolean allAllowedNow(String follower, List<String> targets) {
    return policy == PresencePolicy.EVERYONE
        || (memberships.users().loaded(follower) && targets.stream().allMatch(t -> byMemory(follower, t)));
  }

  /**
   * Those of {@code targets} that {@code follower} may not follow, in the order given (empty: all may be). Completes on
   * {@code context}; fails when a persister could not be asked.
   */
  public Future<List<String>> refused(String follower, List<String> targets, Context context) {
    if (policy == PresencePolicy.EVERYONE) {
      return Future.succeededFuture(List.of());
    }
    List<String> unsure = new ArrayList<>(new LinkedHashSet<>(targets.stream().filter(t -> !byMemory(follower, t)).toList()));
    if (unsure.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Future<Set<String>> asked = partners.of(follower, unsure);
    // The web client completes on its own context; hop back so the caller touches its socket on its event loop.
    Future<Set<String>> found = Future.future(p -> asked.onComplete(r -> context.runOnContext(v -> p.handle(r))));
    Future<Void> fresh = memberships.fresh(follower, context); // never fails: a slow one answers with what it has
    return Future.join(found, fresh).transform(done -> {
      List<String> refused = unsure.stream()
          .filter(t -> !byMemory(follower, t) && !(found.succeeded() && found.result().contains(t))).toList();
      // Without the persister's answer a user no group covers is undecided, not refused: the client gets unavailable.
      return found.failed() && !refused.isEmpty() ? Future.failedFuture(found.cause()) : Future.succeededFuture(refused);
    });
  }

  private boolean byMemory(String follower, String target) {
    return follower.equals(target) || groups.shareAGroup(follower, target);
  }
}
