import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import { Arg, Float, ID, Int, Query, Resolver } from 'type-graphql';
import type { AppServices } from '../../services/app-services.js';
import type { ImagePage } from '../../services/search.service.js';
import { checkId, checkInt, checkScore, MAX_PAGE } from '../args.js';
import { IgnoredReason, Image, ImageConnection, RelevanceBand } from '../types/image.type.js';
import { readUpload } from '../upload.js';

export function toConnection(page: ImagePage): ImageConnection {
  return {
    edges: page.edges.map((e) => ({
      cursor: e.cursor,
      score: e.score,
      relevance: e.relevance ?? null,
      band: e.band ? RelevanceBand[e.band] : null,
      node: Image.from(e.image),
    })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    minScore: page.minScore ?? null,
    cutOff: page.cutOff,
    usedWords: page.words?.used ?? null,
    ignoredWords: page.words?.ignored.map((w) => ({ ...w, reason: IgnoredReason[w.reason] })) ?? null,
    duplicateOf: page.duplicateOf ? Image.from(page.duplicateOf) : null,
  };
}

const MIN_SCORE_DESCRIPTION =
  'Leave out results scoring below this cosine (default: the calibrated cut-off; -1 shows everything).';

@Resolver()
export class SearchResolver {
  constructor(private readonly services: AppServices) {}

  @Query(() => ImageConnection, { description: 'Images ranked by how close they are to a word or phrase.' })
  async searchImages(
    @Arg('text', () => String) text: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) firstArg: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('minScore', () => Float, { nullable: true, description: MIN_SCORE_DESCRIPTION })
    minScore: number | null,
  ): Promise<ImageConnection> {
    const first = checkInt('first', firstArg ?? 20, 1, MAX_PAGE);
    const page = await this.services.search.searchImages(
      text,
      { first, after },
      checkScore('minScore', minScore),
    );
    return toConnection(page);
  }

  @Query(() => ImageConnection, { description: 'Stored images that look like a stored image.' })
  async similarImages(
    @Arg('id', () => ID) id: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) firstArg: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('minScore', () => Float, { nullable: true, description: MIN_SCORE_DESCRIPTION })
    minScore: number | null,
  ): Promise<ImageConnection> {
    const first = checkInt('first', firstArg ?? 20, 1, MAX_PAGE);
    const page = await this.services.search.similarImages(
      checkId(id),
      { first, after },
      checkScore('minScore', minScore),
    );
    return toConnection(page);
  }

  @Query(() => ImageConnection, {
    description:
      'Stored images that look like an uploaded example (not stored). Send as a multipart request.',
  })
  async searchByImage(
    @Arg('image', () => GraphQLUpload) image: Promise<FileUpload>,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) firstArg: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('minScore', () => Float, { nullable: true, description: MIN_SCORE_DESCRIPTION })
    minScore: number | null,
  ): Promise<ImageConnection> {
    const first = checkInt('first', firstArg ?? 20, 1, MAX_PAGE);
    const cutOff = checkScore('minScore', minScore);
    const file = await readUpload(image, this.services.config.MAX_UPLOAD_BYTES);
    return toConnection(await this.services.search.searchByImage(file.bytes, { first, after }, cutOff));
  }
}
