// Type-checks the built package's declarations (dist/**/*.d.ts) as a TypeScript consumer reads them
// (spec/smoke/types.ts imports every entry by the package's name, skipLibCheck off), and fails on any
// error in dist/: declarations left out by stripInternal must not be needed by those that ship.
// Errors in other packages' declarations are theirs. Run by `.ci/run` after `npm run build`.
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const configPath = fileURLToPath(new URL('tsconfig.json', import.meta.url));
const config = ts.getParsedCommandLineOfConfigFile(
  configPath,
  {},
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic() {} },
);
if (config === undefined) throw new Error(`${configPath} did not parse`);
const program = ts.createProgram(config.fileNames, config.options);
const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const ours = ts
  .getPreEmitDiagnostics(program)
  .filter(
    (d) => d.file === undefined || d.file.fileName.startsWith(dist) || !d.file.fileName.includes('/node_modules/'),
  );
const shipped = program.getSourceFiles().filter((f) => f.fileName.startsWith(dist)).length;
if (ours.length > 0) {
  console.error(
    ts.formatDiagnostics(ours, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => process.cwd(),
      getNewLine: () => '\n',
    }),
  );
  process.exit(1);
}
if (shipped === 0) throw new Error('no declaration of dist/ was read: is the package built?');
console.log(`types smoke test passed (${shipped} declaration files)`);
