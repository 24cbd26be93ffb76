import { GraphQLError, Kind, type ASTVisitor, type ValidationContext, type ValidationRule } from 'graphql';

/** Introspection's standard TypeRef fragment nests `ofType` 8 levels deep; tools' queries reach ~15. */
export const INTROSPECTION_MAX_DEPTH = 20;

/**
 * Refuses documents nested deeper than `maxDepth` selection sets (fragments followed). Operations that only
 * introspect (`__schema`, `__type`) get INTROSPECTION_MAX_DEPTH instead, still bounded.
 */
export function depthLimit(maxDepth: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(
      context
        .getDocument()
        .definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d] as const),
    );
    const depthOf = (
      node: { selectionSet?: { selections: readonly unknown[] } },
      seen: Set<string>,
    ): number => {
      if (!node.selectionSet) return 0;
      let deepest = 0;
      for (const s of node.selectionSet.selections as {
        kind: Kind;
        name?: { value: string };
        selectionSet?: never;
      }[]) {
        if (s.kind === Kind.FRAGMENT_SPREAD) {
          const name = s.name!.value;
          const fragment = fragments.get(name);
          // A fragment spread inside itself is a cycle; NoFragmentCycles reports it, so count it once here.
          if (fragment && !seen.has(name))
            deepest = Math.max(deepest, depthOf(fragment, new Set([...seen, name])) - 1);
        } else deepest = Math.max(deepest, depthOf(s, seen));
      }
      return deepest + 1;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node, new Set());
        const introspectionOnly = node.selectionSet.selections.every(
          (s) => s.kind === Kind.FIELD && ['__schema', '__type', '__typename'].includes(s.name.value),
        );
        const limit = introspectionOnly ? Math.max(maxDepth, INTROSPECTION_MAX_DEPTH) : maxDepth;
        if (depth > limit) {
          context.reportError(
            new GraphQLError(`query depth ${depth} exceeds the limit of ${limit}`, {
              nodes: [node],
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          );
        }
      },
    };
  };
}

/** Refuses documents with more than `max` aliased fields (alias amplification). */
export function aliasLimit(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let count = 0;
    return {
      Field(node) {
        if (node.alias && ++count === max + 1) {
          context.reportError(
            new GraphQLError(`more than ${max} aliases in one document`, {
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          );
        }
      },
    };
  };
}
