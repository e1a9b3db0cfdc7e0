// docs/api.md's generated part: the coordinators' API as its OpenAPI document (lib/api/openapi.ts)
// describes it, built from the very routes the coordinator-api function serves.
import { openApiDocument } from '#lib/api/openapi.ts';
import type { Route } from '#lib/api/router.ts';
import { apiSettings } from '#lib/config/api.ts';
import { loadConfig } from '#lib/config/core.ts';
import { createLogger } from '#lib/observability/logger.ts';
import {
  createCoordinatorApiDependencies,
  createCoordinatorApiOptions,
} from '#lib/wiring/coordinator-api.ts';
import { fieldRows, type JsonSchema, typeText } from './json-schema-text.ts';
import { anchor, cell, code } from './markdown.ts';

/**
 * The routes of the coordinator-api function, wired as `functions/coordinator-api.ts` wires them, with
 * local settings. Building them opens no connection: nothing here is called.
 */
export function coordinatorApiRoutes(): Route[] {
  const env = { LIANXIN_ENV: 'local' };
  const config = loadConfig(env);
  const deps = createCoordinatorApiDependencies(config, createLogger('docs'));
  return createCoordinatorApiOptions(apiSettings(config, env), deps).routes;
}

interface Operation {
  summary?: string;
  parameters?: { name: string; in: string; required: boolean; description?: string; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>;
  security?: unknown[];
}

export function apiSection(
  document: Record<string, unknown> = openApiDocument(coordinatorApiRoutes()),
): string {
  const info = document.info as { title: string; version: string; description?: string };
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const out: string[] = [];
  out.push(`**${info.title}**, version ${info.version}, OpenAPI ${String(document.openapi)}.`);
  if (info.description) out.push('', info.description);
  out.push('', '| method | path | what |', '|---|---|---|');
  const operations = Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );
  for (const { path, method, op } of operations) {
    out.push(`| ${method} | [${code(path)}](#${anchor(`${method} ${path}`)}) | ${cell(op.summary ?? '')} |`);
  }
  for (const { path, method, op } of operations) {
    out.push('', `### ${method} ${path}`, '');
    if (op.summary) out.push(op.summary, '');
    out.push(
      Array.isArray(op.security) && op.security.length === 0
        ? 'No token needed.'
        : "Needs a coordinator's bearer token (JWT).",
    );
    if (op.parameters?.length) {
      out.push('', '| parameter | in | required | type | meaning |', '|---|---|---|---|---|');
      for (const p of op.parameters) {
        out.push(
          `| ${code(p.name)} | ${p.in} | ${p.required ? 'yes' : 'no'} | ${cell(typeWithDefault(p.schema))} | ${cell(p.description ?? '')} |`,
        );
      }
    }
    for (const [contentType, { schema }] of Object.entries(op.requestBody?.content ?? {})) {
      const table = fieldTable(schema);
      out.push('', `Request body (${code(contentType)})${table.length > 0 ? ':' : `: ${typeText(schema)}.`}`);
      out.push(...table);
    }
    for (const [status, response] of Object.entries(op.responses)) {
      if (status !== '200') continue;
      for (const [contentType, { schema }] of Object.entries(response.content ?? {})) {
        out.push('', `Response 200 (${code(contentType)}): ${response.description}`);
        out.push(...fieldTable(schema));
      }
    }
    const errors = Object.entries(op.responses).filter(([status]) => status !== '200');
    if (errors.length > 0) {
      out.push('', `Errors: ${errors.map(([status, r]) => `${status} (${r.description})`).join(', ')}.`);
    }
  }
  return out.join('\n');
}

function fieldTable(schema: JsonSchema): string[] {
  const rows = fieldRows(schema);
  if (rows.length === 0) return [];
  return [
    '',
    '| field | type | required | meaning |',
    '|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${code(r.name)} | ${cell(typeWithDefault({ ...(r.default === undefined ? {} : { default: r.default }) }, r.type))} | ${r.required ? 'yes' : 'no'} | ${cell(r.description ?? '')} |`,
    ),
  ];
}

function typeWithDefault(schema: JsonSchema, type?: string): string {
  const text = type ?? fieldRows({ properties: { x: schema } })[0]?.type ?? '';
  return 'default' in schema ? `${text}, default ${JSON.stringify(schema.default)}` : text;
}
