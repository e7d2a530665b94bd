package dev.weft.persister.db;

/**
 * One row of history: a message, or a group membership event ({@code event} as JSON, empty {@code text}).
 * {@code content} is a message's reply and attachments as JSON ({@link dev.weft.common.MessageContent}), or null;
 * {@code action}, an edit's, delete's or reaction's fields as JSON (with {@code op}), naming {@code target}; {@code
 * edited} and {@code deleted} say what later actions did to a message.
 */
public record StoredMessage(String conv, long seq, String id, String from, String fromDevice, long ts, String text, String ref,
    String event, String content, String action, String target, boolean edited, boolean deleted) {

  /** A row as written: nothing has acted on it yet. */
  public StoredMessage(String conv, long seq, String id, String from, String fromDevice, long ts, String text, String ref,
      String event, String content, String action, String target) {
    this(conv, seq, id, from, fromDevice, ts, text, ref, event, content, action, target, false, false);
  }
}
