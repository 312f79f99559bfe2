// The admin API's routes as data: method, path, zod schemas for the body and the query, and a
// handler. The same table builds the express router (validation included) and the OpenAPI 3.1
// document, so the description cannot drift from what the server checks.
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError, pointer } from '../../errors.ts';

export interface AdminLocals { actor: string }

export interface Reply { status?: number; body?: unknown; etag?: string; headers?: Record<string, string>; type?: string }

export interface RouteContext<B, Q> {
  params: Record<string, string>;
  body: B;
  query: Q;
  ifMatch: string | undefined;
  actor: string;
  req: Request;
}

export interface ApiRoute<B = unknown, Q = unknown> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express path under /admin/api (`/flows/:id`). */
  path: string;
  summary: string;
  tag: string;
  body?: z.ZodType<B>;
  /** The body may also be YAML text (imports). */
  yaml?: boolean;
  query?: z.ZodType<Q>;
  /** Mutations say they need If-Match (documented; the service enforces it). */
  ifMatch?: boolean;
  /** Success status and what it returns (for the document). */
  ok?: { status: number; description: string; schema?: z.ZodType };
  handler(ctx: RouteContext<B, Q>): Promise<Reply>;
}

export const route = <B = unknown, Q = unknown>(r: ApiRoute<B, Q>): ApiRoute => r as unknown as ApiRoute;

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: 'body' | 'query'): T {
  if (!schema) return value as T;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => ({ pointer: pointer(i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))), detail: i.message }));
  throw new AppError(where === 'body' ? 422 : 400, where === 'body' ? 'invalid_document' : 'invalid_query', {
    detail: `the ${where} is not valid: ${fields[0]!.pointer || '(root)'}: ${fields[0]!.detail}`, fields,
  });
}

const json = express.json({ limit: '256kb', strict: false, type: ['application/json', 'application/*+json'] });
const yamlText = express.text({ limit: '256kb', type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'] });

export function mountRoutes(routes: readonly ApiRoute[]): Router {
  const router = Router();
  for (const r of routes) {
    const handlers = [json, ...(r.yaml ? [yamlText] : [])];
    router[r.method](r.path, ...handlers, async (req: Request, res: Response) => {
      const hasBody = r.method === 'post' || r.method === 'put';
      if (hasBody && r.body && req.body === undefined && !(r.yaml && typeof req.body === 'string')) {
        throw new AppError(415, 'unsupported_media_type', { detail: `send the body as application/json${r.yaml ? ' or application/yaml' : ''}` });
      }
      const body = typeof req.body === 'string' && r.yaml ? req.body : parse(r.body, req.body, 'body');
      const reply = await r.handler({
        params: req.params as Record<string, string>,
        body,
        query: parse(r.query, req.query, 'query'),
        ifMatch: req.get('if-match'),
        actor: (res.locals as { admin?: AdminLocals }).admin?.actor ?? 'unknown',
        req,
      });
      res.status(reply.status ?? 200).set('cache-control', 'no-store').set(reply.headers ?? {});
      if (reply.etag) res.set('etag', reply.etag);
      if (reply.body === undefined) return void res.end();
      if (typeof reply.body === 'string') return void res.type(reply.type ?? 'text/plain').send(reply.body);
      res.json(reply.body);
    });
  }
  return router;
}

/** A zod schema as JSON Schema (draft 2020-12, the input side): for the OpenAPI document and the catalogues. */
export const jsonSchemaOf = (schema: z.ZodType) => {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

/** The OpenAPI 3.1 document of the routes (served at /admin/api/openapi.json). */
export function openApiDocument(routes: readonly ApiRoute[], issuer: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  const problem = { description: 'RFC 9457 problem document', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = r.query ? Object.entries((jsonSchemaOf(r.query).properties ?? {}) as Record<string, unknown>)
      .map(([name, schema]) => ({ name, in: 'query', required: false, schema })) : [];
    const ifMatch = r.ifMatch ? [{ name: 'If-Match', in: 'header', required: true, schema: { type: 'string' }, description: 'the ETag from the last GET' }] : [];
    paths[path] ??= {};
    paths[path]![r.method] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method}${r.path.replace(/[/:](\w)/g, (_m, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
      parameters: [...params, ...query, ...ifMatch],
      ...(r.body ? {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: jsonSchemaOf(r.body) }, ...(r.yaml ? { 'application/yaml': { schema: { type: 'string' } } } : {}) },
        },
      } : {}),
      responses: {
        [String(r.ok?.status ?? 200)]: { description: r.ok?.description ?? 'OK', ...(r.ok?.schema ? { content: { 'application/json': { schema: jsonSchemaOf(r.ok.schema) } } } : {}) },
        400: problem, 401: problem, 403: problem, 404: problem,
        ...(r.ifMatch ? { 412: problem, 428: problem } : {}),
        ...(r.body ? { 409: problem, 422: problem } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'flowgate admin API', version: '1' },
    servers: [{ url: `${issuer}/admin/api` }],
    security: [{ bearer: ['admin'] }],
    components: {
      securitySchemes: {
        bearer: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: `${issuer}/token`, scopes: { admin: 'administer flowgate' } } } },
      },
      schemas: {
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, instance: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', properties: { pointer: { type: 'string' }, detail: { type: 'string' } } } },
          },
        },
      },
    },
    paths,
  };
}
