/**
 * Lets plain `node` run the project's TypeScript, for tests that must spawn a real child process (crash
 * and kill tests, CLI runs) where vitest's own transform is not available:
 *
 *   spawn(process.execPath, ['--import', pathToFileURL('test/support/ts-loader.mjs').href, 'src/cli/main.ts', ...])
 *
 * Transpiles each .ts file with @swc/core (no type checking; decorators and their metadata kept, as the
 * vitest config does) and maps NodeNext-style `./x.js` imports to `./x.ts` when only the .ts exists.
 */
import { register } from 'node:module';

register('./ts-loader-hooks.mjs', import.meta.url);
