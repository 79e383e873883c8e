import type { AppConfig } from '@kirim/platform';

/**
 * The onboarding page (spec 03 § The onboarding flow, steps 4–8): server-rendered HTML, one static
 * script and one stylesheet (no inline script or style, so the CSP needs no nonce). The names are
 * rendered at first paint; the token appears only inside the JSON data block that the script reads.
 */

export type UnusableReason = 'link_invalid' | 'link_expired' | 'link_consumed' | 'link_revoked';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** JSON safe to embed in a `<script type="application/json">` element (no `</script>`, no `<!--`). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The origin of a URL, or null. */
function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * Page headers. The CSP allows scripts from this origin and from META_SDK_URL's origin; frames and
 * connections to the SDK origin and to the Embedded Signup origin (for Meta's real SDK:
 * connect.facebook.net and *.facebook.com).
 */
export function pageHeaders(config: AppConfig): Record<string, string> {
  const sdk = originOf(config.META_SDK_URL);
  const signup = signupSources(config.META_SIGNUP_ORIGIN);
  const external = [sdk, ...signup].filter((s): s is string => s !== null);
  const list = (...items: string[]) => [...new Set(items)].join(' ');
  const csp = [
    "default-src 'none'",
    `script-src ${list("'self'", ...(sdk ? [sdk] : []))}`,
    "style-src 'self'",
    `img-src ${list("'self'", 'data:', ...external)}`,
    `connect-src ${list("'self'", ...external)}`,
    `frame-src ${list(...external)}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin-allow-popups',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': csp,
  };
}

/** CSP sources for the configured signup origin suffix (`facebook.com` → https://facebook.com https://*.facebook.com; `localhost:3005` → http(s)://localhost:3005). */
function signupSources(suffix: string): string[] {
  const host = suffix.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (host === '' || /[\s;,'"]/.test(host)) return [];
  if (host.includes(':')) return [`http://${host}`, `https://${host}`];
  return [`https://${host}`, `https://*.${host}`];
}

/** What the page script reads from the data block. */
export interface PageData {
  token?: string;
  signup_origin: string;
  unusable?: UnusableReason;
  failure_redirect_url?: string | null;
}

const UNUSABLE_TEXT: Record<UnusableReason, { title: string; text: string }> = {
  link_invalid: { title: 'This link is not valid', text: 'Check that you copied the whole link, or ask for a new one.' },
  link_expired: { title: 'This link has expired', text: 'Setup links are valid for a limited time. Ask for a new link.' },
  link_consumed: {
    title: 'This link was already used',
    text: 'A WhatsApp number was already connected with this link. Ask for a new link to connect another one.',
  },
  link_revoked: { title: 'This link is no longer valid', text: 'It was replaced by a newer link or withdrawn. Ask for a new link.' },
};

function layout(title: string, body: string, data: PageData): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/onboard/static/onboarding.css">
</head>
<body>
${body}
<script type="application/json" id="onboarding-data">${scriptJson(data)}</script>
<script src="/onboard/static/onboarding.js" defer></script>
</body>
</html>
`;
}

/** The page of a usable link: every state is in the document, the script shows one at a time. */
export function renderReadyPage(input: { token: string; organizationName: string; customerName: string; signupOrigin: string }): string {
  const org = escapeHtml(input.organizationName);
  const customer = escapeHtml(input.customerName);
  const body = `<main id="main" data-state="loading" aria-labelledby="page-title">
<p class="brand" data-testid="organization-name">${org}</p>
<h1 id="page-title">Connect your WhatsApp number</h1>
<p class="lead">${org} invites <strong data-testid="customer-name">${customer}</strong> to connect a WhatsApp Business number. You will sign in with Meta (Facebook) in a new window and choose the business, WhatsApp account and phone number to connect.</p>
<p id="status" class="status" role="status" aria-live="polite" aria-atomic="true" data-testid="status">Loading…</p>
<section data-view="loading" aria-labelledby="loading-title">
<h2 id="loading-title" tabindex="-1">Preparing…</h2>
<p>Getting the connection ready. This takes a moment.</p>
<noscript><p class="error">This page needs JavaScript to open Meta's signup window. Enable JavaScript and reload the page.</p></noscript>
</section>
<section data-view="ready" aria-labelledby="ready-title" hidden>
<h2 id="ready-title" tabindex="-1">Ready to connect</h2>
<p>Allow pop-up windows for this page if your browser asks.</p>
<button type="button" id="connect-button" class="primary" data-testid="connect-button">Connect WhatsApp</button>
</section>
<section data-view="working" aria-labelledby="working-title" aria-busy="true" hidden>
<h2 id="working-title" tabindex="-1">Connecting…</h2>
<p id="working-text">Complete the steps in the Meta window. Keep this page open.</p>
</section>
<section data-view="success" aria-labelledby="success-title" hidden>
<h2 id="success-title" tabindex="-1">Your WhatsApp number is connected</h2>
<p>${org} can now send and receive WhatsApp messages for ${customer}. You can close this page.</p>
<dl id="success-details" data-testid="success-details"></dl>
</section>
<section data-view="cancelled" aria-labelledby="cancelled-title" hidden>
<h2 id="cancelled-title" tabindex="-1">Signup cancelled</h2>
<p>No number was connected. The link is still valid: you can try again.</p>
<button type="button" class="primary" data-action="retry" data-testid="retry-button">Try again</button>
</section>
<section data-view="error" aria-labelledby="error-title" hidden>
<h2 id="error-title" tabindex="-1">Something went wrong</h2>
<p id="error-text" data-testid="error-text">The connection could not be completed.</p>
<p id="error-code" class="muted"></p>
<button type="button" class="primary" data-action="retry" data-testid="retry-error-button">Try again</button>
</section>
<section data-view="unusable" aria-labelledby="unusable-title" hidden>
<h2 id="unusable-title" tabindex="-1">This link can no longer be used</h2>
<p id="unusable-text">Ask ${org} for a new link.</p>
</section>
</main>`;
  return layout(`Connect WhatsApp — ${input.organizationName}`, body, { token: input.token, signup_origin: input.signupOrigin });
}

/** The 410 page of an unknown, expired, consumed or revoked link (redirects when the link has a failure URL). */
export function renderUnusablePage(input: {
  reason: UnusableReason;
  organizationName?: string | undefined;
  failureRedirectUrl: string | null;
  signupOrigin: string;
}): string {
  const text = UNUSABLE_TEXT[input.reason];
  const brand = input.organizationName ? `<p class="brand">${escapeHtml(input.organizationName)}</p>\n` : '';
  const next = input.failureRedirectUrl
    ? `<p><a href="${escapeHtml(input.failureRedirectUrl)}" data-testid="continue-link">Continue</a></p>\n`
    : '';
  const body = `<main id="main" data-state="unusable" data-reason="${input.reason}" aria-labelledby="page-title">
${brand}<h1 id="page-title" data-testid="unusable-title">${escapeHtml(text.title)}</h1>
<p id="status" class="status" role="status" aria-live="polite" data-testid="status">${escapeHtml(text.text)}</p>
${next}</main>`;
  return layout(text.title, body, {
    signup_origin: input.signupOrigin,
    unusable: input.reason,
    failure_redirect_url: input.failureRedirectUrl,
  });
}

export const PAGE_CSS = `*{box-sizing:border-box}
[hidden]{display:none!important}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1b1f24;background:#f5f6f8}
body{margin:0;padding:2rem 1rem}
main{max-width:36rem;margin:0 auto;background:#fff;border:1px solid #d8dde3;border-radius:12px;padding:2rem}
h1{font-size:1.6rem;margin:.25rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
h2:focus{outline:none}
.brand{font-weight:600;color:#3b4754;margin:0}
.status{background:#eef2f6;border-radius:6px;padding:.5rem .75rem}
.muted{color:#56606b;font-size:.9rem}
.error{color:#a4161a}
button.primary{font:inherit;font-weight:600;color:#fff;background:#0b6e4f;border:0;border-radius:8px;padding:.7rem 1.4rem;cursor:pointer}
button.primary:hover{background:#095c42}
button:focus-visible,a:focus-visible{outline:3px solid #1a5fb4;outline-offset:3px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{font-weight:600}dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}
`;

/** The page script (served as /onboard/static/onboarding.js). Plain browser JavaScript, no framework. */
export const PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var dataEl = document.getElementById('onboarding-data');
  var cfg = JSON.parse(dataEl ? dataEl.textContent : '{}');
  var main = document.getElementById('main');
  var statusEl = document.getElementById('status');

  if (cfg.unusable) {
    if (cfg.failure_redirect_url) window.location.assign(cfg.failure_redirect_url);
    return;
  }

  var session = null;  // {nonce, meta, ...} from /onboard/api/resolve
  var attempt = null;  // the signup in progress: {code, finish, settled}
  var sdkReady = null; // Promise of the loaded and initialised SDK

  function show(state, message) {
    main.setAttribute('data-state', state);
    var views = main.querySelectorAll('[data-view]');
    for (var i = 0; i < views.length; i++) views[i].hidden = views[i].getAttribute('data-view') !== state;
    statusEl.textContent = message;
    var heading = main.querySelector('[data-view="' + state + '"] h2');
    if (heading && state !== 'loading') heading.focus();
  }

  function post(path, body) {
    return fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    }).then(function (res) {
      return res.json().then(
        function (json) { return { status: res.status, body: json || {} }; },
        function () { return { status: res.status, body: {} }; }
      );
    });
  }

  function errorMessage(r) {
    if (r.status === 429) return 'Too many attempts. Wait a minute, then try again.';
    var e = r.body && r.body.error;
    return (e && e.message) || 'The server could not be reached. Check your connection and try again.';
  }

  function showUnusable(code) {
    var texts = {
      link_expired: 'This link has expired. Ask for a new link.',
      link_consumed: 'This link was already used to connect a number. Ask for a new link.',
      link_revoked: 'This link is no longer valid. Ask for a new link.',
      link_invalid: 'This link is not valid. Ask for a new link.',
    };
    var text = texts[code] || texts.link_invalid;
    document.getElementById('unusable-text').textContent = text;
    show('unusable', text);
  }

  function showError(message, code) {
    document.getElementById('error-text').textContent = message;
    document.getElementById('error-code').textContent = code ? 'Error code: ' + code : '';
    show('error', 'Error: ' + message);
  }

  function loadSdk(meta) {
    if (sdkReady) return sdkReady;
    sdkReady = new Promise(function (resolve, reject) {
      var done = false;
      function init() {
        if (done || !window.FB) return;
        done = true;
        window.FB.init({ appId: meta.app_id, version: meta.graph_api_version, xfbml: false, autoLogAppEvents: false });
        resolve();
      }
      window.fbAsyncInit = init;
      var script = document.createElement('script');
      script.src = meta.sdk_url;
      script.async = true;
      script.onload = init;
      script.onerror = function () {
        sdkReady = null;
        reject(new Error("Meta's signup script could not be loaded."));
      };
      document.head.appendChild(script);
    });
    return sdkReady;
  }

  function start() {
    show('loading', 'Loading…');
    attempt = null;
    post('/onboard/api/resolve', { token: cfg.token })
      .then(function (r) {
        if (r.status === 200) {
          session = r.body;
          return loadSdk(session.meta).then(function () {
            show('ready', 'Ready. Press "Connect WhatsApp" to start.');
          });
        }
        if (r.status === 410) {
          if (r.body.failure_redirect_url) return window.location.assign(r.body.failure_redirect_url);
          return showUnusable(r.body.error_code);
        }
        showError(errorMessage(r));
      })
      .catch(function (e) {
        showError((e && e.message) || 'The server could not be reached.');
      });
  }

  function originAllowed(origin) {
    var host;
    try { host = new URL(origin).host.toLowerCase(); } catch (e) { return false; }
    var want = String(cfg.signup_origin || '').toLowerCase();
    if (!want) return false;
    return host === want || host.slice(-(want.length + 1)) === '.' + want;
  }

  function parseMessage(data) {
    if (typeof data === 'string') {
      try { return JSON.parse(data); } catch (e) { return null; }
    }
    return data && typeof data === 'object' ? data : null;
  }

  function finishOutcome(r, cancelled) {
    if (r.status !== 200) return showError(errorMessage(r));
    var o = r.body;
    if (o.redirect_url) return window.location.assign(o.redirect_url);
    if (o.status === 'success') {
      var dl = document.getElementById('success-details');
      dl.textContent = '';
      [['Customer', o.customer_id], ['WhatsApp account', o.account_id], ['Phone number id', o.phone_number_id]].forEach(function (row) {
        if (!row[1]) return;
        var dt = document.createElement('dt'); dt.textContent = row[0];
        var dd = document.createElement('dd'); dd.textContent = row[1];
        dl.appendChild(dt); dl.appendChild(dd);
      });
      return show('success', 'Success: your WhatsApp number is connected.');
    }
    if (cancelled || o.error_code === 'signup_cancelled') return show('cancelled', 'Signup cancelled. No number was connected.');
    showError(o.message || 'The connection could not be completed.', o.error_code);
  }

  function complete(current) {
    if (current.settled || !current.code || !current.finish) return;
    current.settled = true;
    var f = current.finish;
    if (!f.phone_number_id || !f.waba_id) {
      return fail(current, { reason: 'error', error_message: 'No phone number was selected in the Meta window.' }, true);
    }
    document.getElementById('working-text').textContent = 'Connecting your number to ' + document.querySelector('.brand').textContent + '…';
    show('working', 'Connecting your number…');
    var body = { token: cfg.token, nonce: session.nonce, code: current.code, waba_id: String(f.waba_id), phone_number_id: String(f.phone_number_id) };
    if (f.business_id) body.business_id = String(f.business_id);
    post('/onboard/api/complete', body).then(function (r) { finishOutcome(r, false); }, function () { showError('The server could not be reached.'); });
  }

  function fail(current, details, alreadySettled) {
    if (current.settled && !alreadySettled) return;
    current.settled = true;
    show('working', 'Cancelling…');
    var body = { token: cfg.token, nonce: session.nonce, reason: details.reason };
    if (details.current_step) body.current_step = String(details.current_step);
    if (details.error_code) body.error_code = String(details.error_code);
    if (details.error_message) body.error_message = String(details.error_message).slice(0, 1000);
    post('/onboard/api/fail', body).then(function (r) { finishOutcome(r, details.reason === 'cancelled'); }, function () { showError('The server could not be reached.'); });
  }

  window.addEventListener('message', function (event) {
    if (!originAllowed(event.origin)) return;
    var msg = parseMessage(event.data);
    if (!msg || msg.type !== 'WA_EMBEDDED_SIGNUP') return;
    var current = attempt;
    if (!current || current.settled) return;
    var data = msg.data || {};
    if (typeof msg.event === 'string' && msg.event.indexOf('FINISH') === 0) {
      current.finish = data;
      complete(current);
    } else if (msg.event === 'CANCEL' || msg.event === 'ERROR') {
      var isError = msg.event === 'ERROR' || !!data.error_message || !!data.error_code;
      fail(current, {
        reason: isError ? 'error' : 'cancelled',
        current_step: data.current_step,
        error_code: data.error_code || data.error_id,
        error_message: data.error_message,
      });
    }
  });

  function connect() {
    if (!session || !window.FB) return;
    var current = { code: null, finish: null, settled: false };
    attempt = current;
    document.getElementById('working-text').textContent = 'Complete the steps in the Meta window. Keep this page open.';
    show('working', 'Waiting for the Meta window…');
    window.FB.login(function (response) {
      if (attempt !== current || current.settled) return;
      var code = response && response.authResponse && response.authResponse.code;
      if (code) {
        current.code = code;
        complete(current);
      } else {
        // No code: cancelled, unless the popup's CANCEL message (with details) arrives right after.
        window.setTimeout(function () { fail(current, { reason: 'cancelled' }); }, 1000);
      }
    }, { config_id: session.meta.config_id, response_type: 'code', override_default_response_type: true, extras: { setup: {} } });
  }

  document.getElementById('connect-button').addEventListener('click', connect);
  var retries = main.querySelectorAll('[data-action="retry"]');
  for (var i = 0; i < retries.length; i++) retries[i].addEventListener('click', start);
  start();
})();
`;
