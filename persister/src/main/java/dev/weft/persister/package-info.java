/**
 * The persister: writes the inbound topic to MySQL in idempotent batches and serves history reads.
 *
 * <ul>
 *   <li>{@code config}: {@link dev.weft.persister.config.PersisterConfig}, every setting in one place
 *   <li>{@code kafka}: the inbound consumer, one owner thread, commit after the database commit
 *   <li>{@code db}: the messages table (HikariCP, Flyway migrations)
 *   <li>{@code http}: the internal history API and probes (Vert.x)
 * </ul>
 */
package dev.weft.persister;
