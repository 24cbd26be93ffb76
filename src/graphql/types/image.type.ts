import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
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

@ObjectType()
export class ImageEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Float, { description: 'Cosine similarity to the query (0 in plain listings).' })
  score!: number;

  @Field(() => Image)
  node!: Image;
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
}
