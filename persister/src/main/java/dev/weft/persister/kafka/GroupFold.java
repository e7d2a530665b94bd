package dev.weft.persister.kafka;

import dev.weft.common.groups.GroupState;
import dev.weft.persister.db.MessageStore;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Each group's membership as this persister has applied it, read from the database on first use and kept current
 * by applying the group's events in order. After a failed write or a rebalance it is forgotten and read again, so
 * it never runs ahead of what the database holds. Consumer thread only.
 */
final class GroupFold {

  private final MessageStore store;
  private final Map<String, GroupState> groups = new HashMap<>();

  GroupFold(MessageStore store) {
    this.store = store;
  }

  /** The group's state, or null when the database knows no such group. */
  GroupState get(String conv) throws SQLException {
    GroupState g = groups.get(conv);
    if (g == null) {
      g = store.group(conv).map(GroupState::of).orElse(null);
      if (g != null) {
        groups.put(conv, g);
      }
    }
    return g;
  }

  void put(GroupState state) {
    groups.put(state.conv(), state);
  }

  void forget() {
    groups.clear();
  }
}
