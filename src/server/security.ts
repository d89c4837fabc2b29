/**
 * What stands in front of every route: security headers, CORS (only for configured origins), token
 * auth, and the per-token rate limit.
 */
import type { FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { installAuth, type OwnerResolvers } from './auth.ts';
import { ConnectorError } from '../errors.ts';
import type { ServerConfig } from './config.ts';
import type { TokenRepo } from './ports.ts';

export async function registerSecurity(
  app: FastifyInstance,
  config: ServerConfig,
  tokens: TokenRepo,
  owners: OwnerResolvers,
): Promise<void> {
  // HSTS and upgrade-insecure-requests belong to the TLS front (a proxy) when there is one: on the
  // default plain-HTTP listener they would make browsers fetch the docs' assets over https.
  await app.register(helmet, {
    hsts: false,
    contentSecurityPolicy: {
      directives: {
        upgradeInsecureRequests: null,
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
      },
    },
  });
  if (config.cors) await app.register(cors, { origin: config.cors.origins });
  installAuth(app, tokens, owners);
  await app.register(rateLimit, {
    global: true,
    // After auth (onRequest), so the key is the token, not the address a proxy shares.
    hook: 'preHandler',
    max: config.limits.rateLimit.max,
    timeWindow: config.limits.rateLimit.windowMs,
    keyGenerator: (request) => request.token?.id ?? request.ip,
    errorResponseBuilder: (_request, context) =>
      new ConnectorError('RATE_LIMITED', `too many requests: at most ${context.max} per ${context.after}`),
  });
}
