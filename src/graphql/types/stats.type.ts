import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class ModelInfo {
  @Field(() => String, { description: 'encoder, head or wordVectors.' })
  role!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int, { description: 'Output dimension.' })
  dimension!: number;

  @Field(() => String, { description: 'Execution provider (cpu, cuda), or n/a for data.' })
  provider!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Set when this model is the fallback for a default that could not be built, and why.',
  })
  fallbackReason?: string;
}

@ObjectType()
export class Stats {
  @Field(() => Int)
  imageCount!: number;

  @Field(() => Int)
  vocabularySize!: number;

  @Field(() => Int)
  labelCount!: number;

  @Field(() => String, { description: 'embedded or qdrant.' })
  store!: string;

  @Field(() => [ModelInfo])
  models!: ModelInfo[];
}
