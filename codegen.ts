import type { CodegenConfig } from '@graphql-codegen/cli';

/** Typed documents for the GraphQL tests (and any TypeScript client), from the emitted SDL. */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['test/graphql/operations/*.graphql'],
  ignoreNoDocuments: false,
  emitLegacyCommonJSImports: false,
  generates: {
    'src/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { Upload: 'unknown', DateTimeISO: 'string' },
      },
    },
  },
};

export default config;
