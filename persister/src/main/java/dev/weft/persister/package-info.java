/**
 * The persister: writes the inbound topic to MySQL in idempotent batches and serves history reads.
 *
 * <ul>
 *   <li>{@code config}: {@link dev.weft.persister.config.PersisterConfig}, every setting in one place
 *   <li>{@code kafka}: the inbound and receipts consumers, one owner thread each, commit after the database commit;
 *       the barrier that waits for the persisters to reach Kafka's end offsets
 *   <li>{@code db}: the messages, receipts and per-user conversation index tables (HikariCP, Flyway migrations)
 *   <li>{@code http}: the internal history, catch-up and recent-history API, and probes (Vert.x)
 * </ul>
 */
package dev.weft.persister;
