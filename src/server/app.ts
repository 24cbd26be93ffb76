import { randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import graphqlUploadExpress from 'graphql-upload/graphqlUploadExpress.mjs';
import { AppError, ErrorCode } from '../errors.js';
import { formatError } from '../graphql/errors.js';
import { aliasLimit, depthLimit } from '../graphql/limits.js';
import { buildAppSchema } from '../graphql/schema.js';
import type { Logger } from '../log.js';
import type { AppServices } from '../services/app-services.js';
import { apiKeyPlugin, observabilityPlugin, type RequestContext } from './apollo-plugins.js';
import { corsMiddleware } from './cors.js';
import { imageRoutes } from './image.routes.js';
import { Metrics } from './metrics.js';
import { webRoutes } from './web.routes.js';

export interface RunningServer {
  url: string;
  port: number;
  metrics: Metrics;
  /** Stops accepting, drains in-flight requests and model work, closes the store. */
  stop(): Promise<void>;
}

const PREFLIGHT_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight'];

function jsonError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

function keyMatches(given: string | undefined, key: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startServer(
  services: AppServices,
  log: Logger,
  metrics = new Metrics(),
): Promise<RunningServer> {
  const { config } = services;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const httpServer = http.createServer(app);
  httpServer.requestTimeout = config.REQUEST_TIMEOUT_MS;
  httpServer.headersTimeout = Math.min(60_000, config.REQUEST_TIMEOUT_MS);

  const schema = await buildAppSchema(services);
  const apollo = new ApolloServer<RequestContext>({
    schema,
    csrfPrevention: true,
    introspection: true,
    includeStacktraceInErrorResponses: !config.production,
    formatError: (formatted, error) => formatError(formatted, error, config.production),
    validationRules: [depthLimit(config.MAX_QUERY_DEPTH), aliasLimit(config.MAX_ALIASES)],
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      apiKeyPlugin(config.API_KEY_FOR_QUERIES),
      observabilityPlugin(metrics, log),
    ],
  });
  await apollo.start();
  services.embedding.onBatch = (size, seconds) => metrics.observeBatch(size, seconds);

  app.use(corsMiddleware(config.CORS_ORIGINS));
  app.get('/healthz', async (_req, res) => {
    try {
      await services.stats.snapshot();
      res.json({ status: 'ok', store: services.config.storeBackend });
    } catch {
      res.status(503).json({ status: 'unavailable', store: services.config.storeBackend });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use('/images', imageRoutes(services));
  app.use(webRoutes(services));

  app.use(
    '/graphql',
    // Refuse cross-site multipart before buffering any file (Apollo checks the same, but only after the
    // upload middleware has read the body).
    (req: Request, res: Response, next: NextFunction) => {
      if (req.is('multipart/form-data') && !PREFLIGHT_HEADERS.some((h) => req.get(h))) {
        jsonError(
          res,
          400,
          'BAD_REQUEST',
          `multipart requests need one of the headers: ${PREFLIGHT_HEADERS.join(', ')}`,
        );
        return;
      }
      next();
    },
    express.json({ limit: '256kb' }),
    graphqlUploadExpress({
      maxFileSize: config.MAX_UPLOAD_BYTES,
      maxFiles: config.MAX_FILES,
      maxFieldSize: 256 * 1024,
    }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const bearer = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1];
        const given = bearer ?? req.get('x-api-key');
        return {
          authorized: !config.API_KEY || keyMatches(given, config.API_KEY),
          requestId: req.get('x-request-id')?.slice(0, 64) ?? randomUUID(),
        };
      },
    }),
  );

  // Errors raised before Apollo (body too large, too many files, malformed multipart) as GraphQL-shaped JSON.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { status?: number; message?: string; type?: string };
    const status = e.status ?? 500;
    if (status === 413) {
      const code = /max file uploads/.test(e.message ?? '')
        ? ErrorCode.TOO_MANY_FILES
        : ErrorCode.IMAGE_TOO_LARGE;
      jsonError(res, 413, code, e.message ?? 'request too large');
    } else if (status >= 400 && status < 500) {
      jsonError(res, status, ErrorCode.BAD_USER_INPUT, e.message ?? 'bad request');
    } else {
      log.error({ err }, 'unhandled HTTP error');
      jsonError(res, 500, ErrorCode.INTERNAL, 'Internal server error');
    }
  });

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.PORT, config.HOST, () => resolve());
    });
  } catch (e) {
    await apollo.stop();
    throw listenError(e as NodeJS.ErrnoException, config.HOST, config.PORT);
  }
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  const url = `http://${host}:${port}`;
  log.info({ url: `${url}/graphql`, store: config.storeBackend }, 'server ready');

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    metrics,
    stop: () =>
      (stopping ??= (async () => {
        await apollo.stop();
        await services.embedding.drain();
        await services.close();
      })()),
  };
}

const LISTEN_HINTS: Record<string, (host: string, port: number) => string> = {
  EADDRINUSE: (_, port) =>
    `port ${port} is already in use (another visem?): stop that process or choose another port (PORT=… or --port)`,
  EADDRNOTAVAIL: (host) => `${host} is not an address of this machine: set HOST (or --host), e.g. 127.0.0.1`,
  EACCES: (_, port) =>
    `permission denied for port ${port} (ports below 1024 need privileges): choose another`,
};

/** A listen failure as one line a user can act on, instead of a raw stack trace. */
function listenError(e: NodeJS.ErrnoException, host: string, port: number): Error {
  const hint = e.code ? LISTEN_HINTS[e.code] : undefined;
  if (!hint) return e;
  return new AppError(
    ErrorCode.CONFIG_INVALID,
    `cannot listen on ${host}:${port}: ${hint(host, port)}`,
    {},
    { cause: e },
  );
}
