package dev.weft.persister.db;

/** One row of history: a message, or a group membership event ({@code event} as JSON, empty {@code text}). */
public record StoredMessage(String conv, long seq, String id, String from, String fromDevice, long ts, String text, String ref,
    String event) {}
