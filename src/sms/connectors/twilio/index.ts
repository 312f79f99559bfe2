// `twilio` connector: the official SDK; `apiBaseUrl` re-targets its request client (tests, proxies).
// The SDK takes no abort signal: the send's signal reaches its axios request through an
// AsyncLocalStorage that a request interceptor reads, so an aborted send closes its connection.
import { AsyncLocalStorage } from 'node:async_hooks';
import twilio from 'twilio';
import { secretKeys, type TwilioConfig } from './config.ts';
import type { SmsConnector } from '../../types.ts';
import { scrubberFor, secretValues } from '../scrub.ts';
import { mapTwilioError } from './errors.ts';

type RequestOptions = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0];

/** The signal of the send this request belongs to. */
const sendSignal = new AsyncLocalStorage<AbortSignal | undefined>();

/** The SDK has no base-URL option: rewrite every request's origin in its request client. */
function requestClientFor(config: TwilioConfig) {
  const client = new twilio.RequestClient({ timeout: config.timeoutMs });
  client.axios.interceptors.request.use((request) => {
    const signal = sendSignal.getStore();
    if (signal) request.signal = signal;
    return request;
  });
  if (!config.apiBaseUrl) return client;
  const base = config.apiBaseUrl.replace(/\/+$/, '');
  const original = client.request.bind(client);
  client.request = <T>(opts: RequestOptions) => {
    const url = new URL(opts.uri);
    return original({ ...opts, uri: `${base}${url.pathname}${url.search}` }) as Promise<never> as Promise<T & never>;
  };
  return client;
}

export function create(config: TwilioConfig): SmsConnector {
  const client = twilio(config.accountSid, config.authToken, { httpClient: requestClientFor(config) });
  const secrets = secretValues(config, secretKeys);
  return {
    id: 'twilio',
    async send(msg, opts = {}) {
      try {
        const sent = await sendSignal.run(opts.signal, () => client.messages.create({
          to: msg.to,
          body: msg.body,
          ...(config.messagingServiceSid ? { messagingServiceSid: config.messagingServiceSid } : { from: config.from! }),
          ...(config.statusCallbackUrl ? { statusCallback: config.statusCallbackUrl } : {}),
        }));
        return { providerMessageId: sent.sid };
      } catch (err) {
        throw mapTwilioError(err, scrubberFor(secrets, msg), config.timeoutMs);
      }
    },
  };
}

export { create as createTwilioConnector };
