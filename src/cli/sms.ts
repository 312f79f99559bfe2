// `flowgate sms test --to <number> [--connector <index>]`: a `generic` message through the
// configured connector chain (or one connector of it, no failover); the delivery's log lines go to stderr.
import type { DestinationStream } from 'pino';
import { createLogger } from '../log.ts';
import { createLiveDispatch } from '../sms/delivery/live.ts';
import { sendTest } from '../sms/delivery/test-send.ts';
import { UsageError, type CommandSpec } from './args.ts';
import { CliError, loadSetup, print } from './context.ts';

const WHY = {
  country_not_allowed: 'its country is not in sms.allowedCountries',
  type_not_allowed: 'it is not a mobile number (premium-rate, toll-free, landline, VoIP or satellite)',
  invalid: 'it is not a valid number',
} as const;

export const smsCommands: CommandSpec[] = [
  {
    name: 'sms test', summary: 'Send a test SMS through the configured connectors',
    details: 'Refused destinations (a country not allowed, a non-mobile number) call no provider.',
    options: {
      to: { type: 'string', value: 'number', description: 'the phone number to send to', required: true },
      connector: { type: 'string', value: 'index', description: 'only this connector of sms.connectors (0 is the first; no failover)', check: (v) => (/^\d{1,3}$/.test(v) ? undefined : 'the index of a connector in sms.connectors (0 is the first)') },
    },
    run: async (values, ctx) => {
      const { runtime, config } = loadSetup();
      const to = values.to as string;
      const log = createLogger('info', process.stderr as unknown as DestinationStream);
      const connector = values.connector === undefined ? undefined : Number(values.connector);
      const result = await sendTest(await createLiveDispatch(config.sms.connectors, config.sms.delivery, log), to, {
        appName: config.appName, host: new URL(runtime.issuer).hostname, defaultRegion: config.defaultRegion,
        allowedCountries: config.sms.allowedCountries ?? [config.defaultRegion], templates: config.sms.templates, locale: config.defaultLocale,
        ...(connector !== undefined ? { connectorIndex: connector } : {}),
      });
      if (result.ok) {
        print(ctx, result, `sent to ${result.to} via ${result.connector}${result.providerMessageId ? ` (message id ${result.providerMessageId})` : ''}`);
        return 0;
      }
      switch (result.reason) {
        case 'invalid_number': throw new UsageError(`--to '${to.slice(0, 40)}' is not a valid phone number (${result.phone})`);
        case 'no_such_connector': throw new UsageError(`no connector ${result.connectorIndex} in sms.connectors`);
        case 'destination_refused': throw new CliError(`${result.to} may not receive SMS: ${WHY[result.refused]} (${result.refused}); no provider was called`);
        case 'not_sent':
          throw new CliError(`not sent to ${result.to}: ${result.error} (${connector !== undefined ? 'the connector' : 'every connector'} failed; details above)`);
      }
    },
  },
];
