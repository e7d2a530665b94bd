package dev.weft.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;

/** One test class's schema, created on first use and dropped when the class is done (JUnit closes it). */
@SuppressWarnings("deprecation")
final class ClassSchema implements AutoCloseable, ExtensionContext.Store.CloseableResource {

  private final DatabaseServer server;
  private final String name;

  private ClassSchema(DatabaseServer server, String name) {
    this.server = server;
    this.name = name;
  }

  static ClassSchema create(DatabaseServer server, String name) {
    server.createSchema(name);
    return new ClassSchema(server, name);
  }

  DatabaseServer server() {
    return server;
  }

  String name() {
    return name;
  }

  String jdbcUrl() {
    return server.jdbcUrl(name);
  }

  @Override
  public void close() {
    server.dropSchema(name);
  }
}
