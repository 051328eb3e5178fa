/**
 * Supplement to `npm run bench`: what lib (private-key operations on the thread pool above 2048
 * bits), the all-synchronous raw JOSE baseline and the jose 6 reference cost the event loop and the
 * second core. For each implementation, keeps C operations in flight for a few fixed-length samples and
 * reports throughput (median ops/s) and event-loop stalls: gaps between ticks of a 1 ms interval
 * timer, p99 (median over samples) and max. Each operation is followed by a setImmediate turn, as a
 * real call has I/O between operations. Run with
 * `node --import tsx/esm bench/concurrency.bench.ts` (~35 s); writes bench/results/concurrency.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { fixture, openVariants, sealVariants, SIZES } from './fixture.js';
import { formatUs, median, renderTable, type Variant } from './harness.js';

const CONCURRENCY = [1, 4];
const SAMPLES = 3;
const SAMPLE_MS = 400;

async function sample(
  fn: () => unknown,
  inFlight: number,
  ms: number,
): Promise<{ ops: number; p99StallMs: number; maxStallMs: number }> {
  let last = performance.now();
  const gaps: number[] = [];
  const ticker = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 1);
  let n = 0;
  const start = performance.now();
  const end = start + ms;
  const worker = async () => {
    while (performance.now() < end) {
      await fn();
      n += 1;
      // A real call does network I/O between operations: give the event loop a turn.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const stop = performance.now();
  clearInterval(ticker);
  gaps.push(stop - last);
  gaps.sort((a, b) => a - b);
  return {
    ops: (n * 1000) / (stop - start),
    p99StallMs: gaps[Math.floor(gaps.length * 0.99)] ?? 0,
    maxStallMs: gaps[gaps.length - 1] ?? 0,
  };
}

async function main(): Promise<void> {
  const rows: {
    op: string;
    bits: number;
    impl: string;
    c: number;
    opsPerSec: number;
    p99StallMs: number;
    maxStallMs: number;
  }[] = [];
  for (const bits of SIZES) {
    const f = await fixture(bits);
    for (const [op, v] of [
      ['seal request', sealVariants(f)],
      ['open response', openVariants(f)],
    ] as const) {
      const variants: Variant[] = [v.lib, v.raw, ...v.refs];
      for (const c of CONCURRENCY) {
        for (const variant of variants) await sample(variant.fn, c, 100);
        const ops = variants.map(() => [] as number[]);
        const p99s = variants.map(() => [] as number[]);
        const stalls = variants.map(() => 0);
        for (let i = 0; i < SAMPLES; i += 1) {
          for (const [k, variant] of variants.entries()) {
            const s = await sample(variant.fn, c, SAMPLE_MS);
            ops[k]?.push(s.ops);
            p99s[k]?.push(s.p99StallMs);
            stalls[k] = Math.max(stalls[k] ?? 0, s.maxStallMs);
          }
        }
        for (const [k, variant] of variants.entries()) {
          rows.push({
            op,
            bits,
            impl: variant.label,
            c,
            opsPerSec: median(ops[k] ?? []),
            p99StallMs: median(p99s[k] ?? []),
            maxStallMs: stalls[k] ?? 0,
          });
        }
      }
      process.stderr.write(`${bits} ${op} done\n`);
    }
  }
  console.log(
    renderTable(
      ['operation', 'implementation', 'bits', 'in flight', 'ops/s', '1/throughput', 'loop stall p99', 'max'],
      rows.map((r) => [
        r.op,
        r.impl,
        String(r.bits),
        String(r.c),
        String(Math.round(r.opsPerSec)),
        formatUs(1e6 / r.opsPerSec),
        `${r.p99StallMs.toFixed(1)} ms`,
        `${r.maxStallMs.toFixed(1)} ms`,
      ]),
    ),
  );
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'concurrency.json'),
    `${JSON.stringify({ date: new Date().toISOString(), rows }, null, 2)}\n`,
  );
}

await main();
