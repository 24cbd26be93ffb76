import { Router } from 'express';
import { isImageId } from '../files/media-store.js';
import type { AppServices } from '../services/app-services.js';

/** GET /images/:id (stored copy) and /images/:id/thumbnail (JPEG), immutable by content hash. */
export function imageRoutes(services: AppServices): Router {
  const router = Router();
  router.get('/:id{/:variant}', async (req, res, next) => {
    try {
      const { id, variant } = req.params;
      if (!isImageId(id) || (variant !== undefined && variant !== 'thumbnail')) {
        res.status(404).end();
        return;
      }
      const record = await services.search.image(id);
      const bytes = record ? await services.files.read(id, variant ? 'thumbnail' : 'original') : undefined;
      if (!record || !bytes) {
        res.status(404).end();
        return;
      }
      res.set('cache-control', 'public, max-age=31536000, immutable');
      res.set('x-content-type-options', 'nosniff');
      res.type(variant ? 'image/jpeg' : record.contentType).send(bytes);
    } catch (e) {
      next(e);
    }
  });
  return router;
}
