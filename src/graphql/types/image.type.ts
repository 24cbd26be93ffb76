import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ImageRecord } from '../../services/collections.js';

@ObjectType({ description: 'A stored image. Its id is the sha256 of the uploaded bytes.' })
export class Image {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'The file name it was uploaded or ingested with.' })
  filename!: string;

  @Field(() => String, { description: 'Content type of the stored copy served at `url`.' })
  contentType!: string;

  @Field(() => String, {
    description: 'Format of the uploaded file (jpeg, png, webp, gif, avif, heif, tiff).',
  })
  format!: string;

  @Field(() => Int)
  width!: number;

  @Field(() => Int)
  height!: number;

  @Field(() => Int, { description: 'Size of the uploaded file in bytes.' })
  bytes!: number;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => String, { description: 'How it arrived: graphql, cli, classify.' })
  source!: string;

  @Field(() => String, { description: 'Where the stored image is served (same origin).' })
  url!: string;

  @Field(() => String, { description: 'Where a JPEG thumbnail is served (same origin).' })
  thumbnailUrl!: string;

  /** Tags computed at ingest; the labels field resolver serves from them when enough. */
  storedTags!: { word: string; score: number }[];

  static from(record: ImageRecord): Image {
    return Object.assign(new Image(), {
      id: record.id,
      filename: record.filename,
      contentType: record.contentType,
      format: record.format,
      width: record.width,
      height: record.height,
      bytes: record.bytes,
      createdAt: new Date(record.createdAt),
      source: record.source,
      url: `/images/${record.id}`,
      thumbnailUrl: `/images/${record.id}/thumbnail`,
      storedTags: record.tags,
    });
  }
}

export enum RelevanceBand {
  STRONG = 'STRONG',
  WEAK = 'WEAK',
  BELOW_CUTOFF = 'BELOW_CUTOFF',
}
registerEnumType(RelevanceBand, {
  name: 'RelevanceBand',
  description: 'How a score reads against the calibration of the pipeline that made it.',
});

export enum IgnoredReason {
  STOP_WORD = 'STOP_WORD',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(IgnoredReason, { name: 'IgnoredReason' });

@ObjectType()
export class ImageEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Float, { description: 'Cosine similarity to the query, in [-1, 1] (0 in plain listings).' })
  score!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'Estimated chance, 0–1, that a person calls this a match: the score through a logistic fitted on ' +
      'held-out photographs. Null when the pipeline has no calibration.',
  })
  relevance!: number | null;

  @Field(() => RelevanceBand, {
    nullable: true,
    description: 'STRONG (relevance ≥ 0.5), WEAK (above the default cut-off) or BELOW_CUTOFF.',
  })
  band!: RelevanceBand | null;

  @Field(() => Image)
  node!: Image;
}

@ObjectType({ description: 'A word of a text query left out of its vector, and why.' })
export class IgnoredWord {
  @Field(() => String)
  word!: string;

  @Field(() => IgnoredReason)
  reason!: IgnoredReason;

  @Field(() => [String], { description: 'For UNKNOWN words: vocabulary words that are spelled closely.' })
  suggestions!: string[];
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType({ description: 'A Relay connection of images, best match first.' })
export class ImageConnection {
  @Field(() => [ImageEdge])
  edges!: ImageEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Float, {
    nullable: true,
    description:
      'The cut-off this list applied (the query minScore, else the default): results scoring below it ' +
      'are left out. Null when none.',
  })
  minScore!: number | null;

  @Field(() => Boolean, {
    description:
      'True when results below minScore were left out: ask again with a lower minScore to see them.',
  })
  cutOff!: boolean;

  @Field(() => [String], {
    nullable: true,
    description: 'Text queries: the vocabulary entries whose vectors made the query, in order.',
  })
  usedWords!: string[] | null;

  @Field(() => [IgnoredWord], {
    nullable: true,
    description: 'Text queries: stop words and unknown words that were left out.',
  })
  ignoredWords!: IgnoredWord[] | null;

  @Field(() => Image, {
    nullable: true,
    description: 'searchByImage: the stored image with the same bytes as the upload (not listed in edges).',
  })
  duplicateOf!: Image | null;
}
