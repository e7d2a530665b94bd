package dev.weft.gateway.ws;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.NoArgGenerator;

/**
 * Message ids: time-ordered UUIDs (version 7, RFC 9562), unique across gateways like random ones.
 *
 * <p>Why not {@code UUID.randomUUID()}: ids are a unique key of the messages table, and random ones land on random
 * pages of that index, so once it outgrows the database's buffer pool every insert reads a page (measured in
 * docs/performance.md); time-ordered ones append. The generator also draws from its secure random source once per
 * millisecond rather than once per message, which showed in profiles of the gateway's event loop.
 */
final class MessageIds {

  // Keeps the last millisecond and random bits, so ids from one generator are strictly increasing. Thread-safe.
  private final NoArgGenerator generator = Generators.timeBasedEpochGenerator();

  String next() {
    return generator.generate().toString();
  }
}
