package dev.weft.tools;

import dev.weft.common.ConfigException;
import dev.weft.common.Env;
import dev.weft.common.KafkaSettings;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code ./weft topics}: look at a running Weft's topics.
 *
 * <ul>
 *   <li>{@code list}: every topic under WEFT_TOPIC_PREFIX (default {@code weft.}) with its partitions and end offsets.
 *   <li>{@code tail <topic> [--from-beginning] [--limit N]}: one JSON line per record, its value decoded by its own
 *       writer schema (current or any kept release). From the end unless {@code --from-beginning}; runs until Ctrl-C
 *       or N records.
 *   <li>{@code regroup [--backup-dir DIR | --from-backup FILE]}: gives the groups topic as many partitions as the
 *       inbound one, keeping every group ({@link GroupsRepartition}); the routers must be stopped.
 * </ul>
 *
 * Reads WEFT_KAFKA_BOOTSTRAP (default localhost:9092) and WEFT_TOPIC_PREFIX. Exit code 2 for bad arguments, an
 * unknown topic or bad settings; 1 when Kafka cannot be reached.
 */
public final class TopicsMain {

  static final String USAGE = """
      usage: weft topics list
             weft topics tail <topic> [--from-beginning] [--limit N]
             weft topics regroup [--backup-dir DIR | --from-backup FILE]   (routers stopped)""";
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private TopicsMain() {}

  public static void main(String[] args) {
    System.exit(run(args, Env.system(), System.out, System.err, RecordDecoder.standard(), true));
  }

  /** Runs one command; returns the exit code. {@code stopOnSignal}: install a shutdown hook that ends a tail. */
  static int run(String[] args, Env env, PrintStream out, PrintStream err, RecordDecoder decoder, boolean stopOnSignal) {
    KafkaSettings kafka;
    try {
      kafka = KafkaSettings.from(env);
    } catch (ConfigException e) {
      err.println("weft topics: " + e.getMessage());
      return 2;
    }
    String prefix = env.string("WEFT_TOPIC_PREFIX", "weft.");
    try {
      if (args.length == 1 && args[0].equals("list")) {
        return list(kafka, prefix, out);
      }
      if (args.length >= 1 && args[0].equals("tail")) {
        Tail tail = Tail.parse(args);
        return tail(kafka, tail, out, err, decoder, stopOnSignal);
      }
      if (args.length >= 1 && args[0].equals("regroup")) {
        return regroup(kafka, env, args, out, err);
      }
      err.println("weft topics: " + (args.length == 0 ? "no command" : "unknown command or arguments: " + String.join(" ", args)));
      err.println(USAGE);
      return 2;
    } catch (BadArgs e) {
      err.println("weft topics: " + e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (UnknownTopic e) {
      err.println("weft topics: unknown topic " + e.getMessage() + " on " + kafka.bootstrap()
          + " (see: weft topics list)");
      return 2;
    } catch (TimeoutException e) {
      err.println("weft topics: Kafka at " + kafka.bootstrap() + " did not answer within " + TIMEOUT.toSeconds() + " s");
      return 1;
    } catch (ExecutionException e) {
      err.println("weft topics: Kafka at " + kafka.bootstrap() + " refused: " + e.getCause());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private static int regroup(KafkaSettings kafka, Env env, String[] args, PrintStream out, PrintStream err)
      throws InterruptedException, ExecutionException, TimeoutException {
    GroupsRepartition tool = new GroupsRepartition(kafka, env.string("WEFT_ROUTER_GROUP", "weft-router"), out);
    try {
      if (args.length == 1) {
        tool.run(java.nio.file.Path.of("."));
      } else if (args.length == 3 && args[1].equals("--backup-dir")) {
        tool.run(java.nio.file.Path.of(args[2]));
      } else if (args.length == 3 && args[1].equals("--from-backup")) {
        tool.restore(java.nio.file.Path.of(args[2]));
      } else {
        throw new BadArgs("regroup takes --backup-dir DIR or --from-backup FILE");
      }
      return 0;
    } catch (GroupsRepartition.Refused e) {
      err.println("weft topics: " + e.getMessage());
      return 1;
    } catch (java.io.IOException e) {
      err.println("weft topics: " + e.getMessage());
      return 1;
    }
  }

  /** {@code tail}'s arguments. */
  record Tail(String topic, boolean fromBeginning, long limit) {
    static Tail parse(String[] args) {
      String topic = null;
      boolean fromBeginning = false;
      long limit = Long.MAX_VALUE;
      for (int i = 1; i < args.length; i++) {
        switch (args[i]) {
          case "--from-beginning" -> fromBeginning = true;
          case "--limit" -> {
            if (i + 1 >= args.length) {
              throw new BadArgs("--limit needs a number");
            }
            try {
              limit = Long.parseLong(args[++i]);
            } catch (NumberFormatException e) {
              throw new BadArgs("--limit " + args[i] + " is not a whole number");
            }
            if (limit < 1) {
              throw new BadArgs("--limit must be at least 1");
            }
          }
          default -> {
            if (args[i].startsWith("-") || topic != null) {
              throw new BadArgs("unexpected argument " + args[i]);
            }
            topic = args[i];
          }
        }
      }
      if (topic == null) {
        throw new BadArgs("tail needs a topic");
      }
      return new Tail(topic, fromBeginning, limit);
    }
  }

  private static int list(KafkaSettings kafka, String prefix, PrintStream out)
      throws InterruptedException, ExecutionException, TimeoutException {
    try (Admin admin = admin(kafka)) {
      Set<String> names = new TreeSet<>();
      for (String n : admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        if (n.startsWith(prefix)) {
          names.add(n);
        }
      }
      if (names.isEmpty()) {
        out.println("no topics under " + prefix + " on " + kafka.bootstrap());
        return 0;
      }
      Map<String, TopicDescription> described =
          admin.describeTopics(names).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Map<String, Map<Integer, Long>> ends = endOffsets(admin, described);
      int width = names.stream().mapToInt(String::length).max().orElse(10);
      for (String n : names) {
        Map<Integer, Long> perPartition = ends.get(n);
        long sum = perPartition.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder line = new StringBuilder(String.format("%-" + width + "s  partitions=%d  end=%d  [", n,
            perPartition.size(), sum));
        perPartition.entrySet().stream().sorted(Map.Entry.comparingByKey())
            .forEach(e -> line.append(e.getKey()).append(':').append(e.getValue()).append(' '));
        if (line.charAt(line.length() - 1) == ' ') {
          line.setLength(line.length() - 1);
        }
        out.println(line.append(']'));
      }
      return 0;
    }
  }

  private static Map<String, Map<Integer, Long>> endOffsets(Admin admin, Map<String, TopicDescription> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    topics.values().forEach(d -> d.partitions().forEach(p ->
        request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
    var answer = admin.listOffsets(request).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Map<String, Map<Integer, Long>> out = new HashMap<>();
    topics.keySet().forEach(n -> out.put(n, new HashMap<>()));
    answer.forEach((tp, info) -> out.get(tp.topic()).put(tp.partition(), info.offset()));
    return out;
  }

  private static int tail(KafkaSettings kafka, Tail tail, PrintStream out, PrintStream err, RecordDecoder decoder,
      boolean stopOnSignal) throws InterruptedException, ExecutionException, TimeoutException {
    List<TopicPartition> partitions = new ArrayList<>();
    try (Admin admin = admin(kafka)) {
      TopicDescription d = admin.describeTopics(List.of(tail.topic())).allTopicNames()
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(tail.topic());
      d.partitions().forEach(p -> partitions.add(new TopicPartition(tail.topic(), p.partition())));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new UnknownTopic(tail.topic());
      }
      throw e;
    }
    partitions.sort(Comparator.comparingInt(TopicPartition::partition));

    try (KafkaConsumer<String, byte[]> consumer = consumer(kafka)) {
      // No group: a look never moves anyone's committed offsets.
      consumer.assign(partitions);
      if (tail.fromBeginning()) {
        consumer.seekToBeginning(partitions);
      } else {
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // fixes "the end" now, not at the first poll
      }
      CountDownLatch done = new CountDownLatch(1);
      Thread hook = new Thread(() -> {
        consumer.wakeup();
        try {
          done.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "weft-topics-stop");
      if (stopOnSignal) {
        Runtime.getRuntime().addShutdownHook(hook);
      }
      long printed = 0;
      try {
        while (printed < tail.limit()) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            out.println(line(r, decoder));
            if (++printed >= tail.limit()) {
              break;
            }
          }
          out.flush();
        }
      } catch (WakeupException e) {
        // Ctrl-C: stop quietly
      } finally {
        out.flush();
        done.countDown();
      }
      if (stopOnSignal && printed >= tail.limit()) {
        Runtime.getRuntime().removeShutdownHook(hook);
      }
      return 0;
    }
  }

  /**
   * One record as a JSON line: {topic, partition, offset, timestamp, key, value}, and {@code headers} (as UTF-8
   * strings) when it has any: the dead-letter topic says in them where a record came from and why.
   */
  static String line(ConsumerRecord<String, byte[]> r, RecordDecoder decoder) {
    StringBuilder headers = new StringBuilder();
    for (var h : r.headers()) {
      headers.append(headers.length() == 0 ? ", \"headers\": {" : ", ").append(quote(h.key())).append(": ")
          .append(h.value() == null ? "null" : quote(new String(h.value(), java.nio.charset.StandardCharsets.UTF_8)));
    }
    if (headers.length() > 0) {
      headers.append('}');
    }
    return "{\"topic\": " + quote(r.topic()) + ", \"partition\": " + r.partition() + ", \"offset\": " + r.offset()
        + ", \"timestamp\": " + r.timestamp() + ", \"key\": " + (r.key() == null ? "null" : quote(r.key()))
        + ", \"value\": " + decoder.toJson(r.value()) + headers + "}";
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  static Admin admin(KafkaSettings kafka) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    return Admin.create(p);
  }

  private static KafkaConsumer<String, byte[]> consumer(KafkaSettings kafka) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "weft-topics-tail");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static final class BadArgs extends RuntimeException {
    BadArgs(String message) {
      super(message);
    }
  }

  private static final class UnknownTopic extends RuntimeException {
    UnknownTopic(String topic) {
      super(topic);
    }
  }
}
