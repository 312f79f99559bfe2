// How pages show a number: E.164 in forms and data, national format for the test region (US)
// in sentences, international format for others. Lets tests find or blank out a number in a page.
import { formatPhone } from '../../src/authenticators/identify-phone/phone.ts';

/** The number as a page of a server with defaultRegion US shows it: (202) 555-0100, +44 7700 900123. */
export const shown = (e164: string): string => formatPhone(e164, 'US');

/** Replaces every spelling of the number a page may carry (E.164, without +, shown) with `mark`. */
export function blankPhone(text: string, e164: string, mark = 'PHONE'): string {
  return [e164, shown(e164), e164.slice(1)].reduce((out, form) => out.replaceAll(form, mark), text);
}
