// A depth and cost limit as a graphql-js 17 validation rule. The cost model follows the
// GraphQL Cost Directive spec's @listSize idea: a field's slicing argument (`first`) sizes
// the lists named in sizedFields (`edges`); other lists get an assumed size.
import { GraphQLError, Kind, getNamedType, getNullableType, isCompositeType, isInterfaceType, isListType, isObjectType } from 'graphql';
import type {
  FieldNode,
  GraphQLCompositeType,
  GraphQLField,
  SelectionSetNode,
  ValidationContext,
  ValidationRule,
  ValueNode,
} from 'graphql';

export type ListSize = { readonly slicingArguments: readonly string[]; readonly sizedFields?: readonly string[] };

export type ComplexityOptions = {
  readonly maxDepth: number;
  readonly maxCost: number;
  /** Keyed by `Type.field`, like `Query.posts`. */
  readonly listSizes: Readonly<Record<string, ListSize>>;
  /** Size assumed for a list with no slicing argument (a rule of thumb; tune per field). */
  readonly assumedListSize: number;
  /** The request's variables: validation runs before execution, so pass them in. */
  readonly variableValues?: Readonly<Record<string, unknown>>;
  /** Used when a slicing argument is absent or not a number. */
  readonly maxPageSize: number;
  /**
   * Selections (fields, fragment spreads and inline fragments) allowed in the whole document
   * once every fragment spread is expanded in place, summed over all its operations (default
   * 10,000). Checked at every step, so the rule's walk visits at most this many + 1 selections
   * per `validate` call, however many operations the document holds (a reused fragment is one
   * visit that charges its whole expansion).
   */
  readonly maxSelections?: number;
  /**
   * Nested selection sets, inline fragments and fragment spreads allowed on one path of the
   * walk (default 200). Bounds the walk's recursion, so a long chain of fragments is reported
   * instead of overflowing the stack.
   */
  readonly maxNesting?: number;
  /**
   * If given, the rule adds one to `visits` for each selection its walk visits (a reused
   * fragment's spread is one visit), so a test can check the bound above without a clock.
   */
  readonly stats?: { visits: number };
};

export function complexityRule(options: ComplexityOptions): ValidationRule {
  const maxSelections = options.maxSelections ?? 10_000;
  const maxNesting = options.maxNesting ?? 200;
  // graphql-js calls this once per validate() call: the walk (memo and selection budget) is
  // per document, shared by all its operations. Only one of them is executed, but validate()
  // checks them all, so a budget per operation would let N operations cost N budgets.
  return (context: ValidationContext) => {
    const walk: Walk = { context, options, maxSelections, maxNesting, selections: 0, nesting: 0, memo: new Map(), path: new Set(), stats: options.stats ?? { visits: 0 } };
    let exhausted = false;
    return {
      OperationDefinition(operation) {
        const root = context.getSchema().getRootType(operation.operation);
        if (!root || exhausted) return; // past the budget the document has been refused already
        const name = operation.name?.value ?? '(anonymous)';
        let result: Measured;
        walk.nesting = 0;
        walk.path.clear();
        try {
          result = measure(walk, operation.selectionSet, root, 1, 1);
        } catch (error) {
          if (error instanceof OverBudget) {
            exhausted = true;
            context.reportError(
              new GraphQLError(
                `Document selects more than ${maxSelections} fields, fragment spreads and inline fragments once its fragments are expanded (reached in operation ${name})`,
                { nodes: [operation], extensions: { code: 'QUERY_TOO_COMPLEX', maxSelections } },
              ),
            );
          } else if (error instanceof TooNested) {
            context.reportError(
              new GraphQLError(`Operation ${name} nests selections and fragment spreads more than ${maxNesting} deep`, {
                nodes: [operation],
                extensions: { code: 'QUERY_TOO_COMPLEX', maxNesting },
              }),
            );
          } else {
            throw error;
          }
          return; // cost and depth are unknown, and the operation is refused anyway
        }
        const { cost, depth } = result;
        if (depth > options.maxDepth) {
          context.reportError(
            new GraphQLError(`Operation ${name} has depth ${depth}, over the limit of ${options.maxDepth}`, {
              nodes: [operation],
              extensions: { code: 'QUERY_TOO_DEEP', depth, maxDepth: options.maxDepth },
            }),
          );
        }
        // `!(cost <= max)` also refuses a cost that overflowed to Infinity or became NaN.
        if (!(cost <= options.maxCost)) {
          context.reportError(
            new GraphQLError(`Operation ${name} costs ${cost}, over the limit of ${options.maxCost}`, {
              nodes: [operation],
              extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost: options.maxCost },
            }),
          );
        }
      },
    };
  };
}

/** cost, depth, and the number of selections once fragments are expanded in place. */
type Measured = { cost: number; depth: number; selections: number };

type Walk = {
  readonly context: ValidationContext;
  readonly options: ComplexityOptions;
  readonly maxSelections: number;
  readonly maxNesting: number;
  /** Expanded selections counted so far in this document (all operations). */
  selections: number;
  /** Depth of the current recursion: selection sets, inline fragments and spreads. */
  nesting: number;
  /** Fragment name + sized-field context -> its measure at multiplier 1 and depth 0. Per document. */
  readonly memo: Map<string, Measured>;
  /** Fragments being measured on the current path (cycles are NoFragmentCyclesRule's to report). */
  readonly path: Set<string>;
  /** Selections visited by this walk (options.stats, or a counter of its own). */
  readonly stats: { visits: number };
};

class OverBudget extends Error {}
class TooNested extends Error {}

function count(walk: Walk, n: number): void {
  walk.selections += n;
  if (walk.selections > walk.maxSelections) throw new OverBudget();
}

// Without the memo, a chain of fragments that each spread the next one twice makes this walk
// exponential in the number of fragments: a 906-byte document took 8 to 15 s. Cost is linear
// in the multiplier and depth is additive, so each fragment is measured once per document and
// sized-field context, at multiplier 1 and depth 0, and scaled where it is spread. Every
// selection visited is counted, and a memo hit counts the fragment's whole expansion, so the
// budget bounds both the walk's steps and what the memo cannot: a large expansion, however
// it is written. The nesting limit bounds the recursion.
function measure(
  walk: Walk,
  selectionSet: SelectionSetNode,
  parentType: GraphQLCompositeType,
  multiplier: number,
  depth: number,
  sizedHere: readonly string[] = [],
  sizedMultiplier = 1,
): Measured {
  if (++walk.nesting > walk.maxNesting) throw new TooNested();
  let cost = 0;
  let maxDepth = depth;
  let selections = 0;
  const add = (r: Measured): void => {
    cost += r.cost;
    maxDepth = Math.max(maxDepth, r.depth);
    selections += r.selections;
  };
  const schema = walk.context.getSchema();
  for (const selection of selectionSet.selections) {
    walk.stats.visits += 1;
    if (selection.kind === Kind.FIELD) {
      add(measureField(walk, selection, parentType, multiplier, depth, sizedHere, sizedMultiplier));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count(walk, 1);
      selections += 1;
      const typeName = selection.typeCondition?.name.value;
      const type = typeName ? schema.getType(typeName) : parentType;
      if (type && isCompositeType(type)) {
        add(measure(walk, selection.selectionSet, type, multiplier, depth, sizedHere, sizedMultiplier));
      }
    } else {
      count(walk, 1);
      selections += 1;
      const name = selection.name.value;
      const fragment = walk.context.getFragment(name);
      if (!fragment || walk.path.has(name)) continue; // NoFragmentCyclesRule reports cycles
      const type = schema.getType(fragment.typeCondition.name.value);
      if (!type || !isCompositeType(type)) continue;
      const key = `${name}|${sizedHere.join(',')}|${sizedMultiplier}`;
      let unit = walk.memo.get(key);
      if (unit) {
        count(walk, unit.selections); // a reused fragment still counts as all of its selections
      } else {
        walk.path.add(name);
        unit = measure(walk, fragment.selectionSet, type, 1, 0, sizedHere, sizedMultiplier);
        walk.path.delete(name);
        walk.memo.set(key, unit);
      }
      add({ cost: unit.cost * multiplier, depth: depth + unit.depth, selections: unit.selections });
    }
  }
  walk.nesting -= 1;
  return { cost, depth: maxDepth, selections };
}

function measureField(
  walk: Walk,
  node: FieldNode,
  parentType: GraphQLCompositeType,
  multiplier: number,
  depth: number,
  sizedHere: readonly string[],
  sizedMultiplier: number,
): Measured {
  count(walk, 1);
  const fieldName = node.name.value;
  if (fieldName.startsWith('__')) return { cost: 0, depth, selections: 1 }; // introspection: MaxIntrospectionDepthRule and policy
  const fieldDef: GraphQLField<unknown, unknown> | undefined =
    isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[fieldName] : undefined;
  if (!fieldDef) return { cost: 0, depth, selections: 1 }; // FieldsOnCorrectTypeRule reports it
  const namedType = getNamedType(fieldDef.type);
  if (!node.selectionSet || !isCompositeType(namedType)) return { cost: 0, depth, selections: 1 }; // leaves are free here

  // This field's own multiplicity: sized by an ancestor's slicing argument, or assumed.
  let own = 1;
  if (isListType(getNullableType(fieldDef.type))) {
    own = sizedHere.includes(fieldName) ? sizedMultiplier : walk.options.assumedListSize;
  }
  const fieldMultiplier = multiplier * own;
  const listSize = walk.options.listSizes[`${parentType.name}.${fieldName}`];
  let childSized: readonly string[] = [];
  let childSizedMultiplier = 1;
  if (listSize) {
    childSized = listSize.sizedFields ?? [];
    childSizedMultiplier = sliceSize(node, listSize.slicingArguments, fieldDef, walk.options);
  }
  const children = measure(walk, node.selectionSet, namedType, fieldMultiplier, depth + 1, childSized, childSizedMultiplier);
  return { cost: fieldMultiplier + children.cost, depth: children.depth, selections: 1 + children.selections };
}

function sliceSize(node: FieldNode, names: readonly string[], fieldDef: GraphQLField<unknown, unknown>, options: ComplexityOptions): number {
  for (const name of names) {
    const arg = node.arguments?.find((a) => a.name.value === name);
    const def = fieldDef.args.find((a) => a.name === name)?.default; // graphql-js 17: { value } or { literal }
    const value = arg ? literal(arg.value, options.variableValues) : def?.literal ? literal(def.literal, undefined) : def?.value;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return Math.min(value, options.maxPageSize);
  }
  return options.maxPageSize; // unknown size: assume the worst the resolver allows
}

function literal(value: ValueNode, variables: Readonly<Record<string, unknown>> | undefined): unknown {
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) return variables?.[value.name.value];
  return undefined;
}
