#!/usr/bin/env node
// Shim for the published operator CLI: runs the built `launchkey` (lib/cli, built to dist/cli).
import { main } from '../dist/cli/main.js';

await main();
