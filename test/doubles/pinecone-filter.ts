/**
 * Pinecone's metadata filter language as documented ("Filter by metadata"): `{ field: value }` is `$eq`;
 * `$eq $ne` take a string, number or boolean; `$gt $gte $lt $lte` a number; `$in $nin` a non-empty list of
 * strings, numbers or booleans; `$exists` a boolean; `$and $or` a list of filters. A list-valued field (list
 * of strings) matches `$eq`/`$in` when any element does and `$ne`/`$nin` when none does; a record without the
 * field matches only `$ne`, `$nin` and `$exists: false`. Anything else is refused, as the service refuses it.
 */
type Filter = Record<string, unknown>;

const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
const operators: Record<string, (operand: unknown) => boolean> = {
  $eq: scalar,
  $ne: scalar,
  $gt: (v) => typeof v === 'number' && Number.isFinite(v),
  $gte: (v) => typeof v === 'number' && Number.isFinite(v),
  $lt: (v) => typeof v === 'number' && Number.isFinite(v),
  $lte: (v) => typeof v === 'number' && Number.isFinite(v),
  $in: (v) => Array.isArray(v) && v.length > 0 && v.length <= 10_000 && v.every(scalar),
  $nin: (v) => Array.isArray(v) && v.length > 0 && v.length <= 10_000 && v.every(scalar),
  $exists: (v) => typeof v === 'boolean',
};

/** Why the filter is invalid, or undefined when the service would accept it. */
export function checkFilter(filter: unknown, path = 'filter'): string | undefined {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) return `${path} must be an object`;
  const entries = Object.entries(filter as Filter);
  if (entries.length === 0 && path !== 'filter') return `${path} is empty`;
  for (const [key, condition] of entries) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(condition) || condition.length === 0) return `${path}.${key} must be a non-empty list of filters`;
      for (const [i, inner] of condition.entries()) {
        const problem = checkFilter(inner, `${path}.${key}[${i}]`);
        if (problem) return problem;
      }
      continue;
    }
    if (key.startsWith('$')) return `unknown operator ${key} in ${path}`;
    if (scalar(condition)) continue;
    if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) return `${path}.${key}: ${JSON.stringify(condition)} is not a value or an operator object`;
    const ops = Object.entries(condition as Filter);
    if (ops.length === 0) return `${path}.${key} has no operator`;
    for (const [op, operand] of ops) {
      const valid = operators[op];
      if (!valid) return `unknown operator ${op} in ${path}.${key}`;
      if (!valid(operand)) return `${path}.${key}.${op}: invalid operand ${JSON.stringify(operand)}`;
    }
  }
  return undefined;
}

/** Whether a record's metadata passes a filter that checkFilter accepted. */
export function matchesFilter(metadata: Record<string, unknown> | undefined, filter: Filter | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$and') return (condition as Filter[]).every((inner) => matchesFilter(metadata, inner));
    if (key === '$or') return (condition as Filter[]).some((inner) => matchesFilter(metadata, inner));
    const ops = scalar(condition) ? { $eq: condition } : (condition as Filter);
    return Object.entries(ops).every(([op, operand]) => test(metadata?.[key], op, operand));
  });
}

function test(value: unknown, op: string, operand: unknown): boolean {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const number = typeof value === 'number' ? value : undefined;
  switch (op) {
    case '$eq':
      return values.includes(operand);
    case '$ne':
      return !values.includes(operand);
    case '$in':
      return values.some((v) => (operand as unknown[]).includes(v));
    case '$nin':
      return !values.some((v) => (operand as unknown[]).includes(v));
    case '$exists':
      return (value !== undefined) === operand;
    case '$gt':
      return number !== undefined && number > (operand as number);
    case '$gte':
      return number !== undefined && number >= (operand as number);
    case '$lt':
      return number !== undefined && number < (operand as number);
    case '$lte':
      return number !== undefined && number <= (operand as number);
  }
  return false;
}
