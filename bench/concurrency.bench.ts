/**
 * Supplement to `npm run bench`: what the implementations cost the event loop under concurrency. lib
 * hands its RSA work to jose, which runs it on the libuv thread pool (WebCrypto); the raw-JOSE
 * baseline does everything synchronously; with `--before <ref>`, the lib of that commit is measured
 * too (before.ts).
 *
 * For each implementation, keeps C operations in flight (C = 1, 4, 32) for a few fixed-length samples
 * and reports throughput (median ops/s) and the event-loop delay from `monitorEventLoopDelay` at a
 * 1 ms resolution: p99 (median over samples) and max. The delay includes the 1 ms timer period, so an
 * idle loop reads ~1.1 ms. Each operation is followed by a setImmediate turn, as a real call has I/O
 * between operations. Samples of the implementations are interleaved.
 *
 * Options: `--runs N` repeats the whole measurement and summarises each row as a range; `--before
 * <ref>`. Run with `npm run bench:concurrency` (~70 s per run, ~90 s with `--before`); writes
 * bench/results/concurrency.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { beforeVariants, loadBefore } from './before.js';
import { fixture, openVariants, sealVariants, SIZES } from './fixture.js';
import { benchArgs, formatRange, formatUs, median, renderTable, type Variant } from './harness.js';

const CONCURRENCY = [1, 4, 32];
const SAMPLES = 3;
const SAMPLE_MS = 400;

interface Sample {
  ops: number;
  p99DelayMs: number;
  maxDelayMs: number;
}

async function sample(fn: () => unknown, inFlight: number, ms: number): Promise<Sample> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
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
  delay.enable();
  await Promise.all(Array.from({ length: inFlight }, worker));
  delay.disable();
  const stop = performance.now();
  return {
    ops: (n * 1000) / (stop - start),
    p99DelayMs: delay.percentile(99) / 1e6,
    maxDelayMs: delay.max / 1e6,
  };
}

interface Row {
  op: string;
  bits: number;
  impl: string;
  id: string;
  c: number;
  opsPerSec: number;
  p99DelayMs: number;
  maxDelayMs: number;
}

interface Group {
  op: string;
  bits: number;
  variants: Variant[];
}

async function measure(groups: readonly Group[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const { op, bits, variants } of groups) {
    for (const c of CONCURRENCY) {
      for (const variant of variants) await sample(variant.fn, c, 100);
      const samples = variants.map(() => [] as Sample[]);
      for (let i = 0; i < SAMPLES; i += 1) {
        // Rotate the starting implementation so none always follows another's burst.
        for (let j = 0; j < variants.length; j += 1) {
          const k = (i + j) % variants.length;
          const variant = variants[k];
          if (variant !== undefined) samples[k]?.push(await sample(variant.fn, c, SAMPLE_MS));
        }
      }
      for (const [k, variant] of variants.entries()) {
        const s = samples[k] ?? [];
        rows.push({
          op,
          bits,
          impl: variant.label,
          id: variant.id,
          c,
          opsPerSec: median(s.map((x) => x.ops)),
          p99DelayMs: median(s.map((x) => x.p99DelayMs)),
          maxDelayMs: Math.max(...s.map((x) => x.maxDelayMs)),
        });
      }
    }
    process.stderr.write(`${bits} ${op} done\n`);
  }
  return rows;
}

async function main(): Promise<void> {
  const args = benchArgs();
  const before = args.before === undefined ? undefined : await loadBefore(args.before);
  const groups: Group[] = [];
  for (const bits of SIZES) {
    const f = await fixture(bits);
    const b = before === undefined ? undefined : await beforeVariants(before, f);
    const seal = sealVariants(f);
    const open = openVariants(f);
    groups.push({ op: 'seal request', bits, variants: [seal.lib, ...(b ? [b.seal] : []), seal.raw, ...seal.refs] });
    groups.push({ op: 'open response', bits, variants: [open.lib, ...(b ? [b.open] : []), open.raw, ...open.refs] });
  }
  const runs: Row[][] = [];
  for (let i = 0; i < args.runs; i += 1) {
    const rows = await measure(groups);
    runs.push(rows);
    if (args.runs > 1) console.log(`\nRun ${i + 1} of ${args.runs}`);
    console.log(
      renderTable(
        ['operation', 'implementation', 'bits', 'in flight', 'ops/s', '1/throughput', 'loop delay p99', 'max'],
        rows.map((r) => [
          r.op,
          r.impl,
          String(r.bits),
          String(r.c),
          String(Math.round(r.opsPerSec)),
          formatUs(1e6 / r.opsPerSec),
          `${r.p99DelayMs.toFixed(1)} ms`,
          `${r.maxDelayMs.toFixed(1)} ms`,
        ]),
      ),
    );
  }
  if (args.runs > 1) {
    const key = (r: Row) => `${r.op}|${r.bits}|${r.id}|${r.c}`;
    console.log(`\nRange over ${runs.length} runs:`);
    console.log(
      renderTable(
        ['operation', 'implementation', 'bits', 'in flight', 'ops/s', 'loop delay p99'],
        (runs[0] ?? []).map((r) => {
          const all = runs.flatMap((rows) => rows.filter((x) => key(x) === key(r)));
          return [
            r.op,
            r.impl,
            String(r.bits),
            String(r.c),
            formatRange(
              all.map((x) => x.opsPerSec),
              (v) => String(Math.round(v)),
            ),
            formatRange(
              all.map((x) => x.p99DelayMs),
              (v) => `${v.toFixed(1)} ms`,
            ),
          ];
        }),
      ),
    );
  }
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'concurrency.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        before: before === undefined ? null : { ref: before.ref, sha: before.sha },
        concurrency: CONCURRENCY,
        runs,
      },
      null,
      2,
    )}\n`,
  );
}

await main();
