// Every 4xx/5xx body is an ApiError `{code, message, fields?}`: the code for the program,
// the message for a person, fields for a form.
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ApiError } from '../shared/sync-protocol';
import { isTransientDbError } from './db';

/** Thrown by a route to answer with this status and body. */
export class ApiFailure extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: ApiError & Record<string, unknown>,
  ) {
    super(body.message);
  }
}

export const unauthenticated = (message = 'Sign in first.') =>
  new ApiFailure(401, { code: 'UNAUTHENTICATED', message });

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiFailure) return reply.code(error.statusCode).send(error.body);
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where: string = error.validationContext ?? 'body';
      const fields = error.validation.map((issue) => ({
        path: issue.instancePath.replace(/^\//, '').replaceAll('/', '.') || where,
        // Shared schemas carry codes as messages (PHONE_INVALID); otherwise zod's issue code.
        code: /^[A-Z][A-Z0-9_]*$/.test(issue.message ?? '') ? issue.message! : issue.keyword,
      }));
      const named = fields.map((field) => `${field.path} (${field.code})`).join(', ');
      return reply
        .code(400)
        .send({ code: 'VALIDATION', message: `Invalid ${where}: ${named}`, fields });
    }
    if (isTransientDbError(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      return reply
        .code(503)
        .send({ code: 'UNAVAILABLE', message: 'The case database is unavailable; try again.' });
    }
    // SQLSTATE class 22 (data exception: a NUL in text, a number out of range) is input the
    // database refuses: the caller's to fix, never a server failure.
    if (/^22[0-9A-Z]{3}$/.test(String((error as { code?: unknown }).code))) {
      return reply
        .code(400)
        .send({ code: 'INVALID_DATA', message: 'The database refused the data as given.' });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own refusals: malformed JSON, body too large, wrong content type.
      return reply.code(status).send({ code: error.code ?? 'BAD_REQUEST', message: error.message });
    }
    request.log.error({ err: error }, 'unexpected failure');
    return reply.code(500).send({ code: 'INTERNAL', message: 'Unexpected server error.' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ code: 'NOT_FOUND', message: `No route ${request.method} ${request.url}` }),
  );
}
