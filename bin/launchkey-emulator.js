#!/usr/bin/env node
// Shim for the published CLI: runs the built emulator.
import { runCli } from '../dist/emulator/cli.js';

runCli(process.argv.slice(2)).catch((err) => {
  console.error(`launchkey-emulator: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
