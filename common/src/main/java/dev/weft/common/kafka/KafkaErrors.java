package dev.weft.common.kafka;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/** Sorts what a consumer loop met: what no retry can cure, and everything else. */
public final class KafkaErrors {

  private KafkaErrors() {}

  /**
   * True for a failure that waiting cannot cure: bad credentials, a missing ACL, a broker too old, a name Kafka
   * refuses, or a JVM error. A loop that meets one stops and says so, rather than retrying it forever in silence.
   * Everything else (a broker away, a timeout, a write refused for now, the work's own failure) is retried.
   */
  public static boolean isFatal(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AuthenticationException || t instanceof AuthorizationException
          || t instanceof UnsupportedVersionException || t instanceof InvalidTopicException
          || t instanceof InvalidGroupIdException || t instanceof Error) {
        return true;
      }
    }
    return false;
  }
}
