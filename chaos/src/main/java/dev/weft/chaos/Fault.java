package dev.weft.chaos;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The faults a run injects, in the order of issue 14's table; each is healed before the next (see {@link ChaosRun}). */
enum Fault {
  GATEWAY_KILL("gateway-kill", "a gateway SIGKILLed; its clients reconnect through the balancer with their cursors"),
  ROUTER_KILL("router-kill", "a router SIGKILLed, restarted after the quiet period"),
  PERSISTER_KILL("persister-kill", "a persister SIGKILLed, restarted after the quiet period"),
  LEADER_BROKER_KILL("leader-broker-kill", "the broker leading weft.inbound's partition 0 SIGKILLed, then restarted"),
  BROKER_PAUSE("broker-pause", "a broker SIGSTOPped for 30 s, then SIGCONTed: hung, not dead"),
  DATABASE_KILL("database-kill", "mariadbd SIGKILLed, restarted on the same data after the quiet period"),
  GATEWAY_DRAIN("gateway-drain", "a gateway SIGTERMed under load: it drains (1012) and stops; restarted"),
  ROUTER_AND_GATEWAY_KILL("router-and-gateway-kill", "a router and a gateway SIGKILLed at once, both restarted");

  final String id;
  final String description;

  Fault(String id, String description) {
    this.id = id;
    this.description = description;
  }

  static Fault of(String id) {
    return Arrays.stream(values()).filter(f -> f.id.equals(id)).findFirst().orElseThrow(() ->
        new IllegalArgumentException("'" + id + "' is not a fault; the faults are "
            + Arrays.stream(values()).map(f -> f.id).collect(Collectors.joining(", "))));
  }
}
