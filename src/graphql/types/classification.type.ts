import { Field, ID, ObjectType } from 'type-graphql';
import { Image } from './image.type.js';
import { WordScore } from './word-score.type.js';

@ObjectType()
export class Classification {
  @Field(() => ID, { description: 'The image id (sha256 of its bytes), whether or not it was stored.' })
  id!: string;

  @Field(() => [WordScore], { description: 'Label words nearest to the image, best first.' })
  labels!: WordScore[];

  @Field(() => Image, { nullable: true, description: 'The stored image, when `store` was true.' })
  image!: Image | null;
}
