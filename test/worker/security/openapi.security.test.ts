/**
 * The API document is complete: every operation named, every request body and one 2xx answer of every
 * operation with an example, the error envelope and the models as shared components. A new route without
 * them fails here (and Redocly checks the examples against the schemas in `npm run lint:openapi`).
 */
import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../harness';

interface MediaType {
  schema?: Json;
  example?: unknown;
  examples?: Record<string, unknown>;
}
interface Operation {
  operationId?: string;
  requestBody?: { content?: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
}

let doc: {
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
};
let operations: { label: string; op: Operation }[];

beforeAll(async () => {
  doc = (await (await SELF.fetch('http://handoff/openapi.json')).json()) as typeof doc;
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ label: `${method.toUpperCase()} ${path}`, op })),
  );
});

const hasExample = (m: MediaType | undefined) =>
  m !== undefined && (m.example !== undefined || Object.keys(m.examples ?? {}).length > 0);

describe('the OpenAPI document', () => {
  it('describes its own server', () => {
    expect(doc.servers?.[0]?.url).toBe('http://handoff');
  });

  it('names every operation with a unique camelCase operationId', () => {
    expect(operations.length).toBeGreaterThan(20);
    const missing = operations.filter(({ op }) => !op.operationId).map((o) => o.label);
    expect(missing, 'operations without an operationId').toEqual([]);
    const ids = operations.map(({ op }) => op.operationId!);
    expect(new Set(ids).size, 'operationIds must be unique').toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9]*$/);
  });

  it('has an example for every request body', () => {
    const missing = operations
      .filter(({ op }) => op.requestBody)
      .filter(({ op }) => !Object.values(op.requestBody?.content ?? {}).some(hasExample))
      .map((o) => o.label);
    expect(missing, 'request bodies without an example').toEqual([]);
    expect(operations.filter(({ op }) => op.requestBody).length).toBeGreaterThan(10);
  });

  it('has an example on a 2xx response of every operation', () => {
    // An answer without a body (204) has nothing to show; a redirect shows where it sends the browser.
    const bodiless = (status: string, r: Json) =>
      status === '204' || (/^30\d$/.test(status) && r.headers?.location?.schema?.example !== undefined);
    const missing = operations
      .filter(({ op }) =>
        Object.entries(op.responses)
          .filter(([status]) => /^[23]\d\d$/.test(status))
          .every(([status, r]) => !bodiless(status, r) && !Object.values(r.content ?? {}).some(hasExample)),
      )
      .map((o) => o.label);
    expect(missing, 'operations without an example 2xx answer').toEqual([]);
  });

  it('shares the error envelope and the models as components, referenced by $ref', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'ErrorEnvelope',
        'ActivationView',
        'Readiness',
        'ExceptionView',
        'Approval',
        'Connection',
        'Amendment',
        'AmendmentChanges',
        'Money',
        'TenantPolicy',
      ]),
    );
    for (const { label, op } of operations) {
      for (const [status, r] of Object.entries(op.responses)) {
        if (!/^[45]\d\d$/.test(status)) continue;
        expect(r.content?.['application/json']?.schema, `${label} ${status}`).toEqual({
          $ref: '#/components/schemas/ErrorEnvelope',
        });
      }
    }
    const json = JSON.stringify(doc.paths);
    expect(json).toContain('"#/components/schemas/ActivationView"');
    expect(json).toContain('"#/components/schemas/Readiness"');
  });

  it('declares every security scheme an operation uses', () => {
    const used = new Set(
      operations.flatMap(({ op }) =>
        ((op as unknown as { security?: Record<string, string[]>[] }).security ?? []).flatMap(Object.keys),
      ),
    );
    for (const name of used) expect(doc.components.securitySchemes, name).toHaveProperty(name);
  });
});
