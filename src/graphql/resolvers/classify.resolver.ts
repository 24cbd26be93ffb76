import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import { Arg, Float, Int, Mutation, Resolver } from 'type-graphql';
import type { AppServices } from '../../services/app-services.js';
import { checkInt, checkScore, MAX_PAGE } from '../args.js';
import { Classification } from '../types/classification.type.js';
import { Image } from '../types/image.type.js';
import { readUpload } from '../upload.js';

@Resolver()
export class ClassifyResolver {
  constructor(private readonly services: AppServices) {}

  @Mutation(() => Classification, {
    description: 'Ranked label words for an uploaded image (zero-shot tags).',
  })
  async classify(
    @Arg('image', () => GraphQLUpload) image: Promise<FileUpload>,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 10 }) limitArg: number | null,
    @Arg('minScore', () => Float, { nullable: true }) minScore: number | null,
    @Arg('store', () => Boolean, {
      nullable: true,
      defaultValue: false,
      description: 'Also store the image.',
    })
    storeArg: boolean | null,
  ): Promise<Classification> {
    const limit = checkInt('limit', limitArg ?? 10, 1, MAX_PAGE);
    const file = await readUpload(image, this.services.config.MAX_UPLOAD_BYTES);
    const result = await this.services.classify.classify(file.bytes, {
      limit,
      minScore: checkScore('minScore', minScore),
      store: storeArg ?? false,
      filename: file.filename,
    });
    return Object.assign(new Classification(), {
      id: result.id,
      labels: result.labels,
      image: result.image ? Image.from(result.image) : null,
    });
  }
}
