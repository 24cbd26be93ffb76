import type { NextFunction, Request, Response } from 'express';

/**
 * CORS from CORS_ORIGINS: empty = same origin only (no CORS headers), `*` = any origin, else a list.
 * Credentials are never allowed: the API key travels in a header, not a cookie.
 */
export function corsMiddleware(origins: string[]) {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.get('origin');
    if (origin && (any || allowed.has(origin))) {
      res.set('access-control-allow-origin', any ? '*' : origin);
      res.vary('origin');
      if (req.method === 'OPTIONS') {
        res.set('access-control-allow-methods', 'GET, POST, OPTIONS');
        res.set(
          'access-control-allow-headers',
          'content-type, authorization, x-api-key, apollo-require-preflight, x-apollo-operation-name',
        );
        res.set('access-control-max-age', '600');
        res.status(204).end();
        return;
      }
    }
    next();
  };
}
