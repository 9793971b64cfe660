/**
 * Checking a model's JSON answer against the JSON schema it was asked for. Servers without json_schema support
 * (older vLLM, some proxies) only promise "some JSON object", so the shape is checked here. The subset covered is
 * the one structured-output schemas use (OpenAI's strict mode allows little more): type, properties, required,
 * additionalProperties, items, enum, const, anyOf, minimum/maximum, minItems/maxItems. Unknown keywords are
 * ignored rather than failing, as JSON Schema itself prescribes.
 */
type Schema = Record<string, unknown>;

/** Parses the JSON in a model's text: the whole text, else a fenced ```json block, else the outermost {...}. */
export function parseJsonAnswer(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const candidates = [text.trim()];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  if (fenced?.[1]) candidates.push(fenced[1].trim());
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start >= 0 && end > start) candidates.push(text.slice(start, end + 1));
  for (const candidate of candidates) {
    try {
      return { ok: true, value: JSON.parse(candidate) as unknown };
    } catch {
      // try the next reading
    }
  }
  return { ok: false, reason: 'the answer is not JSON' };
}

/** Problems found, each as `path: what`; empty when the value matches. */
export function validateJson(value: unknown, schema: Schema, path = '$'): string[] {
  if (Array.isArray(schema.anyOf)) {
    const branches = (schema.anyOf as Schema[]).map((branch) => validateJson(value, branch, path));
    if (!branches.some((problems) => problems.length === 0)) return [`${path}: matches none of anyOf`];
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    return [`${path}: must be ${JSON.stringify(schema.const)}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) {
    return [`${path}: must be one of ${JSON.stringify(schema.enum)}`];
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((type) => hasType(value, type))) return [`${path}: must be ${types.join(' or ')}, got ${typeName(value)}`];
  }
  const problems: string[] = [];
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${path}: must be ≥ ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${path}: must be ≤ ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) problems.push(`${path}: needs ≥ ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) problems.push(`${path}: allows ≤ ${schema.maxItems} items`);
    if (isSchema(schema.items)) value.forEach((item, i) => problems.push(...validateJson(item, schema.items as Schema, `${path}[${i}]`)));
  }
  if (isPlainObject(value)) problems.push(...validateObject(value, schema, path));
  return problems;
}

function validateObject(value: Record<string, unknown>, schema: Schema, path: string): string[] {
  const problems: string[] = [];
  const properties = isSchema(schema.properties) ? (schema.properties as Record<string, Schema>) : {};
  if (Array.isArray(schema.required)) {
    for (const key of schema.required as string[]) if (!Object.hasOwn(value, key)) problems.push(`${path}.${key}: is required`);
  }
  for (const [key, item] of Object.entries(value)) {
    const property = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (property) problems.push(...validateJson(item, property, `${path}.${key}`));
    else if (schema.additionalProperties === false) problems.push(`${path}.${key}: is not allowed`);
    else if (isSchema(schema.additionalProperties)) problems.push(...validateJson(item, schema.additionalProperties as Schema, `${path}.${key}`));
  }
  return problems;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return true;
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isSchema(value: unknown): boolean {
  return isPlainObject(value);
}
