import { Field, Float, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A word with its cosine similarity to a vector (an image, a word or a phrase).' })
export class WordScore {
  @Field(() => String)
  word!: string;

  @Field(() => Float, { description: 'Cosine similarity in [-1, 1]; higher is closer.' })
  score!: number;
}
