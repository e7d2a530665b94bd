package dev.weft.chaos;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * What a Kubernetes Service or a cloud load balancer does in front of the gateways (for clients) and the persisters
 * (for the gateways): each new TCP connection goes to the next backend in turn, and to the one after when a backend
 * refuses it (it is dead). A connection already open ends when its backend's does, so the client sees its backend die.
 */
final class TcpBalancer implements AutoCloseable {

  private final Vertx vertx;
  private final NetClient client;
  private final List<Integer> backends;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicIntegerArray open;
  private final NetServer server;

  private TcpBalancer(Vertx vertx, List<Integer> backends) {
    this.vertx = vertx;
    this.backends = backends;
    this.open = new AtomicIntegerArray(backends.size());
    this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2_000).setTcpNoDelay(true));
    this.server = vertx.createNetServer().connectHandler(this::accept);
  }

  /** Listens on 127.0.0.1:{@code port} and spreads connections over the backends' loopback ports. */
  static TcpBalancer start(Vertx vertx, int port, List<Integer> backends) throws Exception {
    TcpBalancer b = new TcpBalancer(vertx, List.copyOf(backends));
    b.server.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return b;
  }

  /** Connections open now to backend {@code i}. */
  int openTo(int i) {
    return open.get(i);
  }

  private void accept(NetSocket front) {
    front.pause();
    int first = Math.floorMod(next.getAndIncrement(), backends.size());
    connect(first, 0).onSuccess(pair -> {
      int i = pair.index;
      NetSocket back = pair.socket;
      open.incrementAndGet(i);
      back.closeHandler(v -> {
        open.decrementAndGet(i);
        front.close();
      });
      front.closeHandler(v -> back.close());
      front.pipeTo(back);
      back.pipeTo(front);
      front.resume();
    }).onFailure(e -> front.close());
  }

  private record Connected(int index, NetSocket socket) {}

  private Future<Connected> connect(int index, int tried) {
    if (tried == backends.size()) {
      return Future.failedFuture("no backend accepts connections");
    }
    Promise<Connected> p = Promise.promise();
    client.connect(backends.get(index), "127.0.0.1")
        .onSuccess(s -> p.complete(new Connected(index, s)))
        .onFailure(e -> connect((index + 1) % backends.size(), tried + 1).onComplete(p));
    return p.future();
  }

  @Override
  public void close() {
    server.close();
    client.close();
  }

}
