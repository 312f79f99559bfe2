// The handler of `flowgate sms test --to <number> [--connector <index>]` (options: src/cli/commands.ts): a `generic` message through the
// configured connector chain (or one connector of it, no failover); the delivery's log lines go to stderr.
import type { DestinationStream } from 'pino';
import { createLogger } from '../log.ts';
import { createLiveDispatch } from '../sms/delivery/live.ts';
import { sendTest } from '../sms/delivery/test-send.ts';
import { UsageError, type Handler } from './args.ts';
import { CliError, loadSetup, PHONE_WHY, print, REFUSED_WHY } from './context.ts';


export const test: Handler = async (values, ctx) => {
  const { runtime, config } = loadSetup();
  const to = values.to as string;
  const log = createLogger('info', process.stderr as unknown as DestinationStream);
  const connector = values.connector === undefined ? undefined : Number(values.connector);
  // With --json stdout carries the one document: what a connector prints (the console banner) goes to stderr meanwhile.
  const stdoutWrite = process.stdout.write;
  if (ctx.json) process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  let result: Awaited<ReturnType<typeof sendTest>>;
  try {
    result = await sendTest(await createLiveDispatch(config.sms.connectors, config.sms.delivery, log), to, {
      appName: config.appName, host: new URL(runtime.issuer).hostname, defaultRegion: config.defaultRegion,
      allowedCountries: config.sms.allowedCountries ?? [config.defaultRegion], templates: config.sms.templates, locale: config.defaultLocale,
      ...(connector !== undefined ? { connectorIndex: connector } : {}),
    });
  } finally {
    process.stdout.write = stdoutWrite;
  }
  if (result.ok) {
    print(ctx, result, `sent to ${result.to} via ${result.connector}${result.providerMessageId ? ` (message id ${result.providerMessageId})` : ''}`);
    return 0;
  }
  switch (result.reason) {
    case 'invalid_number': throw new UsageError(`--to '${to.slice(0, 40)}' is not a valid phone number: ${PHONE_WHY[result.phone]}`);
    case 'no_such_connector': throw new UsageError(`no connector ${result.connectorIndex} in sms.connectors`);
    case 'destination_refused': throw new CliError(`${result.to} may not receive SMS: ${REFUSED_WHY[result.refused]} (${result.refused}); no provider was called`);
    case 'not_sent':
      throw new CliError(`not sent to ${result.to}: ${result.error} (${connector !== undefined ? 'the connector' : 'every connector'} failed; details above)`);
  }
};
