package dev.weft.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * Everything measured of one target, in the order it ran.
 *
 * @param connect the N message users logging in at the start
 * @param phases cold, warm and ramp phases
 * @param heldRate the highest rate held with p99 within the limit and nothing lost: a ramp step before the ramp
 *     stopped, or a warm phase at least as long as a ramp step (0: none)
 * @param rampStop why the ramp stopped, or null when every step passed
 * @param serverIdleCores the server processes' CPU with no connection and no traffic, in cores: the floor under
 *     every phase's server CPU (and the same per process)
 * @param idle the login-rate and idle-connection phase
 * @param lateByPhase by phase number, messages that arrived after their phase's drain
 * @param warnings what makes this target's figures doubtful (a server process that went away mid-run)
 */
record TargetResult(String name, LoginResult connect, List<PhaseResult> phases, int heldRate, String rampStop,
    double serverIdleCores, java.util.Map<String, Double> serverIdleCoresByProcess, LoginResult idle, List<Long> serverPids, java.util.Map<Integer, Long> lateByPhase, List<String> warnings) {

  /** Of a phase's messages, how many arrived after its drain ended (while later phases ran). */
  long arrivedLate(PhaseResult p) {
    return lateByPhase.getOrDefault(p.phaseNo(), 0L);
  }

  /** The first phase of a kind at a rate: the cold phase, or the warm one at 1,000 msgs/s. */
  Optional<PhaseResult> phase(String kind, int rate) {
    return phases.stream().filter(p -> p.kind().equals(kind) && p.rate() == rate).findFirst();
  }

  JsonObject toJson() {
    JsonArray ps = new JsonArray();
    phases.forEach(p -> ps.add(p.toJson(arrivedLate(p))));
    return new JsonObject().put("name", name).put("serverPids", new JsonArray(List.copyOf(serverPids)))
        .put("connect", connect.toJson()).put("phases", ps).put("heldRate", heldRate).put("rampStop", rampStop)
        .put("serverIdleCores", serverIdleCores)
        .put("serverIdleCoresByProcess", new JsonObject(java.util.Map.copyOf(serverIdleCoresByProcess)))
        .put("idle", idle.toJson()).put("warnings", new JsonArray(List.copyOf(warnings)));
  }
}
