import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generate, serialize } from '../../catalog/generate.ts';

const specPath = fileURLToPath(new URL('../../../shared/stripe-openapi/spec3.json', import.meta.url));
const committedPath = fileURLToPath(new URL('../../catalog/stripe-2023-08-16.json', import.meta.url));
// The spec lives beside the project (../shared), which a user's clone may not have; CI has it.
const haveSpec = existsSync(specPath);

describe.skipIf(!haveSpec)('catalog generator against the spec', () => {
  const spec = haveSpec ? JSON.parse(readFileSync(specPath, 'utf8')) : undefined;
  const catalog = haveSpec ? generate(spec) : undefined;

  it('regenerates the committed file byte for byte', () => {
    expect(serialize(catalog!)).toBe(readFileSync(committedPath, 'utf8'));
  });

  it('holds every resource of the spec', () => {
    const resources = Object.values(spec.components.schemas).filter((s: any) => s['x-resourceId']);
    expect(Object.keys(catalog!.resources)).toHaveLength(resources.length);
    expect(resources.length).toBe(131);
  });

  it('assigns every operation of the spec to exactly one resource', () => {
    const inSpec = Object.entries(spec.paths).flatMap(([path, item]: [string, any]) =>
      ['get', 'post', 'delete'].filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const inCatalog = Object.values(catalog!.resources).flatMap((r) =>
      r.operations.map((o) => `${o.method} ${o.path}`),
    );
    // No operation of this spec lacks a resource, so the exclusion list is empty.
    expect(catalog!.unassigned).toEqual([]);
    expect(inSpec).toHaveLength(468);
    expect([...inCatalog].sort()).toEqual([...inSpec].sort());
    expect(new Set(inCatalog).size).toBe(inCatalog.length);
  });

  it('keeps only facts: no descriptions', () => {
    expect(serialize(catalog!)).not.toMatch(/"description":\s*"/);
  });
});
