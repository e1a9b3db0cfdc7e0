import type { Server } from 'node:http';
import { LocalOutbox } from '#lib/channels/local-outbox.ts';
import type { createStatusWebhookHandler } from '#lib/http/twilio-status-webhook.ts';
import { startLocalServer } from '#lib/local/local-server.ts';

type StatusHandler = ReturnType<typeof createStatusWebhookHandler>;

/**
 * The status webhook served as `npm start` serves it, so the fake Twilio's callbacks reach it. The
 * handler is set once the config (which needs this server's port for PUBLIC_URL) exists.
 */
export async function startStatusCallbackServer(): Promise<{
  server: Server;
  port: number;
  setHandler(handler: StatusHandler): void;
}> {
  let statusHandler: StatusHandler | undefined;
  const local = await startLocalServer({
    port: 0,
    outbox: new LocalOutbox(),
    routes: [
      {
        method: 'POST',
        path: '/webhooks/twilio/status',
        functionName: 'twilio-status-webhook',
        handler: (event, context) => {
          if (!statusHandler) throw new Error('not ready');
          return statusHandler(event, context);
        },
      },
    ],
  });
  return {
    server: local.server,
    port: local.port,
    setHandler: (handler) => {
      statusHandler = handler;
    },
  };
}
