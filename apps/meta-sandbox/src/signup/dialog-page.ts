import type { SignupBehaviour } from '../state/model';
import { LOGIN_RESPONSE_MESSAGE } from './sdk-script';

/** `current_step` values of the CANCEL event (reference §2.2). */
export const SIGNUP_STEPS = [
  'BUSINESS_ACCOUNT_SELECTION',
  'WABA_PHONE_PROFILE_PICKER',
  'WHATSAPP_BUSINESS_PROFILE_SETUP',
  'PHONE_NUMBER_SETUP',
  'PHONE_NUMBER_VERIFICATION',
  'PERMISSIONS',
] as const;

export interface DialogModel {
  appId: string;
  configId: string;
  requestId: string;
  /** Opener origin to post to; null when the page was opened without one. */
  origin: string | null;
  /** `extras.featureType` (`''`, `only_waba_sharing`, `whatsapp_business_app_onboarding`). */
  featureType: string;
  /** Why Finish cannot work (wrong app id or configuration id); shown, and Finish is disabled. */
  problems: string[];
  businesses: { id: string; name: string }[];
  wabas: { id: string; name: string; business_id: string }[];
  phones: { id: string; display_phone_number: string; verified_name: string; waba_id: string; status: string }[];
  defaults: { business_name: string; waba_name: string; display_phone_number: string; verified_name: string };
  behaviour: SignupBehaviour;
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** JSON safe inside a <script> element. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

const option = (value: string, label: string, selected = false) =>
  `<option value="${escapeHtml(value)}"${selected ? ' selected' : ''}>${escapeHtml(label)}</option>`;

/**
 * The Embedded Signup popup: pick or create a business portfolio, a WhatsApp Business account and a
 * phone number, then Finish, Cancel or Report error. Controls have labels and stable `data-testid`s for
 * Playwright: business-select, business-name, waba-select, waba-name, phone-select,
 * display-phone-number, verified-name, cancel-step, error-message, error-code, finish-button,
 * cancel-button, report-error-button, error-banner, status.
 */
export function renderDialogPage(model: DialogModel): string {
  const onlyWaba = model.featureType === 'only_waba_sharing';
  const data = {
    requestId: model.requestId,
    origin: model.origin,
    appId: model.appId,
    configId: model.configId,
    featureType: model.featureType,
    wabas: model.wabas,
    phones: model.phones,
    behaviour: model.behaviour,
    loginResponseType: LOGIN_RESPONSE_MESSAGE,
  };
  const problems = model.problems.map((p) => `<p>${escapeHtml(p)}</p>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connect WhatsApp – Embedded Signup (Meta sandbox)</title>
<style>
  body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; background: #f0f2f5; color: #1c1e21; }
  main { max-width: 560px; margin: 0 auto; padding: 20px; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .note { color: #606770; font-size: 13px; margin: 0 0 16px; }
  fieldset { background: #fff; border: 1px solid #dddfe2; border-radius: 8px; margin: 0 0 12px; padding: 12px 16px; }
  legend { font-weight: 600; padding: 0 4px; }
  label { display: block; font-size: 13px; font-weight: 600; margin: 8px 0 4px; }
  input, select, textarea { box-sizing: border-box; width: 100%; padding: 8px; border: 1px solid #ccd0d5; border-radius: 6px; font: inherit; }
  .actions { display: flex; gap: 8px; justify-content: flex-end; margin-top: 16px; }
  button { font: inherit; font-weight: 600; padding: 8px 16px; border-radius: 6px; border: 1px solid #ccd0d5; background: #fff; cursor: pointer; }
  button.primary { background: #1877f2; border-color: #1877f2; color: #fff; }
  button:disabled { opacity: .5; cursor: not-allowed; }
  [role=alert] { background: #ffebe9; border: 1px solid #ff8182; border-radius: 6px; padding: 8px 12px; margin-bottom: 12px; }
  [role=alert] p { margin: 0; }
  #status { min-height: 1.5em; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<main>
<h1>Connect your WhatsApp Business account</h1>
<p class="note">Meta sandbox – a local stand-in for Facebook's Embedded Signup. App <code>${escapeHtml(model.appId)}</code>, configuration <code>${escapeHtml(model.configId)}</code>.</p>
<div id="error-banner" role="alert" data-testid="error-banner"${problems ? '' : ' hidden'}>${problems}</div>
<form id="signup" novalidate>
  <fieldset>
    <legend>Business portfolio</legend>
    <label for="business-select">Business</label>
    <select id="business-select" name="business_id" data-testid="business-select">
      ${option('__new', 'Create a new business portfolio', true)}
      ${model.businesses.map((b) => option(b.id, `${b.name} (${b.id})`)).join('\n      ')}
    </select>
    <div id="new-business">
      <label for="business-name">Business name</label>
      <input id="business-name" name="business_name" data-testid="business-name" autocomplete="organization" value="${escapeHtml(model.defaults.business_name)}">
    </div>
  </fieldset>
  <fieldset>
    <legend>WhatsApp Business account</legend>
    <label for="waba-select">WhatsApp Business account</label>
    <select id="waba-select" name="waba_id" data-testid="waba-select">
      ${option('__new', 'Create a new WhatsApp Business account', true)}
    </select>
    <div id="new-waba">
      <label for="waba-name">WhatsApp Business account name</label>
      <input id="waba-name" name="waba_name" data-testid="waba-name" value="${escapeHtml(model.defaults.waba_name)}">
    </div>
  </fieldset>
  <fieldset id="phone-step"${onlyWaba ? ' hidden' : ''}>
    <legend>Phone number</legend>
    <label for="phone-select">Phone number</label>
    <select id="phone-select" name="phone_number_id" data-testid="phone-select">
      ${option('__new', 'Add a new phone number', true)}
    </select>
    <div id="new-phone">
      <label for="display-phone-number">Display phone number</label>
      <input id="display-phone-number" name="display_phone_number" data-testid="display-phone-number" type="tel" autocomplete="tel" value="${escapeHtml(model.defaults.display_phone_number)}">
      <label for="verified-name">Verified (display) name</label>
      <input id="verified-name" name="verified_name" data-testid="verified-name" value="${escapeHtml(model.defaults.verified_name)}">
    </div>
  </fieldset>
  <fieldset>
    <legend>Sandbox options</legend>
    <label for="cancel-step">Step reported by Cancel</label>
    <select id="cancel-step" name="cancel_step" data-testid="cancel-step">
      ${option('auto', 'Automatic (first incomplete step)', true)}
      ${SIGNUP_STEPS.map((s) => option(s, s)).join('\n      ')}
    </select>
    <label for="error-message">Error message for "Report error"</label>
    <textarea id="error-message" name="error_message" data-testid="error-message" rows="2">Your verified name violates WhatsApp guidelines. Please edit your verified name and try again.</textarea>
    <label for="error-code">Error code for "Report error"</label>
    <input id="error-code" name="error_code" data-testid="error-code" value="524126">
  </fieldset>
  <p id="status" role="status" data-testid="status" aria-live="polite"></p>
  <div class="actions">
    <button type="button" id="report-error" data-testid="report-error-button">Report error</button>
    <button type="button" id="cancel" data-testid="cancel-button">Cancel</button>
    <button type="submit" id="finish" class="primary" data-testid="finish-button"${model.problems.length ? ' disabled' : ''}>Finish</button>
  </div>
</form>
</main>
<script type="application/json" id="sandbox-data">${scriptJson(data)}</script>
<script>${DIALOG_SCRIPT}</script>
</body>
</html>
`;
}

const DIALOG_SCRIPT = `
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('sandbox-data').textContent);
  var $ = function (id) { return document.getElementById(id); };
  var form = $('signup'), status = $('status'), banner = $('error-banner');
  var businessSelect = $('business-select'), wabaSelect = $('waba-select'), phoneSelect = $('phone-select');
  var onlyWaba = cfg.featureType === 'only_waba_sharing';
  var settled = false;

  function fill(select, items, newLabel, label) {
    var previous = select.value;
    while (select.options.length) select.remove(0);
    select.add(new Option(newLabel, '__new'));
    items.forEach(function (item) { select.add(new Option(label(item), item.id)); });
    select.value = items.some(function (i) { return i.id === previous; }) ? previous : '__new';
  }
  function refresh() {
    var business = businessSelect.value;
    fill(wabaSelect, cfg.wabas.filter(function (w) { return w.business_id === business; }),
      'Create a new WhatsApp Business account', function (w) { return w.name + ' (' + w.id + ')'; });
    var waba = wabaSelect.value;
    fill(phoneSelect, cfg.phones.filter(function (p) { return p.waba_id === waba; }),
      'Add a new phone number', function (p) { return p.display_phone_number + ' – ' + p.verified_name + ' (' + p.status + ')'; });
    $('new-business').hidden = business !== '__new';
    $('new-waba').hidden = wabaSelect.value !== '__new';
    $('new-phone').hidden = phoneSelect.value !== '__new';
  }
  businessSelect.addEventListener('change', refresh);
  wabaSelect.addEventListener('change', refresh);
  phoneSelect.addEventListener('change', refresh);
  refresh();

  function post(message) {
    if (!window.opener) return false;
    window.opener.postMessage(JSON.stringify(message), cfg.origin || '*');
    return true;
  }
  function answerLogin(response) {
    post({ type: cfg.loginResponseType, request_id: cfg.requestId, response: response, delay_ms: cfg.behaviour.login_callback_delay_ms });
  }
  function close(text) {
    settled = true;
    status.textContent = text;
    Array.prototype.forEach.call(form.querySelectorAll('button'), function (b) { b.disabled = true; });
    if (window.opener) window.setTimeout(function () { window.close(); }, 150);
  }
  function showError(text) {
    banner.textContent = text;
    banner.hidden = false;
  }
  function blank(id) { return !$(id).value.trim(); }
  function currentStep() {
    var chosen = $('cancel-step').value;
    if (chosen !== 'auto') return chosen;
    if (businessSelect.value === '__new' && blank('business-name')) return 'BUSINESS_ACCOUNT_SELECTION';
    if (wabaSelect.value === '__new' && blank('waba-name')) return 'WABA_PHONE_PROFILE_PICKER';
    if (!onlyWaba && phoneSelect.value === '__new' && blank('display-phone-number')) return 'PHONE_NUMBER_SETUP';
    if (!onlyWaba && phoneSelect.value === '__new' && blank('verified-name')) return 'WHATSAPP_BUSINESS_PROFILE_SETUP';
    return 'PERMISSIONS';
  }
  function cancelWith(data, text) {
    post({ type: 'WA_EMBEDDED_SIGNUP', event: 'CANCEL', data: data });
    answerLogin({ authResponse: null, status: 'unknown' });
    close(text);
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (settled) return;
    banner.hidden = true;
    $('finish').disabled = true;
    status.textContent = 'Connecting…';
    var body = {
      app_id: cfg.appId, config_id: cfg.configId, feature_type: cfg.featureType,
      business_id: businessSelect.value === '__new' ? undefined : businessSelect.value,
      business_name: $('business-name').value,
      waba_id: wabaSelect.value === '__new' ? undefined : wabaSelect.value,
      waba_name: $('waba-name').value,
      phone_number_id: onlyWaba || phoneSelect.value === '__new' ? undefined : phoneSelect.value,
      display_phone_number: onlyWaba ? undefined : $('display-phone-number').value,
      verified_name: onlyWaba ? undefined : $('verified-name').value
    };
    fetch('/dialog/embedded-signup/finish', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (json) { return { ok: res.ok, json: json }; }); })
      .then(function (result) {
        if (!result.ok) throw new Error((result.json.error && result.json.error.message) || 'Signup failed');
        var r = result.json;
        var session = { type: 'WA_EMBEDDED_SIGNUP', event: r.event, data: r.data };
        var login = { authResponse: r.auth_response, status: 'connected' };
        if (cfg.behaviour.login_callback_first) { answerLogin(login); post(session); }
        else { post(session); answerLogin(login); }
        var summary = 'Connected: WABA ' + r.data.waba_id + (r.data.phone_number_id ? ', phone number ' + r.data.phone_number_id : '') + '.';
        close(window.opener ? summary + ' This window will close.' : summary + ' No opener window; code: ' + r.auth_response.code);
      })
      .catch(function (error) {
        status.textContent = '';
        showError(error.message);
        $('finish').disabled = false;
      });
  });
  $('cancel').addEventListener('click', function () {
    if (!settled) cancelWith({ current_step: currentStep() }, 'Cancelled.');
  });
  $('report-error').addEventListener('click', function () {
    if (settled) return;
    cancelWith({
      error_message: $('error-message').value,
      error_code: $('error-code').value,
      session_id: cfg.requestId.slice(0, 15),
      timestamp: String(Math.floor(Date.now() / 1000))
    }, 'Error reported.');
  });
  window.addEventListener('pagehide', function () {
    if (!settled) cancelWith({ current_step: currentStep() }, 'Closed.');
  });
})();
`;
