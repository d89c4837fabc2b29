/** The OpenAPI document generated from the route schemas, and its UI from local assets only. */
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

export /** The OpenAPI document from the route schemas (/openapi.json) and the bundled UI (/docs). */
async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'stripe-connector',
        version: '0.1.0',
        description:
          'Stripe entities, queries and actions over HTTP. Errors: { error: { code, message, field?, position?, request_id } }.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token (sct_…)' } },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  // The UI and its assets carry no data; the document describes the API, not an account.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...route.config, access: 'public' };
  });
  // Served from the package's own copy of swagger-ui: nothing is fetched from a CDN.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { validatorUrl: null, deepLinking: true },
    uiHooks: {},
    staticCSP: false,
    logo: null,
  } as any);
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}
