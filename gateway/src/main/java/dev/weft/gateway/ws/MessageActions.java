package dev.weft.gateway.ws;

import dev.weft.gateway.groups.Memberships;
import dev.weft.gateway.http.PersisterMessages;
import dev.weft.schemas.MessageAction;
import dev.weft.schemas.MessageActionKind;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * {@code edit}, {@code delete}, {@code react}: changes to an earlier message, each an entry of the conversation's
 * stream with its own seq. Checked here against the stored target (a persister call: these are rare beside sends):
 * only its sender edits it; its sender, or an admin of its group, deletes it; any member reacts. The persister applies
 * them in order, with the same rules.
 */
final class MessageActions {

  static final int MAX_EMOJI_LENGTH = 32;

  private final FrameHandler frames;
  private final Memberships memberships;
  private final PersisterMessages targets;
  private final int maxTextBytes;

  MessageActions(FrameHandler frames, Memberships memberships, PersisterMessages targets, int maxTextBytes) {
    this.frames = frames;
    this.memberships = memberships;
    this.targets = targets;
    this.maxTextBytes = maxTextBytes;
  }

  void handle(Connection c, String op, JsonObject frame, String ref) {
    if (ref == null || ref.isEmpty() || ref.length() > FrameHandler.MAX_REF_LENGTH) {
      c.write(Frames.error(null, ErrorCode.BAD_REQUEST, "ref must be a string of 1 to " + FrameHandler.MAX_REF_LENGTH + " characters"));
      return;
    }
    if (!(frame.getValue("conv") instanceof String conv)) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "conv is missing or not a string"));
      return;
    }
    Object idValue = frame.getValue("id");
    if (!(idValue instanceof String target) || !SendContent.printableAscii(target, SendContent.MAX_MESSAGE_ID)) {
      c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "id must be the id of a message: 1 to "
          + SendContent.MAX_MESSAGE_ID + " printable ASCII characters"));
      return;
    }
    MessageAction action;
    String text = "";
    switch (op) {
      case "edit" -> {
        if (!(frame.getValue("text") instanceof String t) || t.isEmpty()) {
          c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "text is missing or not a non-empty string"));
          return;
        }
        if (t.length() > maxTextBytes || t.getBytes(StandardCharsets.UTF_8).length > maxTextBytes) {
          c.write(Frames.error(ref, ErrorCode.TEXT_TOO_LONG, "text is over " + maxTextBytes + " bytes"));
          return;
        }
        text = t;
        action = MessageAction.newBuilder().setKind(MessageActionKind.EDIT).setTarget(target).build();
      }
      case "delete" -> action = MessageAction.newBuilder().setKind(MessageActionKind.DELETE).setTarget(target).build();
      default -> {
        Object emoji = frame.getValue("emoji");
        if (emoji != null && !(emoji instanceof String e && validEmoji(e))) {
          c.write(Frames.error(ref, ErrorCode.BAD_REQUEST, "emoji must be null (to remove) or 1 to " + MAX_EMOJI_LENGTH
              + " characters with no whitespace or control characters"));
          return;
        }
        action = MessageAction.newBuilder().setKind(MessageActionKind.REACT).setTarget(target)
            .setEmoji((String) emoji).build();
      }
    }
    String body = text;
    frames.inOrder(c, ref, () -> memberships.of(conv, c.user, c.context), access -> {
      if (access == null) {
        c.write(Frames.error(ref, ErrorCode.NOT_MEMBER, "no such conversation, or you are not a member of it"));
        return Future.succeededFuture();
      }
      return targets.find(conv, target).onComplete(found -> {
        if (found.failed()) {
          c.write(Frames.error(ref, ErrorCode.UNAVAILABLE, "cannot read the message now; send it again"));
          return;
        }
        String refused = refusal(found.result(), action.getKind(), c.user, access);
        if (refused != null) {
          c.write(Frames.error(ref, found.result() == null || !"msg".equals(found.result().op()) || found.result().deleted()
              ? ErrorCode.NO_SUCH_MESSAGE : ErrorCode.NOT_SENDER, refused));
          return;
        }
        frames.publishAction(c, ref, conv, access.members(), body, action);
      }).<Void>mapEmpty().otherwiseEmpty();
    });
  }

  /** Why the user may not do this to the target; null when they may. */
  private static String refusal(PersisterMessages.Target t, MessageActionKind kind, String user, Memberships.Access access) {
    if (t == null || !"msg".equals(t.op())) {
      return "no such message in this conversation";
    }
    if (t.deleted()) {
      return "the message was deleted";
    }
    return switch (kind) {
      case EDIT -> t.from().equals(user) ? null : "only its sender edits a message";
      case DELETE -> t.from().equals(user) || (access.group() != null && access.group().isAdmin(user)) ? null
          : "only its sender, or an admin of the group, deletes a message";
      default -> null;
    };
  }

  private static boolean validEmoji(String e) {
    return !e.isEmpty() && e.length() <= MAX_EMOJI_LENGTH
        && e.codePoints().noneMatch(cp -> Character.isWhitespace(cp) || Character.isISOControl(cp)
            || Character.getType(cp) == Character.SPACE_SEPARATOR);
  }
}
