package dev.weft.gateway.config;

import dev.weft.common.Env;

/**
 * Per-user quotas on what grows every router's and gateway's heap: groups are never deleted, and each holds every
 * group. Counted by the gateway a request reaches (see docs/security.md, "Group quotas and presence", for why there); a
 * request over one is refused with {@code quota_exceeded} and publishes nothing.
 *
 * @param groupsCreatedPerHour WEFT_GROUPS_CREATED_PER_HOUR: groups one user may create through one gateway per hour
 *     window; the window opens with the user's first creation and the refusal says when it ends (default 50)
 * @param groupsPerUser WEFT_GROUPS_PER_USER: groups a user may be a current member of, checked when the user creates
 *     a group and when anyone adds the user to one (default 500)
 * @param membersAddedPerMinute WEFT_GROUP_MEMBERS_ADDED_PER_MINUTE: members one user may add through one gateway per
 *     minute window, counting the members named in a {@code group_create} and only users not in the group already; a
 *     frame adding more than this at once is always refused (default 200)
 */
public record QuotaSettings(int groupsCreatedPerHour, int groupsPerUser, int membersAddedPerMinute) {

  static QuotaSettings from(Env env) {
    return new QuotaSettings(
        env.integer("WEFT_GROUPS_CREATED_PER_HOUR", 50, 1, 1_000_000),
        env.integer("WEFT_GROUPS_PER_USER", 500, 1, 1_000_000),
        env.integer("WEFT_GROUP_MEMBERS_ADDED_PER_MINUTE", 200, 1, 1_000_000));
  }
}
