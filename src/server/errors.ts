/**
 * One error format for every route: `{ error: { code, message, field?, position?, request_id } }`
 * with the status from the error table. Fastify's own failures (validation, body limits, unknown
 * routes) are mapped to it; anything else is INTERNAL, logged with its stack, answered without.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConnectorError, ERROR_CODES, type ErrorCode } from '../errors.ts';

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'request_id'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        field: { type: 'string' },
        position: { type: 'integer' },
        request_id: { type: 'string' },
      },
    },
  },
} as const;

export interface ErrorBody {
  error: { code: string; message: string; field?: string; position?: number; request_id: string };
}

/** Fastify's validation messages name the part (`body/limit`); ours name the field (`limit`). */
function fromValidation(error: FastifyError): ServerErrorLike {
  const first = error.validation![0];
  const params = first.params as Record<string, unknown>;
  const base = first.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const leaf = (params.missingProperty ?? params.additionalProperty) as string | undefined;
  const field = [base, leaf].filter(Boolean).join('.') || String(error.validationContext ?? 'body');
  const where = error.validationContext ?? 'body';
  const why =
    params.additionalProperty !== undefined ? 'is not a known parameter' : (first.message ?? 'is invalid');
  const code: ErrorCode = params.missingProperty !== undefined ? 'MISSING_FIELD' : 'INVALID_ARGUMENT';
  return { code, message: `${where} ${field}: ${why}`, details: { field } };
}

interface ServerErrorLike {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

function classify(error: FastifyError | Error): ServerErrorLike | undefined {
  if (error instanceof ConnectorError) return error;
  const fe = error as FastifyError;
  if (fe.validation?.length) return fromValidation(fe);
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'PAYLOAD_TOO_LARGE', message: 'the request body is larger than allowed', details: {} };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the body as application/json', details: {} };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'INVALID_ARGUMENT', message: 'the body is not valid JSON', details: { field: 'body' } };
  }
  if (fe.statusCode === 429)
    return { code: 'RATE_LIMITED', message: fe.message || 'too many requests', details: {} };
  if (/^Unexpected token|JSON/.test(fe.message ?? '') && fe.statusCode === 400)
    return { code: 'INVALID_ARGUMENT', message: 'the body is not valid JSON', details: { field: 'body' } };
  return undefined;
}

export function errorBody(e: ServerErrorLike, requestId: string): ErrorBody {
  const field = e.details.field ?? e.details.key;
  const position = e.details.position;
  return {
    error: {
      code: e.code,
      message: e.message,
      ...(typeof field === 'string' ? { field } : {}),
      ...(typeof position === 'number' ? { position } : {}),
      request_id: requestId,
    },
  };
}

export function sendError(reply: FastifyReply, request: FastifyRequest, e: ServerErrorLike): FastifyReply {
  return reply.code(ERROR_CODES[e.code].status).type('application/json').send(errorBody(e, request.id));
}

export function installErrorHandling(app: FastifyInstance): void {
  app.addSchema(errorSchema);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = classify(error);
    if (known) {
      if (ERROR_CODES[known.code].status >= 500) request.log.error({ code: known.code }, known.message);
      return sendError(reply, request, known);
    }
    // Not ours: the stack goes to the log (redacted there), the client gets the code and the id.
    request.log.error({ err: error }, 'unexpected error');
    return sendError(reply, request, {
      code: 'INTERNAL',
      message: `internal error; quote request ${request.id} when reporting it`,
      details: {},
    });
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, request, {
      code: 'NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
      details: {},
    }),
  );
}

/**
 * Errors Fastify meets before routing (a path whose %-encoding is not UTF-8, an id header it cannot
 * read): answered in the one error format too.
 */
export function frameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const badUrl = error.code === 'FST_ERR_BAD_URL';
  void sendError(reply, request, {
    code: 'INVALID_ARGUMENT',
    message: badUrl ? 'the URL path is not well-formed: its %-escapes are not UTF-8 text' : error.message,
    details: { field: badUrl ? 'path' : 'request' },
  });
}
