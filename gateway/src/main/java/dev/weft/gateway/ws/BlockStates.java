package dev.weft.gateway.ws;

import dev.weft.gateway.http.PersisterBlocks;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The block state of the one-to-one conversations one connection writes to (or adds people from): loaded from the
 * persister on first use, then kept current by the block entries the routers deliver to this gateway (its user is a
 * member of each such conversation, and its session was announced before it asked, so every later entry comes here).
 * An entry that comes while the load is out is applied after it, if newer. Per connection, so a reconnect starts
 * afresh. Bounded: the least recently loaded are forgotten, and loaded again when needed. Event loop only.
 */
final class BlockStates {

  static final int MAX_CONVERSATIONS = 1024;

  /** What the persister is asked: each conversation's state. */
  interface Source {
    Future<Map<String, PersisterBlocks.State>> of(List<String> convs);
  }

  private record Change(long seq, String blocker, boolean blocked) {}

  private final Source source;
  private final Map<String, PersisterBlocks.State> known =
      dev.weft.common.BoundedMaps.evictingEldest(MAX_CONVERSATIONS, false);
  private final Map<String, List<Change>> meanwhile = new HashMap<>();
  private final Map<String, Future<PersisterBlocks.State>> loading = new HashMap<>();

  BlockStates(Source source) {
    this.source = source;
  }

  /** The state if known now, else null. */
  PersisterBlocks.State now(String conv) {
    return known.get(conv);
  }

  /** The states of these conversations, loading those not known (one request for all of them). */
  Future<Map<String, PersisterBlocks.State>> of(List<String> convs) {
    Map<String, PersisterBlocks.State> out = new HashMap<>();
    List<String> missing = new ArrayList<>();
    List<Future<PersisterBlocks.State>> waits = new ArrayList<>();
    List<String> waitedFor = new ArrayList<>();
    for (String conv : new java.util.LinkedHashSet<>(convs)) {
      PersisterBlocks.State s = known.get(conv);
      if (s != null) {
        out.put(conv, s);
      } else if (loading.containsKey(conv)) {
        waits.add(loading.get(conv));
        waitedFor.add(conv);
      } else {
        missing.add(conv);
      }
    }
    if (!missing.isEmpty()) {
      Future<Map<String, PersisterBlocks.State>> asked = source.of(missing);
      for (String conv : missing) {
        meanwhile.put(conv, new ArrayList<>());
        Future<PersisterBlocks.State> one = asked.map(m -> settle(conv, m.getOrDefault(conv, PersisterBlocks.State.NONE)))
            .onFailure(e -> {
              loading.remove(conv);
              meanwhile.remove(conv);
            });
        loading.put(conv, one);
        waits.add(one);
        waitedFor.add(conv);
      }
    }
    return Future.all(waits).map(all -> {
      for (int i = 0; i < waitedFor.size(); i++) {
        out.put(waitedFor.get(i), all.<PersisterBlocks.State>resultAt(i));
      }
      return out;
    });
  }

  private PersisterBlocks.State settle(String conv, PersisterBlocks.State loaded) {
    PersisterBlocks.State s = loaded;
    for (Change c : meanwhile.remove(conv)) {
      s = apply(s, c);
    }
    loading.remove(conv);
    known.put(conv, s);
    return s;
  }

  /** A block entry delivered here: applied if newer than what is known, or kept until the load answers. */
  void delivered(String conv, long seq, String blocker, boolean blocked) {
    Change c = new Change(seq, blocker, blocked);
    List<Change> pending = meanwhile.get(conv);
    if (pending != null) {
      pending.add(c);
      return;
    }
    PersisterBlocks.State s = known.get(conv);
    if (s != null) {
      known.put(conv, apply(s, c));
    }
    // Not known and not loading: the next use loads it, with this entry stored by then.
  }

  private static PersisterBlocks.State apply(PersisterBlocks.State s, Change c) {
    if (c.seq() <= s.seq()) {
      return s; // the load already had it
    }
    Set<String> blockers = new HashSet<>(s.blockers());
    if (c.blocked()) {
      blockers.add(c.blocker());
    } else {
      blockers.remove(c.blocker());
    }
    return new PersisterBlocks.State(c.seq(), Set.copyOf(blockers));
  }
}
