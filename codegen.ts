import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents from the emitted SDL: for the GraphQL tests, and for the client example users copy.
 * Documents are per output (root-level documents would be merged into every output).
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  ignoreNoDocuments: false,
  emitLegacyCommonJSImports: false,
  generates: {
    'src/generated/': {
      documents: ['test/graphql/operations/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { Upload: 'unknown', DateTimeISO: 'string' },
      },
    },
    'examples/client/generated/': {
      documents: ['examples/client/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        // What apollo-upload-client sends as a file part (a File keeps its name; the server reads the format
        // from the bytes).
        scalars: { Upload: 'File', DateTimeISO: 'string' },
      },
      // Unlike src/generated this folder is not prettier-ignored, so `npm run format:check` must pass on it.
      hooks: { afterOneFileWrite: ['prettier --log-level warn --write'] },
    },
  },
};

export default config;
