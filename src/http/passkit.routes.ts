import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../services/deps.js';
import { changedPasses, latestPass, registerPass, unregisterPass } from '../services/wallet/pass-updates.service.js';
import { clientNetwork } from './client-address.js';
import { ALWAYS, errors } from './responses.js';
import type { ZodApp } from './routes.types.js';
import { PUBLIC } from './security.js';

// Apple's names for the path parts; the pass's own token is the credential (ApplePass scheme).
const device = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/);
const passType = z.string().regex(/^pass\.[A-Za-z0-9.-]{1,120}$/);
const serial = z.string().min(1).max(64);
const registrationParams = z.object({ device, pass_type: passType, serial });
const APPLE_PASS = [{ applePass: [] }];

/**
 * Apple Wallet's web service (the "Wallet Passes web service" protocol) under the passes'
 * `webServiceURL`, `/api/passkit`: phones register for a pass's updates, ask which passes
 * changed, fetch a pass again, and report problems. Only where Apple Wallet is configured.
 */
export function passkitRoutes(app: ZodApp, deps: AppDeps): void {
  const auth = (r: FastifyRequest) => r.headers.authorization;
  const tags = ['wallet'];

  app.post(
    '/api/passkit/v1/devices/:device/registrations/:pass_type/:serial',
    {
      schema: {
        tags,
        summary: "A phone registers for a pass's updates (Authorization: ApplePass <the pass's token>)",
        security: APPLE_PASS,
        params: registrationParams,
        body: z.object({ pushToken: z.string().regex(/^[A-Za-z0-9._-]{1,256}$/) }),
        response: { 201: z.object({}), 200: z.object({}), ...errors(400, 401, 404, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const p = request.params;
      const created = await registerPass(deps, {
        deviceId: p.device,
        passTypeId: p.pass_type,
        serial: p.serial,
        authorization: auth(request),
        pushToken: request.body.pushToken,
      });
      return reply.status(created ? 201 : 200).send({});
    },
  );

  app.delete(
    '/api/passkit/v1/devices/:device/registrations/:pass_type/:serial',
    {
      schema: {
        tags,
        summary: 'The pass was removed from that phone: no more updates to it',
        security: APPLE_PASS,
        params: registrationParams,
        response: { 200: z.object({}), ...errors(400, 401, 404, ...ALWAYS) },
      },
    },
    async (request) => {
      const p = request.params;
      await unregisterPass(deps, {
        deviceId: p.device,
        passTypeId: p.pass_type,
        serial: p.serial,
        authorization: auth(request),
      });
      return {};
    },
  );

  app.get(
    '/api/passkit/v1/devices/:device/registrations/:pass_type',
    {
      schema: {
        tags,
        summary: "The serials of a phone's passes that changed since its last tag; 204 when none did",
        security: PUBLIC,
        params: z.object({ device, pass_type: passType }),
        querystring: z.object({ passesUpdatedSince: z.string().max(32).optional() }),
        response: {
          200: z.object({ serialNumbers: z.array(z.string()), lastUpdated: z.string() }),
          204: z.null().describe('no pass changed'),
          ...errors(400, 404, ...ALWAYS),
        },
      },
    },
    async (request, reply) => {
      const changed = await changedPasses(deps, {
        deviceId: request.params.device,
        passTypeId: request.params.pass_type,
        since: request.query.passesUpdatedSince,
      });
      return changed ? changed : reply.status(204).send(null);
    },
  );

  app.get(
    '/api/passkit/v1/passes/:pass_type/:serial',
    {
      schema: {
        tags,
        summary: 'The pass as it is now (the earlier holder of a transferred ticket gets their own pass, void)',
        security: APPLE_PASS,
        params: z.object({ pass_type: passType, serial }),
        produces: ['application/vnd.apple.pkpass', 'application/json'],
        response: { 200: z.any().describe('application/vnd.apple.pkpass'), ...errors(400, 401, 404, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const pass = await latestPass(deps, {
        passTypeId: request.params.pass_type,
        serial: request.params.serial,
        authorization: auth(request),
      });
      return reply
        .type('application/vnd.apple.pkpass')
        .header('last-modified', new Date().toUTCString())
        .header('cache-control', 'no-store')
        .send(pass);
    },
  );

  app.post(
    '/api/passkit/v1/log',
    {
      config: {
        rateLimit: {
          max: 60,
          timeWindow: 60_000,
          keyGenerator: (r: FastifyRequest) => `passkit-log:${clientNetwork(r.ip)}`,
        },
      },
      schema: {
        tags,
        summary: 'Problems a phone met with a pass (logged for the operator)',
        security: PUBLIC,
        body: z.object({ logs: z.array(z.string().max(1000)).max(50) }),
        response: { 200: z.object({}), ...errors(400, 429, ...ALWAYS) },
      },
    },
    async (request) => {
      for (const line of request.body.logs)
        request.log.warn({ wallet: line.slice(0, 300) }, 'Apple Wallet reported a problem with a pass');
      return {};
    },
  );
}
