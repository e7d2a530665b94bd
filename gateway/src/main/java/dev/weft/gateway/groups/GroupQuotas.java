package dev.weft.gateway.groups;

import dev.weft.gateway.config.QuotaSettings;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

/**
 * The per-user quotas on group creation and membership ({@link QuotaSettings}), decided by the gateway a request
 * reaches, before it publishes anything. They are not part of the group rules the routers and persisters re-apply:
 * those must reach the same answer from the same ordered events everywhere, and a user's count across groups lives in
 * many partitions, so no consumer of one conversation's stream could decide it the same way. Rates are counted per
 * gateway (a user connected to n gateways may spend n times a rate); group counts are cluster-wide
 * ({@link Memberships#groupCounts}): a user loaded here is counted from the groups held here, any other by the
 * persister, as of everything the inbound topic held when asked.
 */
public final class GroupQuotas {

  /** Names of the quotas, as the {@code quota} field of a {@code quota_exceeded} error gives them. */
  public static final String CREATED_PER_HOUR = "groups_created_per_hour";
  public static final String PER_USER = "groups_per_user";
  public static final String MEMBERS_PER_MINUTE = "members_added_per_minute";

  /** Why a request is over a quota; {@code retryAfterMs} is when it would fit again, or -1 when no wait will do. */
  public record Refusal(String quota, String message, long retryAfterMs) {}

  private final QuotaSettings settings;
  private final QuotaWindow created;
  private final QuotaWindow added;

  public GroupQuotas(QuotaSettings settings, LongSupplier nanoTime) {
    this.settings = settings;
    this.created = new QuotaWindow(settings.groupsCreatedPerHour(), TimeUnit.HOURS.toNanos(1), nanoTime);
    this.added = new QuotaWindow(settings.membersAddedPerMinute(), TimeUnit.MINUTES.toNanos(1), nanoTime);
  }

  /**
   * {@code user} creates a group with {@code others} (the creator not among them), each in {@code groupsOf} groups now:
   * null when within every quota.
   */
  public Refusal create(String user, Collection<String> others, ToIntFunction<String> groupsOf) {
    Refusal full = inTooMany(others, groupsOf);
    if (full == null && groupsOf.applyAsInt(user) >= settings.groupsPerUser()) {
      full = new Refusal(PER_USER, "you are in " + groupsOf.applyAsInt(user) + " groups, the most a user may be in ("
          + settings.groupsPerUser() + "); leave one first", -1);
    }
    if (full != null) {
      return full;
    }
    Refusal adding = spendAdds(user, others.size());
    if (adding != null) {
      return adding;
    }
    long wait = created.trySpend(user, 1);
    if (wait > 0) {
      added.giveBack(user, others.size());
      return new Refusal(CREATED_PER_HOUR, "you created " + created.limit() + " groups this hour, the most allowed; "
          + "try again in " + seconds(wait) + " s", millis(wait));
    }
    return null;
  }

  /** {@code user} adds {@code newcomers} (users not in the group now) to a group: null when within every quota. */
  public Refusal add(String user, Collection<String> newcomers, ToIntFunction<String> groupsOf) {
    Refusal full = inTooMany(newcomers, groupsOf);
    return full != null ? full : spendAdds(user, newcomers.size());
  }

  private Refusal inTooMany(Collection<String> joining, ToIntFunction<String> groupsOf) {
    for (String u : joining) {
      if (groupsOf.applyAsInt(u) >= settings.groupsPerUser()) {
        return new Refusal(PER_USER, u + " is in " + settings.groupsPerUser() + " groups already, the most a user may"
            + " be in; nothing was changed", -1);
      }
    }
    return null;
  }

  private Refusal spendAdds(String user, int count) {
    if (count == 0) {
      return null;
    }
    if (count > added.limit()) {
      return new Refusal(MEMBERS_PER_MINUTE, "at most " + added.limit() + " members may be added per minute; this adds "
          + count + ": add them in smaller steps", -1);
    }
    long wait = added.trySpend(user, count);
    return wait == 0 ? null : new Refusal(MEMBERS_PER_MINUTE, "you added as many members this minute as allowed ("
        + added.limit() + "); try again in " + seconds(wait) + " s", millis(wait));
  }

  private static long millis(long nanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
  }

  private static long seconds(long nanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanos + 999_999_999));
  }
}
