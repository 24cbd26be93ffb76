import { Arg, Int, Query, Resolver } from 'type-graphql';
import type { AppServices } from '../../services/app-services.js';
import { checkInt, MAX_PAGE } from '../args.js';
import { Stats } from '../types/stats.type.js';
import { WordScore } from '../types/word-score.type.js';

@Resolver()
export class WordsResolver {
  constructor(private readonly services: AppServices) {}

  @Query(() => [WordScore], { description: 'Words nearest to a word or phrase in the word-vector space.' })
  async relatedWords(
    @Arg('word', () => String) word: string,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 10 }) limitArg: number | null,
  ): Promise<WordScore[]> {
    const limit = checkInt('limit', limitArg ?? 10, 1, MAX_PAGE);
    return this.services.vocabulary.relatedWords(word, limit);
  }

  @Query(() => Stats)
  async stats(): Promise<Stats> {
    return this.services.stats.snapshot();
  }
}
