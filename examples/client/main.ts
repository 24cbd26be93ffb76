/**
 * visem from the command line, through the typed client in ./client.ts:
 *
 *   main.ts [--url URL] [--api-key KEY] [--json] ingest <file>...
 *   main.ts [--url URL] [--api-key KEY] [--json] classify <file> [--limit N]
 *   main.ts [--url URL] [--api-key KEY] [--json] search <text>... [--first N] [--min-score=S]
 *
 * --url defaults to $VISEM_URL, else http://127.0.0.1:4000/graphql; --api-key to $VISEM_API_KEY.
 */
import { parseArgs } from 'node:util';
import { ApolloError } from '@apollo/client/core/index.js';
import type { GraphQLFormattedError } from 'graphql';
import { createVisemClient, fileFromPath, type VisemClient } from './client.js';

const USAGE =
  'usage: main.ts [--url URL] [--api-key KEY] [--json] ingest <file>... | classify <file> | search <text>...';

async function run(
  client: VisemClient,
  command: string | undefined,
  args: string[],
  values: Values,
): Promise<unknown> {
  switch (command) {
    case 'ingest': {
      if (args.length === 0) throw new UsageError('ingest needs at least one file');
      const images = await client.ingestImages(await Promise.all(args.map(fileFromPath)));
      for (const img of images) {
        say(
          values,
          `${img.id.slice(0, 12)}  ${img.filename} ${img.width}x${img.height}  ${words(img.labels)}`,
        );
      }
      return images;
    }
    case 'classify': {
      if (args.length !== 1) throw new UsageError('classify needs one file');
      const result = await client.classify(await fileFromPath(args[0]!), { limit: int(values.limit) });
      for (const l of result.labels) say(values, `${l.score.toFixed(3)}  ${l.word}`);
      return result;
    }
    case 'search': {
      if (args.length === 0) throw new UsageError('search needs some words');
      const result = await client.searchImages(args.join(' '), {
        first: int(values.first),
        minScore: num(values['min-score']),
      });
      for (const e of result.edges) {
        say(
          values,
          `${e.score.toFixed(3)}  ${e.band ?? ''}  ${e.node.filename}  ${client.absoluteUrl(e.node.url)}`,
        );
      }
      const ignored = result.ignoredWords ?? [];
      if (ignored.length > 0)
        say(values, `ignored: ${ignored.map((w) => `${w.word} (${w.reason})`).join(', ')}`);
      if (result.cutOff) say(values, 'more below the relevance cut-off (--min-score=-1 lists them)');
      return result;
    }
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'no command');
  }
}

const OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean', default: false },
  limit: { type: 'string' },
  first: { type: 'string' },
  'min-score': { type: 'string' },
} as const;
type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

class UsageError extends Error {}

function say(values: Values, line: string): void {
  if (!values.json) console.log(line);
}

function words(labels: { word: string }[]): string {
  return labels.map((l) => l.word).join(', ');
}

function int(value: string | undefined): number | undefined {
  const n = num(value);
  if (n !== undefined && !Number.isInteger(n)) throw new UsageError(`not a whole number: ${value}`);
  return n;
}

function num(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`not a number: ${value}`);
  return n;
}

/**
 * GraphQL errors come in graphQLErrors with HTTP 200; in the body of a non-2xx answer (413 IMAGE_TOO_LARGE,
 * 429 SERVER_BUSY, 400 for an invalid document) Apollo hands them over as the ServerError's `result`.
 */
function errorLines(e: ApolloError): string[] {
  const net = e.networkError;
  const body: unknown = net && 'result' in net ? net.result : undefined;
  const fromBody = (body as { errors?: GraphQLFormattedError[] } | undefined)?.errors ?? [];
  const errors: GraphQLFormattedError[] = [...e.graphQLErrors, ...fromBody];
  if (errors.length === 0) return [net?.message ?? e.message];
  return errors.map((g) => {
    const code = g.extensions?.code;
    return `${typeof code === 'string' ? code : 'ERROR'}: ${g.message}`;
  });
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  const endpoint = values.url ?? process.env.VISEM_URL ?? 'http://127.0.0.1:4000/graphql';
  const client = createVisemClient(endpoint, { apiKey: values['api-key'] ?? process.env.VISEM_API_KEY });
  try {
    const result = await run(client, command, args, values);
    if (values.json) console.log(JSON.stringify(result, null, 2));
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n${USAGE}`);
      return 2;
    }
    // The server's typed codes (README "Using the API"), e.g. UNSUPPORTED_IMAGE, UNKNOWN_WORD.
    if (e instanceof ApolloError) {
      for (const line of errorLines(e)) console.error(line);
      return 1;
    }
    throw e;
  } finally {
    client.stop();
  }
}

process.exitCode = await main(process.argv.slice(2));
