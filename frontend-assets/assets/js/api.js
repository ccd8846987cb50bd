// The one way pages talk to the server: JSON under /api/v1, the session cookie, the chosen
// language. Every failure becomes an ApiError carrying the server's {code, message, fields}
// so a page can show the message and put each field's message next to its input.

import { getLang, t } from './i18n.js';

const BASE = '/api/v1';

export class ApiError extends Error {
  constructor({ status = 0, code = 'network', message, fields = {}, fieldCodes = {}, requestId = null, retryAfter = null }) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    // The machine-readable reason per field (`{"to": "too_long"}`), when the server gives one.
    this.fieldCodes = fieldCodes;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
    // Set when the page is already on its way to the login page: callers stay quiet.
    this.redirecting = false;
  }
}

/** `/login.html?next=<where I am>`: only a same-origin path ever goes into `next`. */
export function loginUrl() {
  const here = location.pathname + location.search;
  return '/login.html?next=' + encodeURIComponent(here);
}

// Field errors are flat (`region.province`); flatten a nested object just in case.
function flattenFields(fields, prefix = '', out = {}) {
  if (!fields || typeof fields !== 'object') return out;
  for (const [key, value] of Object.entries(fields)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      flattenFields(value, name, out);
    } else if (Array.isArray(value)) {
      out[name] = value.map(String).join('；');
    } else if (value != null) {
      out[name] = String(value);
    }
  }
  return out;
}

/**
 * A fresh key for the `Idempotency-Key` header: made once per attempt at an action (a
 * checkout, a payment, a refund) and sent again on every retry of that attempt, so a
 * double tap or a lost answer never makes two orders. getRandomValues works on plain http too.
 */
export function newIdempotencyKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Calls the API. `options.headers` adds request headers (e.g. `Idempotency-Key`).
 * `options.redirectOn401` (default true): an unauthenticated answer sends the
 * browser to the login page and comes back here afterwards. Public pages pass false.
 */
export async function request(method, path, body, options = {}) {
  const { redirectOn401 = true, headers: extra = {} } = options;
  const headers = { ...extra, Accept: 'application/json', 'Accept-Language': getLang() };
  const init = { method, credentials: 'same-origin', headers };
  if (body instanceof FormData) {
    // The browser writes the multipart Content-Type itself, boundary included.
    init.body = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let response;
  try {
    response = await fetch(BASE + path, init);
  } catch {
    throw new ApiError({ status: 0, code: 'network', message: t('error.network') });
  }

  if (response.ok) {
    if (response.status === 204) return null;
    const text = await response.text();
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch {
      throw new ApiError({ status: response.status, code: 'bad_response', message: t('error.bad_response') });
    }
  }

  let payload = null;
  try {
    payload = await response.json();
  } catch {
    // A proxy's HTML error page, or nothing at all.
  }
  const e = payload && typeof payload === 'object' && payload.error ? payload.error : null;
  if (!e) {
    // Not our error shape: a proxy's page, or no API behind this address at all.
    const err = new ApiError({
      status: response.status,
      code: response.status === 401 ? 'unauthenticated' : 'unavailable',
      message: response.status === 401 ? t('error.unauthenticated') : t('error.unavailable'),
    });
    if (response.status === 401 && redirectOn401) {
      err.redirecting = true;
      location.assign(loginUrl());
    }
    throw err;
  }
  const retry = response.headers.get('Retry-After');
  const err = new ApiError({
    status: response.status,
    code: typeof e.code === 'string' ? e.code : fallbackCode(response.status),
    message: typeof e.message === 'string' && e.message ? e.message : fallbackMessage(response.status),
    fields: flattenFields(e.fields),
    fieldCodes: flattenFields(e.field_codes),
    requestId: e.request_id || response.headers.get('X-Request-Id'),
    retryAfter: retry && /^\d+$/.test(retry) ? Number(retry) : null,
  });

  if (response.status === 401 && redirectOn401 && err.code !== 'invalid_credentials') {
    err.redirecting = true;
    location.assign(loginUrl());
  }
  throw err;
}

function fallbackCode(status) {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'too_many_attempts';
  if (status >= 500) return 'internal';
  return 'http_' + status;
}

function fallbackMessage(status) {
  if (status === 401) return t('error.unauthenticated');
  if (status === 403) return t('error.forbidden');
  if (status === 404) return t('error.not_found');
  if (status === 429) return t('error.too_many');
  if (status >= 500) return t('error.server');
  return t('error.generic');
}

export const api = {
  get: (path, options) => request('GET', path, undefined, options),
  post: (path, body, options) => request('POST', path, body, options),
  patch: (path, body, options) => request('PATCH', path, body, options),
  put: (path, body, options) => request('PUT', path, body, options),
  del: (path, options) => request('DELETE', path, undefined, options),
  /** multipart/form-data, e.g. a photo in field "file". */
  upload: (path, formData, options) => request('POST', path, formData, options),
};

/** Builds `?a=1&b=2` from the non-empty entries. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') q.set(key, String(value));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

/** Path segment from an id the server gave us. */
export function seg(id) {
  return encodeURIComponent(String(id));
}

// ---- who is logged in ----------------------------------------------------------------------

let settleViewer;

/**
 * Who is logged in: the `/auth/me` answer, or null for nobody (or when it could not be
 * asked). Settled once, by shell.js's initShell; modules that decorate what the page already
 * shows (tier prices on product cards) wait for it instead of asking again.
 */
export const viewer = new Promise((resolve) => { settleViewer = resolve; });

/** Called by initShell with what `/auth/me` answered. */
export function setViewer(me) {
  settleViewer(me || null);
}
