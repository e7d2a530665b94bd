package dev.weft.common;

import dev.weft.schemas.Attachment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A message's optional content beyond its text, as every JSON shape shows it (a {@code msg} frame, history, catch-up):
 * {@code reply_to} and {@code attachments}, snake_case like the rest of the protocol. One place, so live frames and
 * stored rows cannot disagree.
 */
public final class MessageContent {

  private MessageContent() {}

  /**
   * The frame an action is shown as (its {@code op}) and its fields: {@code edit} with {@code target} (the new text is
   * the record's {@code text}), {@code delete} with {@code target}, {@code react} with {@code target} and {@code emoji}
   * (null: the reaction was removed).
   */
  public static Map<String, Object> actionFields(dev.weft.schemas.MessageAction action) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("op", actionOp(action));
    out.put("target", action.getTarget().toString());
    if (action.getKind() == dev.weft.schemas.MessageActionKind.REACT) {
      out.put("emoji", action.getEmoji() == null ? null : action.getEmoji().toString());
    }
    return out;
  }

  public static String actionOp(dev.weft.schemas.MessageAction action) {
    return switch (action.getKind()) {
      case EDIT -> "edit";
      case DELETE -> "delete";
      case REACT -> "react";
      case OTHER -> "action";
    };
  }

  /** The fields to add to a message's JSON: none, {@code reply_to}, {@code attachments}, or both. */
  public static Map<String, Object> fields(CharSequence replyTo, List<Attachment> attachments) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (replyTo != null) {
      out.put("reply_to", replyTo.toString());
    }
    if (attachments != null && !attachments.isEmpty()) {
      List<Object> list = new ArrayList<>();
      for (Attachment a : attachments) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", a.getUrl().toString());
        m.put("media_type", a.getMediaType().toString());
        m.put("size", a.getSize());
        m.put("hash", a.getHash().toString());
        if (a.getName() != null) {
          m.put("name", a.getName().toString());
        }
        if (a.getWidth() != null) {
          m.put("width", a.getWidth());
        }
        if (a.getHeight() != null) {
          m.put("height", a.getHeight());
        }
        if (a.getThumbnail() != null) {
          m.put("thumbnail", a.getThumbnail().toString());
        }
        list.add(m);
      }
      out.put("attachments", list);
    }
    return out;
  }
}
