/**
 * One gateway per integration, made when its first job runs and remade when its key reference
 * resolves to another value (a key fixed in the environment or file while the worker runs).
 */
import type { Gateway } from '../gateway/index.ts';
import type { Store } from '../store/index.ts';
import { getIntegration, type IntegrationDefinition } from './integrations.ts';
import { integrationConnection, integrationGateway, type KeyContext } from './keys.ts';

export class GatewayPool {
  private readonly open = new Map<string, { apiKey: string; gateway: Gateway }>();

  constructor(
    private readonly store: Store,
    private readonly ctx: KeyContext,
  ) {}

  async get(integration: string): Promise<Gateway> {
    const d: IntegrationDefinition = (await getIntegration(this.store, integration)).definition;
    const connection = integrationConnection(integration, d.secretKey, this.ctx, d.baseUrl);
    const cached = this.open.get(integration);
    if (cached?.apiKey === connection.apiKey) return cached.gateway;
    await cached?.gateway.close();
    const gateway = integrationGateway(connection, this.ctx);
    this.open.set(integration, { apiKey: connection.apiKey, gateway });
    return gateway;
  }

  async close(): Promise<void> {
    await Promise.all([...this.open.values()].map((g) => g.gateway.close()));
    this.open.clear();
  }
}
