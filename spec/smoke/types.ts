// Type-checks every entry's shipped declarations (dist/**/*.d.ts) as a TypeScript consumer reads them,
// with skipLibCheck off: the declarations left out by stripInternal must not be needed by any that ship.
// Run by `.ci/run` after `npm run build`: `tsc -p spec/smoke/tsconfig.json`.
import * as root from 'passport-launchkey';
import * as emulator from 'passport-launchkey/emulator';
import * as fastify from 'passport-launchkey/fastify';
import * as koa from 'passport-launchkey/koa';
import * as nest from 'passport-launchkey/nest';
import * as redis from 'passport-launchkey/redis';
import * as sdk from 'passport-launchkey/sdk';
import * as testing from 'passport-launchkey/testing';

export const entries = [root, sdk, emulator, redis, testing, fastify, koa, nest];
