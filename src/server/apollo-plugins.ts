import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode, isAppError } from '../errors.js';
import { isOperatorError } from '../graphql/errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from './metrics.js';

export interface RequestContext {
  /** The request carried the configured API key (or none is configured). */
  authorized: boolean;
  requestId: string;
}

const KNOWN_FIELDS = new Set([
  'classify',
  'ingestImages',
  'deleteImage',
  'searchImages',
  'similarImages',
  'searchByImage',
  'image',
  'images',
  'relatedWords',
  'stats',
  '__schema',
  '__type',
  '__typename',
]);

function rootField(op: OperationDefinitionNode | undefined | null): string {
  const first = op?.selectionSet.selections[0];
  const name = first?.kind === Kind.FIELD ? first.name.value : 'other';
  return KNOWN_FIELDS.has(name) ? name : 'other';
}

function errorCode(e: GraphQLError): string {
  if (isAppError(e.originalError)) return e.originalError.code;
  const code = e.extensions?.code;
  return typeof code === 'string' ? code : ErrorCode.INTERNAL;
}

/** `[Upload!]!` → `Upload`. By hand: graphql's own helpers use instanceof, which fails when the schema
 * was built by the CommonJS copy of graphql and this module got the ESM one (under vitest). */
interface TypeNode {
  ofType?: TypeNode;
  name?: string;
}
function namedTypeName(type: TypeNode): string {
  let t = type;
  while (t.ofType) t = t.ofType;
  return t.name ?? '';
}

/** Query fields that take an upload run the models on it: they cost what a mutation costs. */
function modelRunningQueryFields(schema: GraphQLSchema): Set<string> {
  const fields = Object.values(schema.getQueryType()?.getFields() ?? {});
  return new Set(
    fields.filter((f) => f.args.some((a) => namedTypeName(a.type) === 'Upload')).map((f) => f.name),
  );
}

/** The root field names an operation selects, through inline fragments and fragment spreads. */
function rootFieldNames(
  selectionSet: SelectionSetNode,
  document: DocumentNode,
  seen = new Set<string>(),
): string[] {
  return selectionSet.selections.flatMap((sel) => {
    if (sel.kind === Kind.FIELD) return [sel.name.value];
    if (sel.kind === Kind.INLINE_FRAGMENT) return rootFieldNames(sel.selectionSet, document, seen);
    if (seen.has(sel.name.value)) return [];
    seen.add(sel.name.value);
    const fragment = document.definitions.find(
      (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === sel.name.value,
    );
    return fragment?.kind === Kind.FRAGMENT_DEFINITION
      ? rootFieldNames(fragment.selectionSet, document, seen)
      : [];
  });
}

/**
 * API key, when API_KEY is set, for mutations and for queries that run the models on an upload
 * (`searchByImage`); for every query too with API_KEY_FOR_QUERIES.
 */
export function apiKeyPlugin(protectQueries: boolean): ApolloServerPlugin<RequestContext> {
  let modelFields: Set<string> | undefined;
  return {
    async requestDidStart({ schema }) {
      modelFields ??= modelRunningQueryFields(schema);
      const runsModels = (op: OperationDefinitionNode, document: DocumentNode) =>
        rootFieldNames(op.selectionSet, document).some((f) => modelFields!.has(f));
      return {
        async didResolveOperation({ contextValue, operation, document }) {
          const needsKey =
            operation?.operation === OperationTypeNode.MUTATION ||
            protectQueries ||
            (operation !== undefined && runsModels(operation, document));
          if (needsKey && !contextValue.authorized) {
            throw new GraphQLError('an API key is required: send `Authorization: Bearer <key>`', {
              extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
            });
          }
        },
      };
    },
  };
}

/** Latency and error metrics, request logs, and HTTP 429 + Retry-After for SERVER_BUSY. */
export function observabilityPlugin(metrics: Metrics, log: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ response, operation, errors }) {
          const field = rootField(operation);
          const codes = (errors ?? []).map(errorCode);
          for (const code of codes) metrics.errors.inc({ code });
          const seconds = (performance.now() - started) / 1000;
          metrics.requestDuration.observe({ field, outcome: codes.length ? 'error' : 'ok' }, seconds);
          if (codes.includes(ErrorCode.SERVER_BUSY)) {
            response.http.status = 429;
            response.http.headers.set('retry-after', '1');
          }
          const level = codes.includes(ErrorCode.INTERNAL) ? 'error' : 'info';
          log[level](
            { requestId: contextValue.requestId, field, ms: Math.round(seconds * 1000), codes },
            'graphql',
          );
          for (const e of errors ?? []) {
            // Clients see a fixed line for these in production; the operator needs the whole message.
            if (isOperatorError(errorCode(e)))
              log.warn(
                {
                  requestId: contextValue.requestId,
                  code: errorCode(e),
                  message: (e.originalError ?? e).message,
                },
                'server-side error',
              );
            if (errorCode(e) === ErrorCode.INTERNAL) {
              log.error({ requestId: contextValue.requestId, err: e.originalError ?? e }, 'internal error');
            }
          }
        },
      };
    },
  };
}
