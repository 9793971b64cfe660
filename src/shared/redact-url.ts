/**
 * Secrets that ride inside URLs (`https://user:pass@host/…`, `?token=…`, `&sig=…`) must never reach a manifest,
 * a cache's meta.json, a report or an error message. These helpers rewrite such URLs with `***` in place of the
 * user-info and of every credential-like query parameter, keeping the rest readable.
 */

/** Query parameter names that carry credentials (case-insensitive, matched on the whole name or a `_`/`-` part). */
const credentialParam = /(^|[-_.])(token|key|apikey|api-key|secret|password|passwd|pwd|pass|sig|signature|auth|authorization|credential|credentials|access[-_]?token|session|code)($|[-_.])/i;

function isCredentialParam(name: string): boolean {
  return credentialParam.test(name);
}

/** The URL with user-info and credential-like query values replaced by `***`; other text is returned unchanged. */
export function redactUrl(text: string): string {
  if (!URL.canParse(text)) return text;
  const url = new URL(text);
  if (url.username === '' && url.password === '' && ![...url.searchParams.keys()].some(isCredentialParam)) return text;
  if (url.username !== '' || url.password !== '') {
    url.username = '***';
    url.password = '';
  }
  for (const name of new Set(url.searchParams.keys())) {
    if (isCredentialParam(name)) url.searchParams.set(name, '***');
  }
  // URLSearchParams encodes `*` as %2A; keep the marker readable.
  return url.href.replaceAll('%2A%2A%2A', '***');
}

/** Every URL inside free text (an error message, a fingerprint) redacted. */
export function redactUrlsInText(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi, (match) => redactUrl(match));
}

/** A JSON-like value with every string passed through `redactUrlsInText` (for manifests and meta files). */
export function redactUrlsInValue<T>(value: T): T {
  if (typeof value === 'string') return redactUrlsInText(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactUrlsInValue(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, redactUrlsInValue(child)])) as T;
  }
  return value;
}

/**
 * Splits a URL for an HTTP client that cannot take credentials in the URL (fetch refuses `user:pass@`, and SDKs
 * that append paths to a base URL break on a query string): the bare base URL, the query parameters to send on
 * every request, and a Basic `Authorization` header from the user-info.
 */
export function splitUrlCredentials(text: string): {
  readonly baseURL: string;
  readonly query: Readonly<Record<string, string>>;
  readonly basicAuth: string | undefined;
} {
  const url = new URL(text);
  const basicAuth =
    url.username !== '' || url.password !== ''
      ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
      : undefined;
  const query = Object.fromEntries(url.searchParams);
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return { baseURL: url.href, query, basicAuth };
}
