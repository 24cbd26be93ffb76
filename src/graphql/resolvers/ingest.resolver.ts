import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import { Arg, ID, Mutation, Resolver } from 'type-graphql';
import { AppError, ErrorCode } from '../../errors.js';
import type { AppServices } from '../../services/app-services.js';
import { contentHash } from '../../services/image-embedding.service.js';
import { checkId } from '../args.js';
import { Image } from '../types/image.type.js';
import { readUpload } from '../upload.js';

@Resolver()
export class IngestResolver {
  constructor(private readonly services: AppServices) {}

  @Mutation(() => [Image], {
    description: 'Stores images (idempotent by content hash) and returns them in upload order.',
  })
  async ingestImages(@Arg('images', () => [GraphQLUpload]) images: Promise<FileUpload>[]): Promise<Image[]> {
    const { MAX_FILES, MAX_UPLOAD_BYTES } = this.services.config;
    if (images.length === 0)
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'no images given', { argument: 'images' });
    if (images.length > MAX_FILES) {
      throw new AppError(ErrorCode.TOO_MANY_FILES, `at most ${MAX_FILES} images per request`, {
        max: MAX_FILES,
      });
    }
    // Read and validate every file before storing any, so one bad file fails the request with nothing stored.
    const files = [];
    for (const upload of images) files.push(await readUpload(upload, MAX_UPLOAD_BYTES));
    for (const file of files) await this.services.embedding.inspect(file.bytes);
    // Decode and embed every new file before storing any: a file that fails late (corrupt data past a good
    // header, SERVER_BUSY) must not leave the others of its request stored.
    const { embedding, ingest } = this.services;
    const prepared = await Promise.all(
      files.map(async (f) => {
        const stored = await ingest.find(contentHash(f.bytes));
        return stored ? { stored } : { embedded: await embedding.embed(f.bytes) };
      }),
    );
    const results = [];
    for (const [i, f] of files.entries()) {
      const { stored, embedded } = prepared[i]!;
      const meta = { filename: f.filename, source: 'graphql' };
      results.push(embedded ? (await ingest.ingestEmbedded(f.bytes, embedded, meta)).image : stored);
    }
    return results.map((r) => Image.from(r));
  }

  @Mutation(() => Boolean, { description: 'Deletes a stored image; false when there was none.' })
  async deleteImage(@Arg('id', () => ID) id: string): Promise<boolean> {
    return this.services.ingest.delete(checkId(id));
  }
}
