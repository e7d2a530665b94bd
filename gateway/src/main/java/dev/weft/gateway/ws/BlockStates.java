package dev.weft.gateway.ws;

import dev.weft.gateway.http.PersisterBlocks;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who blocks whom among the one-to-one conversations of one connection's user: loaded from the persister once, when
 * the connection's session is announced (every block row naming the user, either way: usually none), then kept
 * current by the block entries the routers deliver to this gateway. Both users of a pair are an entry's recipients,
 * and the session was announced before the load was asked, so every entry the load could miss reaches it; one that
 * comes while the load is out is applied after it, if its seq is newer. Per connection, so a reconnect starts afresh.
 * Event loop only.
 */
final class BlockStates {

  /** Where the rows come from. */
  interface Source {
    Future<List<PersisterBlocks.Row>> involving(String user);
  }

  private record Change(String conv, long seq, String blocker, boolean blocked) {}

  private final Map<String, PersisterBlocks.State> known = new HashMap<>();
  private final Promise<Void> ready = Promise.promise();
  /** Entries delivered before the load answered; null once it has. */
  private List<Change> meanwhile = new ArrayList<>();

  /** Loads the user's rows. Once, when the connection's session is announced. */
  void load(Source source, String user, Runnable onFailure) {
    source.involving(user).onComplete(r -> {
      if (r.succeeded()) {
        for (PersisterBlocks.Row row : r.result()) {
          known.put(row.conv(), apply(known.getOrDefault(row.conv(), PersisterBlocks.State.NONE),
              new Change(row.conv(), row.seq(), row.blocker(), row.active()), true));
        }
      } else {
        onFailure.run(); // as unblocked: one-to-one delivery never waited for the database
      }
      for (Change c : meanwhile) {
        known.put(c.conv(), apply(known.getOrDefault(c.conv(), PersisterBlocks.State.NONE), c, false));
      }
      meanwhile = null;
      ready.complete();
    });
  }

  /** A connection that never loads: nobody blocks anyone. For tests of the frame path. */
  static BlockStates none() {
    BlockStates s = new BlockStates();
    s.meanwhile = null;
    s.ready.complete();
    return s;
  }

  /** The state if the load has answered, else null. */
  PersisterBlocks.State now(String conv) {
    return meanwhile == null ? known.getOrDefault(conv, PersisterBlocks.State.NONE) : null;
  }

  /** The states of these conversations, once the load has answered. */
  Future<Map<String, PersisterBlocks.State>> of(List<String> convs) {
    return ready.future().map(v -> {
      Map<String, PersisterBlocks.State> out = new HashMap<>();
      convs.forEach(conv -> out.put(conv, now(conv)));
      return out;
    });
  }

  /** A block entry delivered here: applied if newer than what is known, or kept until the load answers. */
  void delivered(String conv, long seq, String blocker, boolean blocked) {
    Change c = new Change(conv, seq, blocker, blocked);
    if (meanwhile != null) {
      meanwhile.add(c);
    } else {
      known.put(conv, apply(known.getOrDefault(conv, PersisterBlocks.State.NONE), c, false));
    }
  }

  /** The state after the entry; a loaded row's seq may equal another row's of the pair (two blockers). */
  private static PersisterBlocks.State apply(PersisterBlocks.State s, Change c, boolean loading) {
    if (!loading && c.seq() <= s.seq()) {
      return s; // the load already had it
    }
    Set<String> blockers = new HashSet<>(s.blockers());
    if (c.blocked()) {
      blockers.add(c.blocker());
    } else {
      blockers.remove(c.blocker());
    }
    return new PersisterBlocks.State(Math.max(s.seq(), c.seq()), Set.copyOf(blockers));
  }
}
