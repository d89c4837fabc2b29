/**
 * THE request pipeline to Stripe. Every call from every layer passes through `Gateway.request`.
 * (Minimal first version: one SDK client per connection and idempotency keys; throttle, retries,
 * proxies and logging land in the connections issue behind this same interface.)
 */
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { DEFAULT_API_VERSION } from '../catalog/index.ts';
import type { Gateway, GatewayRequest } from './types.ts';

export type { Gateway, GatewayRequest, HttpMethod } from './types.ts';

export interface BasicGatewayOptions {
  apiKey: string;
  baseUrl?: string;
  accountId?: string;
  apiVersion?: string;
}

export function createGateway(options: BasicGatewayOptions): Gateway {
  const base = options.baseUrl ? new URL(options.baseUrl) : undefined;
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  const stripe = new Stripe(options.apiKey, {
    apiVersion: apiVersion as Stripe.LatestApiVersion,
    telemetry: false,
    maxNetworkRetries: 0,
    appInfo: { name: 'stripe-connector' },
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol.replace(':', '') as 'http' | 'https',
        }
      : {}),
  });
  return {
    mode: options.apiKey.includes('_live_') ? 'live' : 'test',
    apiVersion,
    async request<T>(req: GatewayRequest): Promise<T> {
      const idempotencyKey = req.method === 'POST' ? (req.idempotencyKey ?? randomUUID()) : undefined;
      const account = req.stripeAccount ?? options.accountId;
      return (await stripe.rawRequest(req.method, req.path, (req.params ?? {}) as any, {
        ...(idempotencyKey ? { idempotencyKey } : {}),
        ...(account ? { stripeAccount: account } : {}),
      })) as T;
    },
    async close() {},
  };
}
