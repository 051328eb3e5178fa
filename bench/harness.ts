/**
 * Minimal latency benchmark harness: one operation in flight (sequential awaits), a warm-up, then N
 * samples of fixed duration per variant, taken round-robin across the variants of one group so that
 * machine noise (shared 2-vCPU VM, ±30 %) hits every variant of a comparison alike. The reported value
 * is the median of the samples.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

/** One thing to time. `fn` may return a promise; it is awaited before the next call. */
export interface Variant {
  /** Short identifier, used as a key in the JSON output. */
  id: string;
  /** Human label for the table. */
  label: string;
  fn: () => unknown;
}

/** Sampling parameters. */
export interface SampleOptions {
  warmupMs: number;
  samples: number;
  sampleMs: number;
}

/** Result of one variant. */
export interface Measurement {
  id: string;
  label: string;
  /** Median of the samples, operations per second. */
  opsPerSec: number;
  /** 1e6 / opsPerSec. */
  usPerOp: number;
  /** Every sample, ops/s, in the order taken. */
  samples: number[];
  /** Smallest and largest sample, ops/s. */
  min: number;
  max: number;
}

export const DEFAULT_SAMPLING: SampleOptions = { warmupMs: 150, samples: 7, sampleMs: 300 };

async function runFor(fn: () => unknown, ms: number): Promise<number> {
  let n = 0;
  const start = performance.now();
  const end = start + ms;
  let now: number;
  // At least one call, so that a very slow operation still yields a sample.
  do {
    await fn();
    n += 1;
    now = performance.now();
  } while (now < end);
  return (n * 1000) / (now - start);
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const hi = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? hi) + hi) / 2;
}

/** Measures every variant of a group, interleaving their samples. */
export async function measureGroup(
  variants: readonly Variant[],
  options: SampleOptions = DEFAULT_SAMPLING,
): Promise<Measurement[]> {
  for (const v of variants) await runFor(v.fn, options.warmupMs);
  const samples = variants.map(() => [] as number[]);
  for (let i = 0; i < options.samples; i += 1) {
    // Rotate the starting variant so none always runs right after another's warm cache.
    for (let j = 0; j < variants.length; j += 1) {
      const k = (i + j) % variants.length;
      const v = variants[k];
      if (v !== undefined) samples[k]?.push(await runFor(v.fn, options.sampleMs));
    }
  }
  return variants.map((v, k) => {
    const s = samples[k] ?? [];
    const opsPerSec = median(s);
    return {
      id: v.id,
      label: v.label,
      opsPerSec,
      usPerOp: 1e6 / opsPerSec,
      samples: s,
      min: Math.min(...s),
      max: Math.max(...s),
    };
  });
}

/** `1234 (810 µs)` / `242 (4.13 ms)`. */
export function formatOps(m: Measurement | undefined): string {
  if (m === undefined) return '-';
  return `${Math.round(m.opsPerSec)} (${formatUs(m.usPerOp)})`;
}

/** `810 µs` / `4.13 ms`. */
export function formatUs(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(us < 10 ? 1 : 0)} µs`;
}

/** Plain-text table with right-aligned numeric columns (every column but the first two). */
export function renderTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/** Command-line options shared by crypto.bench.ts and concurrency.bench.ts. */
export interface BenchArgs {
  /** A git ref whose lib/ is measured beside the current one (before.ts). */
  before: string | undefined;
  /** Full runs, one after the other; the summary gives each row's range over them. */
  runs: number;
}

/** `--before <ref>` and `--runs <n>` (default 1), from `npm run bench -- --before HEAD~1 --runs 3`. */
export function benchArgs(argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: { before: { type: 'string' }, runs: { type: 'string', default: '1' } },
  });
  const runs = Number(values.runs);
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  return { before: values.before, runs };
}

/** `a–b` of a list of per-run values, formatted with `format` (or one value when they are equal). */
export function formatRange(values: readonly number[], format: (value: number) => string): string {
  const lo = format(Math.min(...values));
  const hi = format(Math.max(...values));
  return lo === hi ? lo : `${lo}–${hi}`;
}
