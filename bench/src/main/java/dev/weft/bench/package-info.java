/**
 * {@code ./weft bench}: {@link dev.weft.bench.BenchMain} starts the servers as child processes and stops them;
 * {@link dev.weft.bench.Bench} runs the sequence against each ({@code TargetRun}: {@code Logins}, then one
 * {@code OpenLoopPhase} per phase) and writes {@code BenchReport}; {@code ProcStats} reads /proc;
 * {@link dev.weft.bench.RelayServer} is the in-memory baseline. See docs/performance.md.
 */
package dev.weft.bench;
