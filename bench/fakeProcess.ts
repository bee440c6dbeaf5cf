/**
 * Shared by the benches that talk to a fake over HTTP (bench/echo360.ts, bench/hogql.ts): the
 * fake runs in a child process of the bench's own file (`--serve-fake …`), so its work neither
 * shares the measured event loop nor counts in the measured RSS.
 */
import { fork, type ChildProcess } from 'node:child_process';

/** Forks `file` with `--serve-fake ...args`; resolves with the first message the child sends (the fake's address). */
export function startFakeProcess<I>(file: string, args: string[]): Promise<{ child: ChildProcess; info: I }> {
  return new Promise((resolve, reject) => {
    const child = fork(file, ['--serve-fake', ...args], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (info) => resolve({ child, info: info as I }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the fake exited early (code ${code})`)));
  });
}

/** Wall time, this process's peak RSS (sampled every 20 ms) and CPU time (all threads) while `fn` runs. */
export async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; peak: number; cpuMs: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  try {
    const value = await fn();
    const used = process.cpuUsage(cpu);
    return { value, ms: performance.now() - t0, peak: Math.max(peak, process.memoryUsage.rss()), cpuMs: (used.user + used.system) / 1000 };
  } finally {
    clearInterval(timer);
  }
}
