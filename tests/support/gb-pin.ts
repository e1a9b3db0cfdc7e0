import { issueLocalToken } from '#lib/api/auth.ts';
import { encodeRef } from '#lib/api/coordinator-api.ts';
import { createCoordinatorApiHandler } from '#lib/api/handler.ts';
import { apiSettings } from '#lib/config/api.ts';
import type { Config } from '#lib/config/core.ts';
import { createLogger } from '#lib/observability/logger.ts';
import type { Adapters } from '#lib/wiring/adapters.ts';
import {
  createCoordinatorApiDependencies,
  createCoordinatorApiOptions,
} from '#lib/wiring/coordinator-api.ts';
import { invokeApi } from '#tests/support/api-event.ts';

/** Sets a coordinator's GB PIN as the console does: POST /api/contacts/{id}/gb-pin with a centre token. */
export async function setGbPin(
  config: Config,
  adapters: Adapters,
  coordinator: { centreId: string; contactId: string },
  pin: string,
): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  const settings = apiSettings(config);
  if (settings.auth.mode !== 'local') throw new Error('expected local auth');
  const token = await issueLocalToken(settings.auth.signingKey, {
    subject: 'centre-admin',
    centres: [coordinator.centreId],
  });
  const logger = createLogger('test-gb-pin');
  logger.setLogLevel('SILENT');
  const api = createCoordinatorApiHandler(
    createCoordinatorApiOptions(settings, createCoordinatorApiDependencies(config, logger, adapters)),
  );
  const id = encodeRef('contact', coordinator.centreId, coordinator.contactId);
  const result = await invokeApi(api, `/api/contacts/${id}/gb-pin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ pin }),
  });
  return { statusCode: result.statusCode ?? 0, body: JSON.parse(result.body ?? '{}') };
}
