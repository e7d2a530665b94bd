package dev.weft.gateway.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.common.ConversationIds;
import dev.weft.common.Env;
import dev.weft.common.Tokens;
import dev.weft.common.groups.GroupDirectory;
import dev.weft.common.groups.GroupRules;
import dev.weft.gateway.config.GatewayConfig;
import dev.weft.gateway.groups.Memberships;
import dev.weft.gateway.http.OriginalAcks;
import dev.weft.gateway.kafka.KafkaPublisher;
import dev.weft.gateway.ops.GatewayMetrics;
import dev.weft.gateway.presence.PresenceDirectory;
import dev.weft.schemas.GroupEvent;
import dev.weft.schemas.GroupEventKind;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real frame path, {@link FrameHandler#onText}, fed generated frames on a real Vert.x event loop, with Kafka's own
 * {@link MockProducer} behind the real {@link KafkaPublisher} to see what would reach Kafka. For every frame: nothing
 * throws; every answer is a documented frame whose message names no Java class; and a refused frame publishes nothing,
 * while an accepted one publishes exactly its one record.
 */
class FrameHandlerFuzzTest {

  private static final String ME = "mallory";
  private static final int MAX_FRAME = 4096;
  private static final int MAX_TEXT = 1000;
  private static final Set<String> CODES = Arrays.stream(ErrorCode.values()).map(c -> c.code).collect(Collectors.toSet());

  private static Vertx vertx;
  private static Context context;
  private static MockProducer<String, byte[]> producer;
  private static KafkaPublisher publisher;
  private static GatewayConfig config;
  private static Tokens tokens;
  private static FrameHandler frames;
  private static TokenLifetime lifetime;
  private static PresenceHub presence;
  private static GatewayMetrics metrics;
  private static final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private static String[] convs;
  private static String[] unknownGroups;

  @BeforeAll
  static void start() throws Exception {
    config = GatewayConfig.from(new Env(Map.ofEntries(
        Map.entry("WEFT_DEV", "0"),
        Map.entry("WEFT_GATEWAY_ID", "fuzz"),
        Map.entry("WEFT_PERSISTER_URL", "http://127.0.0.1:1"), // nothing listens: a resend's check fails at once
        Map.entry("WEFT_KAFKA_BOOTSTRAP", "127.0.0.1:1"), // never dialled: the directories are not started
        Map.entry("WEFT_JWT_SECRET", "fuzz-secret-0123456789abcdef0123456789"),
        Map.entry("WEFT_INTERNAL_SECRET", "fuzz-internal-secret-0123456789abcdef"),
        Map.entry("WEFT_MAX_FRAME_BYTES", Integer.toString(MAX_FRAME)),
        Map.entry("WEFT_MAX_TEXT_BYTES", Integer.toString(MAX_TEXT)),
        Map.entry("WEFT_GROUP_MAX_MEMBERS", "5"),
        Map.entry("WEFT_PRESENCE_MAX_SUBSCRIPTIONS", "3"),
        Map.entry("WEFT_GROUP_LOOKUP_WAIT_MS", "0"))));
    vertx = Vertx.vertx();
    vertx.exceptionHandler(uncaught::add);
    context = vertx.getOrCreateContext();
    producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    publisher = new KafkaPublisher(producer, 10_000);
    tokens = new Tokens(config.jwt(), Clock.systemUTC());
    metrics = new GatewayMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> 0);
    GroupDirectory groups = new GroupDirectory(config.kafka(), "fuzz-groups");
    dev.weft.common.groups.GroupState memberOf = group("owner", ME);
    dev.weft.common.groups.GroupState adminOf = group(ME, "pal");
    String member = memberOf.conv();
    String admin = adminOf.conv();
    dev.weft.gateway.groups.UserGroups userGroups = new dev.weft.gateway.groups.UserGroups();
    groups.onChange(userGroups);
    // What the persister would answer for me; the directory's reader is not started (no broker here).
    dev.weft.gateway.groups.LoadedUsers loaded = new dev.weft.gateway.groups.LoadedUsers(groups, userGroups,
        u -> Future.succeededFuture(u.equals(ME) ? List.of(memberOf, adminOf) : List.of()), Runnable::run);
    groups.retainOnly(loaded);
    loaded.acquire(ME).toCompletableFuture().get(5, TimeUnit.SECONDS);
    dev.weft.gateway.http.PersisterClient persister = new dev.weft.gateway.http.PersisterClient(WebClient.create(vertx),
        config.persisterUrl(), config.internalSecret());
    Memberships memberships = new Memberships(groups, userGroups, loaded, users -> Future.succeededFuture(java.util.Map.of()),
        config.lookups(), metrics, System::nanoTime);
    // Everyone may follow everyone here: the shared policy asks the persister, which a unit test does not have
    // (PresencePolicyTest covers it on a real Weft).
    presence = new PresenceHub(new PresenceDirectory(config.kafka(), "fuzz-presence",
        users -> Future.succeededFuture(java.util.Map.of()), Runnable::run),
        new dev.weft.gateway.presence.PresenceAccess(dev.weft.gateway.config.PresencePolicy.EVERYONE, memberships,
            new dev.weft.gateway.http.DirectPartners(persister)));
    lifetime = new TokenLifetime(tokens, Clock.systemUTC());
    frames = new FrameHandler(config, publisher, Clock.systemUTC(),
        new OriginalAcks(persister), new dev.weft.gateway.http.PersisterMessages(persister, vertx), memberships, presence,
        lifetime, metrics);
    unknownGroups = new String[] {ConversationIds.newGroup(), ConversationIds.newGroup(), ConversationIds.newGroup()};
    // An unknown group costs its first lookup a wait for the (here silent) directory; pay it once, for all of them.
    CompletableFuture<Void> warmed = new CompletableFuture<>();
    context.runOnContext(v -> Future.join(Arrays.stream(unknownGroups).map(g -> memberships.of(g, ME, context)).toList())
        .onComplete(r -> warmed.complete(null)));
    warmed.get(20, TimeUnit.SECONDS);
    // No group this gateway knows without me in it: each lookup of one waits out the silent directory (3 s). The
    // corpus (HostileCorpusTest) sends to such groups on a real Weft.
    convs = new String[] {ConversationIds.direct(ME, "pal"), member, admin, ConversationIds.direct("alice", "bob"),
        unknownGroups[0], unknownGroups[1], unknownGroups[2], "g:short", "dm:", "", "nope"};
  }

  private static dev.weft.common.groups.GroupState group(String creator, String... others) {
    String conv = ConversationIds.newGroup();
    GroupEvent created = GroupEvent.newBuilder().setKind(GroupEventKind.CREATED).setTitle("t")
        .setUsers(List.of(others)).setMaxMembers(5).build();
    return GroupRules.apply(null, conv, 0, creator, created).state();
  }

  @AfterAll
  static void stop() {
    if (publisher != null) {
      publisher.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  // ---- one frame through the real handler ----

  /** What one frame did: the frames written, the close code (0: open), the records handed to the producer. */
  private record Outcome(List<String> written, int closed, List<ProducerRecord<String, byte[]>> records) {}

  private static final class FakeSocket {
    final List<String> written = new CopyOnWriteArrayList<>();
    volatile int closed;

    /** Only what Connection calls; a real socket's other methods are not reached by the frame path. */
    ServerWebSocket proxy() {
      return (ServerWebSocket) Proxy.newProxyInstance(ServerWebSocket.class.getClassLoader(), new Class<?>[] {ServerWebSocket.class},
          (self, method, args) -> switch (method.getName()) {
            case "writeTextMessage" -> {
              written.add((String) args[0]);
              yield Future.succeededFuture();
            }
            case "close" -> {
              closed = args != null && args.length > 0 && args[0] instanceof Short s ? s : 1000;
              yield Future.succeededFuture();
            }
            case "isClosed" -> closed != 0;
            case "hashCode" -> System.identityHashCode(self);
            case "equals" -> self == args[0];
            case "toString" -> "FakeSocket";
            default -> throw new UnsupportedOperationException("the frame path called ServerWebSocket." + method.getName());
          });
    }
  }

  private static <T> T onContext(Supplier<T> work) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        f.complete(work.get());
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    });
    return f.get(10, TimeUnit.SECONDS);
  }

  private static Outcome handle(String text) throws Exception {
    FakeSocket socket = new FakeSocket();
    int before = producer.history().size();
    Connection c = onContext(() -> {
      Connection conn = new Connection("s-" + System.nanoTime(), ME, "d", socket.proxy(), context,
          new SendRateLimiter(1_000_000, 1_000_000, System::nanoTime), 1 << 20, new QueuePeak(), metrics);
      conn.typingLimiter = new SendRateLimiter(1_000_000, 1_000_000, System::nanoTime);
      conn.blocks = BlockStates.none(); // nobody blocks anyone
      frames.onText(conn, text); // an exception here fails the try: onContext rethrows it
      return conn;
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!onContext(() -> c.pendingLookups == 0 && c.sendOrder.isComplete()
        && (socket.closed != 0 || !socket.written.isEmpty() || typed(before)))) {
      assertTrue(System.nanoTime() < deadline, "no answer, no close and no typing record within 10 s");
      Thread.sleep(1);
    }
    onContext(() -> {
      lifetime.disarm(c);
      presence.forget(c);
      return null;
    });
    List<ProducerRecord<String, byte[]>> all = producer.history();
    return new Outcome(List.copyOf(socket.written), socket.closed, all.subList(before, all.size()));
  }

  private static boolean typed(int before) {
    List<ProducerRecord<String, byte[]>> all = producer.history();
    return all.subList(before, all.size()).stream().anyMatch(r -> r.topic().equals(config.kafka().topics().typing()));
  }

  // ---- the property ----

  @Test
  void aFrameIsAnsweredAsDocumentedAndOnlyAnAcceptedOnePublishes() {
    Fuzz.forAll("frame-handler", FrameHandlerFuzzTest::frame, text -> {
      Outcome o = handle(text);
      assertTrue(uncaught.isEmpty(), "an exception escaped to Vert.x: " + uncaught);
      Object inputRef = inputRef(text);
      List<JsonObject> answers = new ArrayList<>();
      for (String w : o.written()) {
        JsonObject f = new JsonObject(w);
        String op = f.getString("op");
        assertTrue(Set.of("ack", "error", "presence").contains(op), "an answer the protocol has: " + w);
        if ("error".equals(op)) {
          assertTrue(CODES.contains(f.getString("code")), "a documented code: " + w);
          assertFalse(f.getString("message", "").isBlank(), "a message: " + w);
          Fuzz.assertNoLeak(f.getString("message"));
        }
        if (f.containsKey("ref")) {
          assertEquals(inputRef, f.getValue("ref"), "the ref echoed is the frame's: " + w);
        }
        if (!"presence".equals(op)) {
          answers.add(f);
        }
      }
      String topics = o.records().stream().map(ProducerRecord::topic).toList().toString();
      if (o.closed() != 0) {
        assertEquals(FrameHandler.CLOSE_TOO_BIG, o.closed(), "only an oversized frame closes the socket");
        assertTrue(text.getBytes(StandardCharsets.UTF_8).length > MAX_FRAME, "closed although under the maximum");
        assertTrue(o.records().isEmpty(), "a closed socket's frame published " + topics);
        return;
      }
      if (answers.isEmpty()) { // typing: no answer, one record on the typing topic
        assertEquals(List.of(config.kafka().topics().typing()), o.records().stream().map(ProducerRecord::topic).toList());
        return;
      }
      assertEquals(1, answers.size(), "one answer per frame: " + o.written());
      JsonObject answer = answers.get(0);
      if ("error".equals(answer.getString("op"))) {
        assertTrue(o.records().isEmpty(), "a refused frame (" + answer.getString("code") + ") published " + topics);
      } else if (answer.containsKey("id")) {
        assertEquals(List.of(config.kafka().topics().inbound()), o.records().stream().map(ProducerRecord::topic).toList(),
            "an acked send or group change is one inbound record");
      } else if (answer.containsKey("kind")) {
        assertEquals(List.of(config.kafka().topics().receipts()), o.records().stream().map(ProducerRecord::topic).toList(),
            "an acked receipt is one receipt record");
      } else {
        assertTrue(o.records().isEmpty(), "a presence or refresh ack publishes nothing, not " + topics);
      }
    });
  }

  private static Object inputRef(String text) {
    try {
      return new JsonObject(text).getValue("ref");
    } catch (RuntimeException e) {
      return null;
    }
  }

  // ---- generators ----

  private static final String[] OPS = {"send", "receipt", "group_create", "group_add", "group_remove", "group_leave",
      "typing", "presence_subscribe", "presence_unsubscribe", "refresh", "teleport", "SEND", "", "ack"};
  private static final String[] USERS = {"pal", "bob", "u1", "u2", "u3", "u4", "\u03a9mega", ME};

  static String frame(java.util.Random r) {
    int shape = r.nextInt(20);
    if (shape == 0) {
      return Fuzz.string(r);
    }
    JsonObject o = structured(r);
    String text = o.encode();
    // A mutated group id would be a new unknown group, whose first lookup waits for a directory that never answers.
    if (shape <= 3 && !text.contains("g:")) {
      return Fuzz.mutate(r, text);
    }
    return text;
  }

  private static JsonObject structured(java.util.Random r) {
    JsonObject o = new JsonObject();
    int opShape = r.nextInt(20);
    String op = Fuzz.pick(r, OPS);
    if (opShape == 0) {
      o.put("op", odd(r));
    } else if (opShape > 1) {
      o.put("op", op);
    }
    if (r.nextInt(6) > 0) {
      o.put("ref", "r-" + r.nextInt(1000));
    } else {
      maybe(r, o, "ref", () -> Fuzz.pick(r, new Object[] {"", "r".repeat(129), 7, null, new JsonArray().add("r"), Fuzz.string(r)}));
    }
    switch (op) {
      case "send" -> {
        if (r.nextBoolean()) {
          field(r, o, "to", () -> Fuzz.pick(r, USERS), () -> odd(r));
        }
        if (!o.containsKey("to") || r.nextInt(5) == 0) {
          field(r, o, "conv", () -> conv(r), () -> odd(r));
        }
        field(r, o, "text", () -> text(r), () -> Fuzz.pick(r, new Object[] {"", "x".repeat(MAX_TEXT + 1), "\u20ac".repeat(334), 42, null}));
        if (r.nextInt(4) == 0) {
          field(r, o, "resend", r::nextBoolean, () -> Fuzz.pick(r, new Object[] {"yes", 1, null}));
        }
      }
      case "receipt" -> {
        field(r, o, "conv", () -> conv(r), () -> odd(r));
        field(r, o, "kind", () -> Fuzz.pick(r, new String[] {"read", "delivered"}), () -> Fuzz.pick(r, new Object[] {"READ", 1, null, "seen"}));
        field(r, o, "seq", () -> Fuzz.pick(r, new Object[] {0, 17, Long.MAX_VALUE, 2147483648L}),
            () -> Fuzz.pick(r, new Object[] {-1, 1.5, "5", null, new BigInteger("18446744073709551616"), 1e308, true}));
      }
      case "group_create" -> {
        field(r, o, "title", () -> Fuzz.pick(r, new String[] {"t", "Hiking \u26f0", "t".repeat(200)}),
            () -> Fuzz.pick(r, new Object[] {"", "  ", "t".repeat(201), 5, null}));
        field(r, o, "members", () -> users(r, 0, 6), () -> odd(r));
      }
      case "group_add", "group_remove" -> {
        field(r, o, "conv", () -> conv(r), () -> odd(r));
        field(r, o, "members", () -> users(r, 0, 7), () -> odd(r));
      }
      case "group_leave" -> field(r, o, "conv", () -> conv(r), () -> odd(r));
      case "typing" -> {
        field(r, o, "conv", () -> conv(r), () -> odd(r));
        field(r, o, "state", () -> Fuzz.pick(r, new String[] {"started", "stopped"}), () -> Fuzz.pick(r, new Object[] {"STARTED", true, null}));
      }
      case "presence_subscribe", "presence_unsubscribe" -> field(r, o, "users", () -> users(r, 0, 5), () -> odd(r));
      case "refresh" -> field(r, o, "token", () -> Fuzz.pick(r, new String[] {tokens.issue(ME, Duration.ofHours(1)),
          tokens.issue("pal", Duration.ofHours(1)), "not-a-jwt", Fuzz.mutate(r, tokens.issue(ME, Duration.ofHours(1)))}),
          () -> Fuzz.pick(r, new Object[] {"", 5, null, new JsonObject().put("sub", ME)}));
      default -> { }
    }
    if (r.nextInt(5) == 0) {
      o.put(Fuzz.string(r), odd(r)); // unknown fields are ignored
    }
    return o;
  }

  private static void field(java.util.Random r, JsonObject o, String name, Supplier<Object> good, Supplier<Object> bad) {
    int roll = r.nextInt(10);
    if (roll < 7) {
      o.put(name, good.get());
    } else if (roll < 9) {
      o.put(name, bad.get());
    } // else: missing
  }

  private static void maybe(java.util.Random r, JsonObject o, String name, Supplier<Object> value) {
    if (r.nextInt(4) > 0) {
      o.put(name, value.get());
    }
  }

  private static String conv(java.util.Random r) {
    return r.nextInt(8) == 0 ? Fuzz.mutate(r, ConversationIds.direct(ME, "pal")).replace("g:", "h:") : Fuzz.pick(r, convs);
  }

  private static Object text(java.util.Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> "hi";
      case 1 -> "x".repeat(r.nextInt(MAX_TEXT) + 1);
      case 2 -> "\ud83d\ude00".repeat(r.nextInt(300) + 1);
      default -> Fuzz.string(r) + "!";
    };
  }

  private static JsonArray users(java.util.Random r, int min, int max) {
    JsonArray a = new JsonArray();
    int n = min + r.nextInt(max - min + 1);
    for (int i = 0; i < n; i++) {
      a.add(r.nextInt(8) == 0 ? odd(r) : Fuzz.pick(r, USERS));
    }
    return a;
  }

  /** A value of a wrong type or shape. */
  private static Object odd(java.util.Random r) {
    return switch (r.nextInt(9)) {
      case 0 -> null;
      case 1 -> r.nextInt();
      case 2 -> r.nextDouble() * 1e300;
      case 3 -> new BigInteger(100, r);
      case 4 -> r.nextBoolean();
      case 5 -> new JsonArray().add(Fuzz.string(r)).add(r.nextInt());
      case 6 -> new JsonObject().put(Fuzz.string(r), Fuzz.string(r));
      case 7 -> "x".repeat(1 + r.nextInt(5000));
      default -> Fuzz.string(r);
    };
  }
}
