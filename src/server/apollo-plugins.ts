import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, OperationTypeNode, type OperationDefinitionNode } from 'graphql';
import { ErrorCode, isAppError } from '../errors.js';
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

/** API key for mutations (and optionally queries) when API_KEY is set. */
export function apiKeyPlugin(protectQueries: boolean): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          const needsKey = operation?.operation === OperationTypeNode.MUTATION || protectQueries;
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
            if (errorCode(e) === ErrorCode.INTERNAL) {
              log.error({ requestId: contextValue.requestId, err: e.originalError ?? e }, 'internal error');
            }
          }
        },
      };
    },
  };
}
