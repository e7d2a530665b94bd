package dev.weft.persister.db;

/**
 * One row of history: a message, or a group membership event ({@code event} as JSON, empty {@code text}).
 * {@code content} is a message's reply and attachments as JSON ({@link dev.weft.common.MessageContent}), or null.
 */
public record StoredMessage(String conv, long seq, String id, String from, String fromDevice, long ts, String text, String ref,
    String event, String content) {}
