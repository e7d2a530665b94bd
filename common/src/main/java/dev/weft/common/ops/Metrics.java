package dev.weft.common.ops;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * One service's meter registry, in Prometheus format, with the JVM's own meters and a {@code service} tag on
 * everything. Weft's meters are named {@code weft.*} (Prometheus: {@code weft_*}); docs/operations.md lists them.
 */
public final class Metrics {

  private Metrics() {}

  public static PrometheusMeterRegistry create(String service, String instance) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("service", service, "instance", instance);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  /** Binds a Kafka client's own metrics (records lag, request rates, ...) to the registry. */
  @SuppressWarnings("deprecation")
  public static void bind(PrometheusMeterRegistry registry, Producer<?, ?> producer) {
    new KafkaClientMetrics(producer).bindTo(registry);
  }

  @SuppressWarnings("deprecation")
  public static void bind(PrometheusMeterRegistry registry, Consumer<?, ?> consumer) {
    new KafkaClientMetrics(consumer).bindTo(registry);
  }
}
