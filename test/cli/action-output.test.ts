/** `action PdfQuote` through the real CLI: --output writes the file, a pipe gets the bytes, a terminal is refused. */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../../src/actions/index.ts';
import { loadCatalog } from '../../src/catalog/index.ts';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { createEntity } from '../../src/entities/index.ts';
import { createGateway } from '../../src/gateway/index.ts';
import { runCli } from '../e2e/run.ts';

type Json = Record<string, any>;
let emulator: Emulator;
let env: Record<string, string>;
let quoteId: string;
const dir = mkdtempSync(join(tmpdir(), 'cli-pdf-'));

beforeAll(async () => {
  // Seed 8: the first fault draw after faults are switched on is a 500, the second is not.
  emulator = await startEmulator({ port: 0, randomSeed: 8 });
  env = { STRIPE_API_KEY: 'sk_test_cli_pdf', STRIPE_API_BASE: emulator.url };
  const ctx = {
    catalog: loadCatalog(),
    gateway: createGateway({ apiKey: env.STRIPE_API_KEY, baseUrl: emulator.url }),
  };
  try {
    const create = (entity: string, payload: Json) => createEntity(ctx, entity, payload) as Promise<Json>;
    const customer = await create('Customer', { name: 'Cli pdf' });
    const product = await create('Product', { name: 'Cli pdf product' });
    const price = await create('Price', { product: product.id, unit_amount: 700, currency: 'usd' });
    quoteId = (
      await create('Quote', { customer: customer.id, line_items: [{ price: price.id, quantity: 1 }] })
    ).id;
    await runAction(ctx, 'FinalizeQuote', { QuoteId: quoteId });
  } finally {
    await ctx.gateway.close();
  }
});
afterAll(() => emulator?.close());

const payload = () => JSON.stringify({ QuoteId: quoteId });

describe('action PdfQuote', () => {
  it('--output FILE writes the PDF and prints what it wrote', async () => {
    const file = join(dir, 'quote.pdf');
    const { code, stdout, stderr } = await runCli(
      ['action', 'PdfQuote', '--payload', payload(), '--output', file],
      env,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const written = readFileSync(file);
    expect(written.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(JSON.parse(stdout)).toEqual({ file, contentType: 'application/pdf', bytes: written.length });
  });

  it('with stdout redirected and no --output, the bytes go to stdout', async () => {
    const { code, stdout } = await runCli(['action', 'PdfQuote', '--payload', payload()], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^%PDF-1\.4\n[\s\S]*%%EOF\n$/);
  });

  it('--shape seed prints JSON without the bytes', async () => {
    const { code, stdout } = await runCli(
      ['action', 'PdfQuote', '--payload', payload(), '--shape', 'seed'],
      env,
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      { Success: 'true', ContentType: 'application/pdf', Bytes: expect.any(Number) },
    ]);
  });

  it('--shape seed --output FILE: the file gets the PDF bytes, stdout the seed summary', async () => {
    const file = join(dir, 'seed.pdf');
    const { code, stdout } = await runCli(
      ['action', 'PdfQuote', '--payload', payload(), '--shape', 'seed', '--output', file, '--json'],
      env,
    );
    expect(code).toBe(0);
    const written = readFileSync(file);
    expect(written.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(JSON.parse(stdout)).toEqual([
      { Success: 'true', ContentType: 'application/pdf', Bytes: written.length },
    ]);
  });

  it('retries the download after an injected 500', async () => {
    const file = join(dir, 'retried.pdf');
    emulator.clearRequests();
    emulator.setConditions({ faults: '500:0.5' });
    try {
      const { code, stderr } = await runCli(
        ['action', 'PdfQuote', '--payload', payload(), '--output', file],
        {
          ...env,
          STRIPE_VERBOSITY: '3',
        },
      );
      expect(code).toBe(0);
      expect(stderr).toMatch(
        /retrying GET \/v1\/quotes\/qt_\w+\/pdf in \d+ ms \(server_error, attempt 2 of 5\)/,
      );
      expect(stderr).not.toContain('sk_test_cli_pdf');
    } finally {
      emulator.setConditions({ faults: undefined });
    }
    expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(emulator.requests.filter((r) => r.path.endsWith('/pdf')).map((r) => r.status)).toEqual([500, 200]);
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)('refuses to write the file to a terminal, before any call', async () => {
    const bin = fileURLToPath(new URL('../../bin/stripe-connector.js', import.meta.url));
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, bin, 'action', 'PdfQuote', '--payload', payload()]
      .map(quote)
      .join(' ');
    emulator.clearRequests();
    // `script` runs the CLI with a pseudo-terminal as its stdout.
    const result = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(
        'script',
        ['-qec', command, '/dev/null'],
        { env: { ...process.env, ...env } },
        (error, stdout) => resolve({ code: error ? Number(error.code) : 0, out: stdout }),
      ),
    );
    expect(result.code).toBe(2);
    expect(result.out).toMatch(/error INVALID_ARGUMENT: PdfQuote returns a file: pass --output FILE/);
    expect(emulator.requests).toHaveLength(0);
  });

  it('--output for a JSON action writes the JSON', async () => {
    const file = join(dir, 'customer.json');
    const { code, stdout } = await runCli(
      ['action', 'CreateCustomer', '--payload', '{"Name":"Out"}', '--output', file],
      env,
    );
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ object: 'customer', name: 'Out' });
    expect(JSON.parse(stdout)).toMatchObject({ file, contentType: 'application/json' });
  });
});
