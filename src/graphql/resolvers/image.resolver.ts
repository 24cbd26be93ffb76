import { Arg, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { AppServices } from '../../services/app-services.js';
import { checkId, checkInt, MAX_PAGE } from '../args.js';
import { Image, ImageConnection } from '../types/image.type.js';
import { WordScore } from '../types/word-score.type.js';
import { toConnection } from './search.resolver.js';

@Resolver(() => Image)
export class ImageResolver {
  constructor(private readonly services: AppServices) {}

  @Query(() => Image, { nullable: true })
  async image(@Arg('id', () => ID) id: string): Promise<Image | null> {
    const record = await this.services.search.image(checkId(id));
    return record ? Image.from(record) : null;
  }

  @Query(() => ImageConnection, { description: 'All stored images, in storage order.' })
  async images(
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) firstArg: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<ImageConnection> {
    const first = checkInt('first', firstArg ?? 20, 1, MAX_PAGE);
    return toConnection(await this.services.search.listImages({ first, after }));
  }

  @FieldResolver(() => [WordScore], { description: 'The label words nearest to this image, best first.' })
  async labels(
    @Root() image: Image,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 10 }) limitArg: number | null,
  ): Promise<WordScore[]> {
    const limit = checkInt('limit', limitArg ?? 10, 1, MAX_PAGE);
    if (image.storedTags.length >= limit) return image.storedTags.slice(0, limit);
    return this.services.search.imageLabels(image.id, limit);
  }
}
