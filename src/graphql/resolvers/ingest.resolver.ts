import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import { Arg, ID, Mutation, Resolver } from 'type-graphql';
import { AppError, ErrorCode } from '../../errors.js';
import type { AppServices } from '../../services/app-services.js';
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
    // Every file is read (size-checked) before any is decoded; the service checks and embeds them all first.
    const files = [];
    for (const upload of images) files.push(await readUpload(upload, MAX_UPLOAD_BYTES));
    const results = await this.services.ingest.ingestAll(files, 'graphql');
    return results.map((r) => Image.from(r.image));
  }

  @Mutation(() => Boolean, { description: 'Deletes a stored image; false when there was none.' })
  async deleteImage(@Arg('id', () => ID) id: string): Promise<boolean> {
    return this.services.ingest.delete(checkId(id));
  }
}
