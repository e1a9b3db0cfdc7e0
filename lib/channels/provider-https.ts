// One request to an SMS provider's API over Node's own http(s), with a kept-alive socket per container
// and a whole-request timeout. The provider SDKs did this with megabytes of runtime; a send needs one
// request. Errors keep what the send worker must know: whether the request can have left.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { SendFailure } from '#lib/ports/channel.ts';

export interface ProviderRequest {
  method: 'GET' | 'POST';
  /** Path and query, already encoded as signed. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ProviderAnswer {
  status: number;
  text: string;
}

/**
 * How long a kept-alive socket may sit idle and still be reused. Servers close idle connections
 * (Node's after 5 s, load balancers after a minute or so); a request written on a socket the server has
 * just closed is reset, and a reset after the request left is an unknown outcome: the message is not
 * resent. A Lambda container frozen between invocations cannot even see the close before it reuses the
 * socket. Below every such timeout, a burst keeps its sockets and a send after a pause connects anew.
 */
export const MAX_IDLE_SOCKET_MS = 4_000;

export class ProviderHttps {
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;
  /** When each free socket went back to the pool. */
  private readonly freeSince = new WeakMap<Socket, number>();

  constructor(
    /** host[:port], as signed into the request. */
    readonly endpoint: string,
    readonly protocol: 'https' | 'http',
    private readonly timeoutMs: number,
    private readonly maxIdleMs = MAX_IDLE_SOCKET_MS,
  ) {
    // Kept-alive sockets: in AWS one TLS handshake per container, not one per message.
    this.agent =
      protocol === 'https' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.agent.on('free', (socket: Socket) => this.freeSince.set(socket, Date.now()));
    this.send = protocol === 'https' ? httpsRequest : httpRequest;
  }

  /**
   * Closes the pool's sockets idle too long, so that the next request cannot pick one. By the clock at
   * the request, not by a timer: a frozen container's timers do not run.
   */
  private dropStaleSockets(): void {
    const now = Date.now();
    for (const sockets of Object.values(this.agent.freeSockets)) {
      for (const socket of sockets ?? []) {
        if (now - (this.freeSince.get(socket) ?? now) > this.maxIdleMs) socket.destroy();
      }
    }
  }

  request(req: ProviderRequest): Promise<ProviderAnswer> {
    this.dropStaleSockets();
    const url = new URL(req.path, `${this.protocol}://${this.endpoint}`);
    const body = req.body ?? '';
    return new Promise((resolve, reject) => {
      let connected = false;
      const request = this.send(url, {
        method: req.method,
        agent: this.agent,
        headers: { ...req.headers, 'content-length': String(Buffer.byteLength(body)) },
      });
      const timer = setTimeout(() => request.destroy(timeoutError(connected)), this.timeoutMs);
      request.once('socket', (socket) => {
        // A reused keep-alive socket is connected already; a new one once it says so.
        if (!socket.connecting) connected = true;
        else socket.once('connect', () => (connected = true));
      });
      request.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.once('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        response.once('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      request.end(body);
    });
  }
}

/** The whole-request timeout fired: before the connection (nothing sent) or after (maybe sent). */
function timeoutError(connected: boolean): Error {
  return connected
    ? Object.assign(new Error('no answer within the timeout'), { code: 'ECONNABORTED' })
    : Object.assign(new Error('could not connect within the timeout'), {
        code: 'ETIMEDOUT',
        syscall: 'connect',
      });
}

/** Node error codes that mean no connection was ever made: the request cannot have reached the provider. */
export const NEVER_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/**
 * A request that got no answer: retryable when no connection was ever made, otherwise an unknown
 * outcome (ECONNRESET, our timeout once connected…), since the provider may have sent the message.
 */
export function classifyNoAnswer(error: unknown, provider: string): SendFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    syscall?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const cause = { cause: error };
  if (code && (NEVER_CONNECTED.has(code) || (code === 'ETIMEDOUT' && e.syscall === 'connect'))) {
    return new SendFailure('retryable', `could not reach ${provider} (${code})`, undefined, cause);
  }
  const why = code === 'ECONNABORTED' ? 'in time' : `(${code ?? 'unrecognised error'})`;
  return new SendFailure('unknown-outcome', `no answer from ${provider} ${why}`, undefined, cause);
}
