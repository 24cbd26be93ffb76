import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Response, Router } from 'express';
import { packageRoot } from '../paths.js';
import type { AppServices } from '../services/app-services.js';

const require = createRequire(import.meta.url);

/** A file inside an installed package (resolved through its package.json, so hoisting does not matter). */
function packageFile(pkg: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
}

/** The browser files GraphiQL needs, served from this origin at /vendor/<name>. */
const VENDOR = new Map([
  ['react.production.min.js', packageFile('react', 'umd/react.production.min.js')],
  ['react-dom.production.min.js', packageFile('react-dom', 'umd/react-dom.production.min.js')],
  ['graphiql.min.js', packageFile('graphiql', 'graphiql.min.js')],
  ['graphiql.min.css', packageFile('graphiql', 'graphiql.min.css')],
]);

/**
 * Same origin only, for the page and the explorer alike: no inline scripts or styles, no eval (GraphiQL 3 needs
 * none). Blob images are the page's upload preview; data fonts are inlined in GraphiQL's CSS.
 */
const CSP = [
  "default-src 'self'",
  "img-src 'self' blob: data:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function pageHeaders(res: Response): void {
  res.set('content-security-policy', CSP);
  res.set('x-content-type-options', 'nosniff');
  res.set('referrer-policy', 'no-referrer');
}

/**
 * The page at / and the API explorer at GET /graphql (browsers), all served from this origin: nothing is
 * loaded from other hosts, so both work offline.
 */
export function webRoutes(_services: AppServices): Router {
  const router = Router();
  const webDir = path.join(packageRoot(), 'src', 'web');

  router.get('/graphql', (req, res, next) => {
    // Browsers asking for a page get the explorer; GraphQL GET requests (?query=) go on to Apollo.
    if (req.accepts(['text/html', 'application/json']) === 'text/html' && req.query.query === undefined) {
      pageHeaders(res);
      res.set('cache-control', 'no-cache');
      res.sendFile(path.join(webDir, 'explorer.html'));
      return;
    }
    next();
  });

  router.get('/vendor/:name', (req, res, next) => {
    const file = VENDOR.get(req.params.name);
    if (!file) {
      next();
      return;
    }
    res.set('x-content-type-options', 'nosniff');
    res.sendFile(file, { maxAge: '1d' });
  });

  router.use(
    express.static(webDir, {
      index: 'index.html',
      setHeaders: (res) => pageHeaders(res),
    }),
  );
  return router;
}
