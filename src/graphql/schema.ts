import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type ContainerType } from 'type-graphql';
import type { AppServices } from '../services/app-services.js';
import { ClassifyResolver } from './resolvers/classify.resolver.js';
import { ImageResolver } from './resolvers/image.resolver.js';
import { IngestResolver } from './resolvers/ingest.resolver.js';
import { SearchResolver } from './resolvers/search.resolver.js';
import { WordsResolver } from './resolvers/words.resolver.js';

const RESOLVERS = [ClassifyResolver, IngestResolver, SearchResolver, ImageResolver, WordsResolver] as const;

/** Resolvers are built once with the services (constructor injection). */
function containerFor(services: AppServices | undefined): ContainerType {
  const instances = new Map<unknown, unknown>();
  const container: ContainerType = {
    get(someClass) {
      if (!services) throw new Error('schema built without services cannot execute');
      const Resolver = someClass as new (s: AppServices) => unknown;
      if (!instances.has(Resolver)) instances.set(Resolver, new Resolver(services));
      return instances.get(Resolver);
    },
  };
  return container;
}

export async function buildAppSchema(services?: AppServices): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    container: containerFor(services),
    validate: false,
  });
}

/** The SDL committed to schema/schema.graphql: sorted, so it diffs cleanly. */
export async function printAppSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildAppSchema()))}\n`;
}
