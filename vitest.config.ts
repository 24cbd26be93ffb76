import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC instead of esbuild: type-graphql needs emitDecoratorMetadata.
const plugins = [swc.vite({ module: { type: 'es6' } })];

export default defineConfig({
  plugins,
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 300_000,
    projects: [
      // Unit tests live beside the code they test and need nothing prepared.
      { plugins, test: { name: 'unit', include: ['src/**/*.test.ts'], pool: 'forks', testTimeout: 60_000 } },
      // Integration tests (GraphQL over HTTP, stores, CLI, browser) share models and a vocabulary template.
      {
        plugins,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 300_000,
          globalSetup: ['test/global-setup.ts'],
          // A search through the browser can take over a second on a busy two-core CI machine; the
          // 1 s default made polls on real model runs flaky.
          expect: { poll: { timeout: 20_000, interval: 100 } },
          // Two cores: one integration file at a time keeps timings and memory predictable.
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
