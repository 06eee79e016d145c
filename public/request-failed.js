// A request htmx sent that failed (a 5xx or another status the layout's htmx-config does not swap,
// no answer at all, or a timeout) shows a banner with the server's reason, a Retry that sends the
// same request again (same verb, path, values and target: a form's one-time key makes a repeated
// POST safe) and a Dismiss. Without this htmx swallows the failure and the button looks dead.
(function () {
  'use strict';
  var OFFLINE = 'Could not reach Perpetua — check the connection';
  var failed = null; // the failed request's details, for Retry
  var dismissed = null; // "verb path" dismissed: a poll failing again stays quiet until a success
  var REASONS = ['#error-message', '.problem']; // the error page's message first (pages/error.hbs)

  function el(id) { return document.getElementById(id); }
  function keyOf(d) { return d.requestConfig ? d.requestConfig.verb + ' ' + d.pathInfo.requestPath : ''; }

  /** The reason the server gave: the error page's message, else its status. */
  function reasonOf(xhr) {
    var text = '';
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText || '', 'text/html');
      for (var i = 0; i < REASONS.length && !text; i++) {
        var msg = doc.querySelector(REASONS[i]);
        text = msg ? msg.textContent.replace(/\s+/g, ' ').trim() : '';
      }
    } catch (e) { text = ''; }
    // No page of ours (a proxy's answer, say): its status is all there is to say.
    return text || 'Perpetua answered ' + xhr.status + (xhr.statusText ? ' ' + xhr.statusText : '');
  }

  function show(d, message) {
    var banner = el('request-failed');
    if (!banner || !d.requestConfig) return;
    // Someone tapping again always hears back; a poll (no triggering event) dismissed stays quiet.
    if (dismissed === keyOf(d) && !d.requestConfig.triggeringEvent) return;
    failed = d;
    dismissed = null;
    el('request-failed-message').textContent = message;
    el('request-failed-retry').disabled = false;
    banner.hidden = false;
  }

  function hide() {
    var banner = el('request-failed');
    if (banner) banner.hidden = true;
    failed = null;
  }

  function retry() {
    if (!failed || !window.htmx) return;
    var d = failed;
    var c = d.requestConfig;
    hide();
    var source = document.body.contains(c.elt) ? c.elt : undefined;
    var target = document.body.contains(d.target) ? d.target : undefined;
    window.htmx.ajax(c.verb, d.pathInfo.requestPath, {
      source: source, target: target, swap: d.etc && d.etc.swapOverride,
      values: c.verb === 'get' ? undefined : c.formData, // the values sent, with the button pressed (do=...)
    }).catch(function () { /* a second failure shows the banner again through the events below */ });
  }

  document.addEventListener('htmx:responseError', function (e) { show(e.detail, reasonOf(e.detail.xhr)); });
  document.addEventListener('htmx:sendError', function (e) { show(e.detail, OFFLINE); });
  document.addEventListener('htmx:timeout', function (e) { show(e.detail, OFFLINE); });
  document.addEventListener('htmx:afterRequest', function (e) {
    if (e.detail.successful) { dismissed = null; if (failed && keyOf(failed) === keyOf(e.detail)) hide(); }
  });
  document.addEventListener('click', function (e) {
    var t = e.target;
    if (!(t instanceof Element)) return;
    if (t.closest('#request-failed-retry')) retry();
    else if (t.closest('#request-failed-dismiss')) { dismissed = failed ? keyOf(failed) : null; hide(); }
  });
})();
