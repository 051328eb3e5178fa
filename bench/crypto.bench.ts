/**
 * `npm run bench`: cost of one sealed request and one opened response, as the SDK does them per API
 * call, against node:crypto baselines doing the same RSA work, at 2048 and 4096 bits.
 *
 * Rows per operation and key size (samples interleaved, see harness.ts):
 * - lib         — `sealRequest` / `openResponse` of lib/transport/envelope.ts: lib/crypto on node:crypto
 *                 (public-key operations synchronous; private-key operations synchronous up to 2048
 *                 bits, on the thread pool above — lib/crypto/rsa.ts), with every claim and binding check;
 * - RSA-only    — just the RSA operations, synchronous node:crypto: seal = publicEncrypt OAEP-SHA-1 of a
 *                 64-byte CEK + crypto.sign SHA-256 of a token-sized input; open = crypto.verify SHA-256 +
 *                 privateDecrypt OAEP-SHA-1 of one block;
 * - raw JOSE    — a whole JOSE implementation on synchronous node:crypto (bench/raw_jose.ts), no claim
 *                 checks: what the JOSE plumbing costs on top of the RSA;
 * - ref: jose 6 — REFERENCE, the same JOSE work with jose 6 (WebCrypto), the engine lib used before;
 *                 no claim checks, so it flatters jose slightly.
 *
 * Every baseline and reference output is checked against jose and lib once at start-up. Results are
 * printed and written to bench/results/latest.json. Budget: ~60 s on the 2-vCPU VM.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { assertInterop, fixture, openVariants, sealVariants, SIZES } from './fixture.js';
import {
  DEFAULT_SAMPLING,
  formatOps,
  measureGroup,
  renderTable,
  type Measurement,
  type SampleOptions,
} from './harness.js';

const SAMPLING: SampleOptions = DEFAULT_SAMPLING; // 150 ms warm-up, 7 × 300 ms, median

interface Row {
  op: 'seal request' | 'open response';
  bits: number;
  impl: string;
  ours: Measurement;
  rsaOnly: Measurement;
  rawJose: Measurement;
  ratioVsRsaOnly: number;
  ratioVsRawJose: number;
}

async function main(): Promise<void> {
  const started = Date.now();
  const rows: Row[] = [];
  for (const bits of SIZES) {
    const t0 = Date.now();
    const f = await fixture(bits);
    await assertInterop(f);
    process.stderr.write(`${bits}: keys + interop checks ${Date.now() - t0} ms\n`);
    for (const [op, v] of [
      ['seal request', sealVariants(f)],
      ['open response', openVariants(f)],
    ] as const) {
      const ms = await measureGroup([v.lib, v.rsa, v.raw, ...v.refs], SAMPLING);
      const [lib, rsaOnly, rawJose, ...refs] = ms;
      if (lib === undefined || rsaOnly === undefined || rawJose === undefined) throw new Error('missing measurement');
      for (const ours of [lib, ...refs]) {
        rows.push({
          op,
          bits,
          impl: ours.label,
          ours,
          rsaOnly,
          rawJose,
          ratioVsRsaOnly: ours.usPerOp / rsaOnly.usPerOp,
          ratioVsRawJose: ours.usPerOp / rawJose.usPerOp,
        });
      }
      process.stderr.write(`${bits}: ${op} measured\n`);
    }
  }
  const elapsed = (Date.now() - started) / 1000;

  console.log(
    renderTable(
      [
        'operation',
        'implementation',
        'bits',
        'ours ops/s (µs/op)',
        'RSA-only ops/s (µs/op)',
        'raw JOSE ops/s (µs/op)',
        'ours/RSA-only',
        'ours/raw JOSE',
      ],
      rows.map((r) => [
        r.op,
        r.impl,
        String(r.bits),
        formatOps(r.ours),
        formatOps(r.rsaOnly),
        formatOps(r.rawJose),
        `${r.ratioVsRsaOnly.toFixed(2)}x${r.impl.startsWith('lib') ? (r.ratioVsRsaOnly <= 1.3 ? ' ok' : ' >1.3') : ''}`,
        `${r.ratioVsRawJose.toFixed(2)}x`,
      ]),
    ),
  );
  const cpu = cpus();
  console.log(
    `\nmedian of ${SAMPLING.samples} x ${SAMPLING.sampleMs} ms after ${SAMPLING.warmupMs} ms warm-up, samples interleaved; ` +
      `sequential awaits. Node ${process.version}, OpenSSL ${process.versions.openssl}, ${cpu.length} x ${cpu[0]?.model ?? '?'}; ` +
      `${elapsed.toFixed(1)} s. Target: lib/RSA-only <= 1.3x.`,
  );

  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  // Keep results out of git even though the root .gitignore does not list bench/results/.
  writeFileSync(join(dir, '.gitignore'), '*\n');
  const file = join(dir, 'latest.json');
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        openssl: process.versions.openssl,
        cpus: cpu.length,
        cpuModel: cpu[0]?.model,
        sampling: SAMPLING,
        elapsedSeconds: elapsed,
        target: { ratioVsRsaOnly: 1.3 },
        rows: rows.map((r) => ({
          operation: r.op,
          bits: r.bits,
          implementation: r.impl,
          id: r.ours.id,
          ours: pick(r.ours),
          rsaOnly: pick(r.rsaOnly),
          rawJose: pick(r.rawJose),
          ratioVsRsaOnly: round(r.ratioVsRsaOnly, 3),
          ratioVsRawJose: round(r.ratioVsRawJose, 3),
        })),
      },
      null,
      2,
    )}\n`,
  );
  process.stderr.write(`wrote ${file}\n`);
}

function round(x: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

function pick(m: Measurement) {
  return {
    opsPerSec: round(m.opsPerSec, 1),
    usPerOp: round(m.usPerOp, 1),
    samples: m.samples.map((s) => round(s, 1)),
  };
}

await main();
