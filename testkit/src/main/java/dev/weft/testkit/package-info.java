/**
 * The Weft test kit: {@link dev.weft.testkit.WeftInfraExtension} (or {@link dev.weft.testkit.WeftIntegrationTest})
 * injects a {@link dev.weft.testkit.WeftInfra} with a real Kafka broker shared by the run, a topic prefix per test
 * method and a fresh database schema per test class.
 */
package dev.weft.testkit;
