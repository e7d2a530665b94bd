package dev.weft.persister.db;

/** One row of history. */
public record StoredMessage(String conv, long seq, String id, String from, String fromDevice, long ts, String text, String ref) {}
