// JSON Schema (as zod 4's z.toJSONSchema writes it) in a few words, for the generated documents.

export type JsonSchema = Record<string, unknown>;

/** e.g. `integer 1–365`, `"aws" or "local"`, `URL`, `array of object`, `string (≤ 500 characters)`. */
export function typeText(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' or ');
  if ('const' in schema) return JSON.stringify(schema.const);
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(alternatives)) return alternatives.map(typeText).join(' or ');
  if (typeof schema.$ref === 'string') return schema.$ref.split('/').pop() ?? 'object';
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type as string | undefined);
  switch (type) {
    case 'integer':
    case 'number':
      return `${type}${range(schema.minimum, schema.maximum)}`;
    case 'string':
      return stringText(schema);
    case 'array':
      return `array of ${schema.items ? typeText(schema.items as JsonSchema) : 'anything'}${count(schema.minItems, schema.maxItems, 'items')}`;
    case 'object':
      if (schema.properties) return 'object';
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        return `map of ${typeText(schema.additionalProperties as JsonSchema)}`;
      }
      return 'object';
    case undefined:
      return 'any';
    default:
      return type;
  }
}

function stringText(schema: JsonSchema): string {
  const format = schema.format as string | undefined;
  if (format === 'uri') return 'URL';
  if (format === 'date-time') return 'date-time';
  if (format === 'date') return 'date';
  if (format === 'email') return 'e-mail';
  if (typeof schema.pattern === 'string') return `string matching \`${schema.pattern}\``;
  return `string${count(schema.minLength, schema.maxLength, 'characters')}`;
}

/** zod's .int() says "a safe integer" with these bounds: no news to a reader. */
function range(rawMin: unknown, rawMax: unknown): string {
  const min = rawMin === Number.MIN_SAFE_INTEGER ? undefined : rawMin;
  const max = rawMax === Number.MAX_SAFE_INTEGER ? undefined : rawMax;
  if (typeof min === 'number' && typeof max === 'number') return ` ${min}–${max}`;
  if (typeof min === 'number') return ` ≥ ${min}`;
  if (typeof max === 'number') return ` ≤ ${max}`;
  return '';
}

function count(min: unknown, max: unknown, unit: string): string {
  if (min === 1 && max === undefined) return ', not empty';
  if (typeof min === 'number' && min > 0 && typeof max === 'number') return ` (${min}–${max} ${unit})`;
  if (typeof min === 'number' && min > 0) return ` (≥ ${min} ${unit})`;
  if (typeof max === 'number') return ` (≤ ${max} ${unit})`;
  return '';
}

export interface FieldRow {
  /** Dotted, with `[]` for array items: `children[].name`. */
  name: string;
  type: string;
  required: boolean;
  description: string | undefined;
  default: unknown;
}

/** The fields of an object schema, nested objects (and arrays of objects) flattened to dotted names. */
export function fieldRows(schema: JsonSchema, prefix = '', depth = 0): FieldRow[] {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (!properties) return [];
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const rows: FieldRow[] = [];
  for (const [key, property] of Object.entries(properties)) {
    const name = `${prefix}${key}`;
    rows.push({
      name,
      type: typeText(property),
      required: required.has(key),
      description: typeof property.description === 'string' ? property.description : undefined,
      default: property.default,
    });
    if (depth >= 3) continue;
    const alternatives = (property.anyOf ?? property.oneOf) as JsonSchema[] | undefined;
    const object = property.type === 'object' ? property : alternatives?.find((a) => a.type === 'object');
    if (object) rows.push(...fieldRows(object, `${name}.`, depth + 1));
    const items = property.items as JsonSchema | undefined;
    if (property.type === 'array' && items?.type === 'object')
      rows.push(...fieldRows(items, `${name}[].`, depth + 1));
  }
  return rows;
}
