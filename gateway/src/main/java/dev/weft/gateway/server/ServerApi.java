package dev.weft.gateway.server;

import dev.weft.gateway.config.GatewayConfig;
import dev.weft.gateway.http.PersisterClient;
import dev.weft.gateway.http.PersisterGroups;
import dev.weft.gateway.kafka.KafkaPublisher;
import dev.weft.gateway.presence.PresenceDirectory;
import java.time.Clock;

/** Makes the server API's verticle from the gateway's own parts. */
public final class ServerApi {

  private ServerApi() {}

  public static ServerApiVerticle verticle(GatewayConfig config, KafkaPublisher publisher, PersisterClient persister,
      PersisterGroups groups, PresenceDirectory.Source presence, Clock clock, io.vertx.core.Vertx vertx) {
    ServerWrites writes = new ServerWrites(publisher, config.kafka().topics(), config.gatewayId(), clock);
    return new ServerApiVerticle(config.serverApi(), config.maxFrameBytes(),
        new ServerMessages(writes, groups, config.maxTextBytes()),
        new ServerGroups(writes, groups, config.groupMaxMembers()), new ServerUsers(writes, presence, groups, vertx),
        persister);
  }
}
