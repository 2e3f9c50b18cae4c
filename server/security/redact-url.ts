/**
 * Credentials inside URLs (`http://user:password@host`, `?token=...`) must never reach a message or a log: users
 * paste those into bug reports. Redaction keeps the scheme, host, port and path, which is what a reader needs to
 * see which server was meant.
 */

/** Shown instead of a redacted user name, password or query value. */
export const REDACTED = "***";

/** A URL inside free text: a scheme, then everything up to whitespace, a quote or a closing bracket. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'`<>()[\]{}]+/gi;

/** The userinfo part of a URL (`user:password@` or `token@`), before the first slash, question mark or hash. */
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i;

/**
 * The URL with its user name, password and every query and fragment parameter value replaced by `***`. Works on
 * text that is not a valid URL too (it is applied to whatever a setting holds), so it never throws.
 */
export function redactUrl(url: string): string {
  const withoutUserinfo = url.replace(USERINFO, `$1${REDACTED}@`);
  const queryStart = withoutUserinfo.search(/[?#]/);
  if (queryStart < 0) return withoutUserinfo;
  const head = withoutUserinfo.slice(0, queryStart);
  // Any parameter may carry a token (token=, key=, sig=, access_token=); their names are kept, their values not.
  const tail = withoutUserinfo.slice(queryStart).replace(/([?#&;])([^=&;#]*)=[^&;#]*/g, `$1$2=${REDACTED}`);
  return head + tail;
}

/** Free text with every URL in it redacted (messages quote hosts, and errors quote the URL they failed on). */
export function redactUrlsIn(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}
