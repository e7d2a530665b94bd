package dev.weft.router;

import dev.weft.common.ConversationIds;
import dev.weft.schemas.ConversationType;
import dev.weft.schemas.InboundMessage;
import dev.weft.schemas.Metadata;
import dev.weft.schemas.MetadataKind;
import dev.weft.schemas.Receipt;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The body-free record analytics read for each routed message, membership change and receipt. */
final class MetadataRecords {

  private MetadataRecords() {}

  static Metadata of(InboundMessage m, long seq, int audience) {
    boolean event = m.getEvent() != null;
    return Metadata.newBuilder()
        .setKind(event ? MetadataKind.MEMBERSHIP : MetadataKind.MESSAGE)
        .setConv(m.getConv())
        .setConvType(type(m.getConv()))
        .setId(m.getId())
        .setSeq(seq)
        .setUser(m.getFrom())
        .setTs(m.getTs())
        // An edit, delete or reaction is a MESSAGE entry whose detail names it.
        .setDetail(event ? m.getEvent().getKind().name().toLowerCase(Locale.ROOT)
            : m.getAction() != null ? dev.weft.common.MessageContent.actionOp(m.getAction()) : null)
        .setTextBytes(event ? 0 : m.getText().getBytes(StandardCharsets.UTF_8).length)
        .setAudience(audience)
        .setAffected(event ? m.getEvent().getUsers().size() : 0)
        .build();
  }

  static Metadata of(Receipt r) {
    return Metadata.newBuilder()
        .setKind(MetadataKind.RECEIPT)
        .setConv(r.getConv())
        .setConvType(type(r.getConv()))
        .setId(null)
        .setSeq(r.getSeq())
        .setUser(r.getUser())
        .setTs(r.getTs())
        .setDetail(r.getKind().name().toLowerCase(Locale.ROOT))
        .setTextBytes(0)
        .setAudience(r.getMembers().size())
        .setAffected(0)
        .build();
  }

  private static ConversationType type(String conv) {
    return ConversationIds.isGroup(conv) ? ConversationType.GROUP : ConversationType.DIRECT;
  }
}
