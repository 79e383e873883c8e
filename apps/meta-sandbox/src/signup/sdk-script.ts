/** Type of the sandbox's own message carrying the FB.login response from the popup to the SDK. */
export const LOGIN_RESPONSE_MESSAGE = 'META_SANDBOX_LOGIN_RESPONSE';

/**
 * The stand-in for `https://connect.facebook.net/en_US/sdk.js`: `window.FB` with `init`, `login`
 * (Embedded Signup popup, `response_type: 'code'`), `getLoginStatus`, `logout`, and `fbAsyncInit`
 * support. Plain ES5 so any page can load it.
 *
 * The popup is opened on the origin the script was loaded from. It posts the `WA_EMBEDDED_SIGNUP`
 * session event to the opener itself; the login response comes as a second message
 * (`META_SANDBOX_LOGIN_RESPONSE`, a JSON string) that this script accepts only from that origin and
 * only for a login it started. A popup closed without an answer ends the login as cancelled.
 */
export function sdkScript(fallbackOrigin: string): string {
  return `/* Meta sandbox: stand-in for Facebook's JS SDK (Embedded Signup subset). Not Facebook code. */
(function () {
  'use strict';
  if (window.FB && window.FB.__metaSandbox) return;
  var LOGIN_RESPONSE = ${JSON.stringify(LOGIN_RESPONSE_MESSAGE)};
  var base = (function () {
    try {
      var script = document.currentScript;
      if (script && script.src) return new URL(script.src, window.location.href).origin;
    } catch (e) { /* fall through */ }
    return ${JSON.stringify(fallbackOrigin)};
  })();
  var settings = null;
  var pending = {};
  var cancelled = { authResponse: null, status: 'unknown' };

  function later(fn, ms) { window.setTimeout(fn, ms || 0); }

  function settle(id, response, delayMs) {
    var request = pending[id];
    if (!request) return;
    delete pending[id];
    window.clearInterval(request.timer);
    later(function () { request.callback(response); }, delayMs);
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== base || typeof event.data !== 'string') return;
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (!data || data.type !== LOGIN_RESPONSE || !pending[data.request_id]) return;
    settle(data.request_id, data.response || cancelled, Number(data.delay_ms) || 0);
  });

  function requestId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  var FB = {
    __metaSandbox: true,
    sandboxOrigin: base,
    init: function (options) {
      settings = options || {};
      if (!settings.appId) console.error('FB.init: appId is required (Meta sandbox SDK)');
    },
    login: function (callback, options) {
      var cb = typeof callback === 'function' ? callback : function () {};
      options = options || {};
      if (!settings || !settings.appId) {
        console.error('FB.login() called before FB.init().');
        later(function () { cb(cancelled); });
        return;
      }
      if (options.response_type !== 'code') {
        console.warn('Meta sandbox SDK: only response_type "code" (Embedded Signup) is supported; answering with a code.');
      }
      var id = requestId();
      var query = [
        ['app_id', settings.appId],
        ['config_id', options.config_id || ''],
        ['response_type', options.response_type || ''],
        ['override_default_response_type', options.override_default_response_type ? 'true' : 'false'],
        ['extras', JSON.stringify(options.extras || {})],
        ['version', settings.version || ''],
        ['origin', window.location.origin],
        ['request_id', id]
      ].map(function (p) { return encodeURIComponent(p[0]) + '=' + encodeURIComponent(p[1]); }).join('&');
      var width = 640, height = 800;
      var left = Math.max(0, (window.screenX || 0) + ((window.outerWidth || width) - width) / 2);
      var top = Math.max(0, (window.screenY || 0) + ((window.outerHeight || height) - height) / 2);
      var popup = window.open(base + '/dialog/embedded-signup?' + query, 'meta_sandbox_signup_' + id,
        'popup=yes,width=' + width + ',height=' + height + ',left=' + left + ',top=' + top);
      if (!popup) {
        console.error('Meta sandbox SDK: the Embedded Signup popup was blocked.');
        later(function () { cb(cancelled); });
        return;
      }
      var request = { callback: cb, closedTicks: 0, timer: 0 };
      pending[id] = request;
      // A popup closed without answering (window closed by the person) ends the login as cancelled;
      // one extra tick lets a message posted just before closing arrive first.
      request.timer = window.setInterval(function () {
        if (!popup.closed) return;
        request.closedTicks += 1;
        if (request.closedTicks > 1) settle(id, cancelled, 0);
      }, 250);
    },
    getLoginStatus: function (callback) {
      if (typeof callback === 'function') later(function () { callback(cancelled); });
    },
    logout: function (callback) {
      if (typeof callback === 'function') later(function () { callback(cancelled); });
    },
    AppEvents: { logPageView: function () {}, logEvent: function () {} },
    XFBML: { parse: function () {} }
  };
  window.FB = FB;
  if (typeof window.fbAsyncInit === 'function') {
    try { window.fbAsyncInit(); } catch (e) { console.error(e); }
  }
})();
`;
}
