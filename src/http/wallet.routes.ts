import { z } from 'zod';
import { findTicket } from '../db/repos/tickets.repo.js';
import { notFound } from '../domain/errors.js';
import type { AppDeps } from '../services/deps.js';
import { buildApplePass, googleSaveUrl } from '../services/wallet/pass-updates.service.js';
import { walletTicket } from '../services/wallet/wallet-pass.service.js';
import { authenticate, callerOf, requireTicketAccess } from './auth.js';
import { ALWAYS, errors } from './responses.js';
import type { ZodApp } from './routes.types.js';
import { idParams, tokenQuery } from './schemas.js';
import { BUYER_OR_QUERY } from './security.js';

/** A ticket in the holder's phone wallet (issue 20): Apple's `.pkpass`, Google's save link, each only where configured. */
export function walletRoutes(app: ZodApp, deps: AppDeps): void {
  const withToken = authenticate(deps, undefined, "the ticket's holder's token");
  const holderOnly = async (request: Parameters<typeof callerOf>[1], ticketId: string) =>
    requireTicketAccess(await callerOf(deps, request), await findTicket(deps.database.db, ticketId), {
      ownerToo: true,
    });

  app.get(
    '/api/v1/tickets/:id/wallet.pkpass',
    {
      onRequest: withToken,
      schema: {
        tags: ['buying'],
        summary:
          "The ticket as an Apple Wallet pass (its barcode the ticket's own code); 404 where Apple Wallet is not set up",
        security: BUYER_OR_QUERY,
        params: idParams,
        querystring: tokenQuery,
        produces: ['application/vnd.apple.pkpass', 'application/json'],
        response: { 200: z.any().describe('application/vnd.apple.pkpass'), ...errors(401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      await holderOnly(request, request.params.id);
      // Not configured answers so before anything about the ticket (an unpaid one's 409).
      if (!deps.wallets.apple) throw notFound('Apple Wallet (not set up here)');
      const pass = buildApplePass(deps, await walletTicket(deps.database.db, deps.keys, request.params.id));
      return reply
        .type('application/vnd.apple.pkpass')
        .header('content-disposition', 'attachment; filename="ticket.pkpass"')
        .header('cache-control', 'private, no-store')
        .send(pass);
    },
  );

  app.get(
    '/api/v1/tickets/:id/wallet/google',
    {
      onRequest: withToken,
      schema: {
        tags: ['buying'],
        summary:
          "A 'Save to Google Wallet' link for the ticket (a JWT signed with the owner's service-account key); 404 where Google Wallet is not set up",
        security: BUYER_OR_QUERY,
        params: idParams,
        querystring: tokenQuery,
        response: { 200: z.object({ save_url: z.string() }), ...errors(401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request) => {
      await holderOnly(request, request.params.id);
      if (!deps.wallets.google) throw notFound('Google Wallet (not set up here)');
      return {
        save_url: await googleSaveUrl(deps, await walletTicket(deps.database.db, deps.keys, request.params.id)),
      };
    },
  );
}
