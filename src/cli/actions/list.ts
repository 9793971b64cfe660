import { z } from 'zod';
import { answerers } from '../../answers/registry.js';
import { chunkers } from '../../chunkers/registry.js';
import { embedders } from '../../embedders/registry.js';
import { chatModels } from '../../llms/registry.js';
import { rerankers } from '../../rerankers/registry.js';
import { retrievers } from '../../retrievers/registry.js';
import { existingIndexes, stores } from '../../stores/registry.js';
import type { PluginDefinition } from '../../shared/plugin.js';

type Registry = Readonly<Record<string, PluginDefinition<z.ZodType, unknown, never>>>;

const families: Record<string, Registry> = { chunkers, embedders, stores, retrievers, rerankers, 'existing index sources (retriever kind existing, source:)': existingIndexes, answerers, 'chat models': chatModels };

/** `ragbench list`: every kind with its description and options (from the same schemas that validate YAML). */
export function listCommand(options: { json: boolean }): void {
  const listing = Object.fromEntries(
    Object.entries(families).map(([family, registry]) => [
      family,
      Object.fromEntries(
        Object.entries(registry).map(([kind, definition]) => [
          kind,
          { description: definition.description, options: describeOptions(definition.options) },
        ]),
      ),
    ]),
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify(listing, null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  for (const [family, kinds] of Object.entries(listing)) {
    lines.push(`${family}:`);
    for (const [kind, info] of Object.entries(kinds)) {
      lines.push(`  ${kind} — ${info.description}`);
      for (const [name, text] of Object.entries(info.options)) lines.push(`      ${name}: ${text}`);
    }
    lines.push('');
  }
  process.stdout.write(lines.join('\n'));
}

/** option name → `type (default …)`, read from the zod schema's JSON Schema form. */
function describeOptions(schema: z.ZodType): Record<string, string> {
  type Property = { type?: unknown; default?: unknown; enum?: unknown[]; anyOf?: Property[]; description?: string };
  let json: { properties?: Record<string, Property> };
  try {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as typeof json;
  } catch {
    return {};
  }
  return Object.fromEntries(
    Object.entries(json.properties ?? {}).map(([name, property]) => {
      const typeOf = (p: Property): string =>
        p.enum ? p.enum.map((v) => JSON.stringify(v)).join('|') : p.anyOf ? p.anyOf.map(typeOf).join('|') : String(p.type ?? 'object');
      const type = typeOf(property);
      const fallback = property.default !== undefined ? ` (default ${JSON.stringify(property.default)})` : '';
      return [name, `${type}${fallback}${property.description ? ` — ${property.description}` : ''}`];
    }),
  );
}
