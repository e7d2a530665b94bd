package dev.weft.router;

import dev.weft.common.LogSafe;
import dev.weft.common.ConversationIds;
import dev.weft.common.groups.GroupDirectory;
import dev.weft.common.groups.GroupRules;
import dev.weft.common.groups.GroupState;
import dev.weft.schemas.InboundMessage;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who gets an inbound record. One-to-one: the members it names. Groups: the membership at the record's seq, which
 * this router keeps current by applying each membership event of its partitions in order (and publishing the
 * result, so gateways and the next owner of the partition learn it). Routing thread only.
 */
final class GroupMembership {

  private static final Logger log = LoggerFactory.getLogger(GroupMembership.class);

  /** What to do with one record: deliver to {@code recipients}, and publish {@code snapshot} when not null. */
  record Decision(List<String> recipients, GroupState snapshot) {
    static final Decision DROP = new Decision(List.of(), null);
  }

  private final GroupDirectory groups;

  GroupMembership(GroupDirectory groups) {
    this.groups = groups;
  }

  Decision decide(InboundMessage m, long seq) {
    String conv = m.getConv();
    if (!ConversationIds.isGroup(conv)) {
      return new Decision(m.getMembers(), null);
    }
    GroupState state = groups.get(conv);
    if (m.getEvent() == null) {
      if (state == null || !(dev.weft.common.SystemSender.is(m.getFrom()) || state.memberAt(m.getFrom(), seq))) {
        // The sender's gateway checked; a removal ordered just before this message wins.
        log.info("not routing {}@{}: {} was not a member of the group then", LogSafe.of(conv), seq, LogSafe.of(m.getFrom()));
        return Decision.DROP;
      }
      return new Decision(state.recipientsAt(seq), null);
    }
    if (state == null || seq > state.version()) {
      GroupRules.Outcome o = GroupRules.apply(state, conv, seq, m.getFrom(), m.getEvent());
      if (!o.applied()) {
        log.info("group event {}@{} from {} changes nothing: {}", LogSafe.of(conv), seq, LogSafe.of(m.getFrom()), LogSafe.of(o.rejected()));
        return Decision.DROP;
      }
      state = o.state(); // known to the directory once stored: see applied()
    }
    // Published again on a replay too: the first write may be the one that failed.
    return new Decision(state.recipientsAt(seq), state);
  }

  /**
   * Records a decision's snapshot once it is stored, so the next record of the group sees it. Not before: an event
   * whose snapshot Kafka refused is dead-lettered, and must not count as applied here.
   */
  void applied(GroupState snapshot) {
    groups.put(snapshot);
  }
}
