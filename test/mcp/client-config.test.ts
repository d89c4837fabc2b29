import { describe, expect, it } from 'vitest';
import { mcpClientConfig } from '../../src/mcp/index.ts';

describe('mcpClientConfig', () => {
  it('is the mcpServers snippet: npx by default, a placeholder key, the emulator base', () => {
    expect(mcpClientConfig({ apiBase: 'http://127.0.0.1:12111' })).toEqual({
      mcpServers: {
        'stripe-connector': {
          command: 'npx',
          args: ['-y', 'stripe-connector', 'mcp'],
          env: { STRIPE_API_KEY: 'sk_test_...', STRIPE_API_BASE: 'http://127.0.0.1:12111' },
        },
      },
    });
  });

  it('passes the flags, and runs a clone’s bin with node', () => {
    const config = mcpClientConfig({
      projectDir: '/src/stripe-connector',
      connectionFile: '/etc/stripe.yaml',
      allowWrites: true,
      maxRows: 50,
    });
    expect(config.mcpServers['stripe-connector']).toEqual({
      command: 'node',
      args: [
        '/src/stripe-connector/bin/stripe-connector.js',
        'mcp',
        '--connection',
        '/etc/stripe.yaml',
        '--allow-writes',
        '--max-rows',
        '50',
      ],
      env: {},
    });
  });
});
