/** API keys as Stripe reads them: Bearer or Basic (key as user name); test vs live by prefix. */
import { StripeError } from './errors.ts';

export interface Credentials {
  key: string;
  livemode: boolean;
  /** A `pk_` key: only the few calls a browser makes (publishable.ts). */
  publishable: boolean;
}

const KEY = /^(sk|rk|pk)_(test|live)_[A-Za-z0-9_]{1,247}$/;

export function authenticate(header: string | undefined): Credentials {
  if (!header) {
    throw new StripeError(
      401,
      'invalid_request_error',
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    );
  }
  let key = '';
  // Exactly "<scheme> <credentials>": anything after the credentials makes the header malformed.
  const parts = header.trim().split(/\s+/);
  const [scheme, value = ''] = parts.length === 2 ? parts : ['', ''];
  if (/^bearer$/i.test(scheme)) key = value;
  else if (/^basic$/i.test(scheme)) key = Buffer.from(value, 'base64').toString().split(':')[0];
  if (!KEY.test(key)) {
    // Never echo a whole credential: Stripe shows a masked key, or nothing of a malformed header.
    const shown = key
      ? `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`
      : '(malformed Authorization header)';
    throw new StripeError(401, 'invalid_request_error', `Invalid API Key provided: ${shown}`);
  }
  return { key, livemode: key.includes('_live_'), publishable: key.startsWith('pk_') };
}
