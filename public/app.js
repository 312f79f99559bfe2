// Resend countdown on the code page (progressive enhancement; the page works without it).
(function () {
  var wait = document.getElementById('resend-wait');
  var button = document.getElementById('resend');
  if (!wait || !button) return;
  var at = Date.parse(wait.getAttribute('data-resend-at'));
  var template = wait.textContent;
  button.disabled = true;
  function tick() {
    var left = Math.ceil((at - Date.now()) / 1000);
    if (button.getAttribute('data-ready')) return; // the send failed: a new code may be asked for now
    if (left <= 0) { button.disabled = false; wait.hidden = true; return; }
    wait.textContent = template.replace(/\d+/, String(left));
    setTimeout(tick, 1000);
  }
  tick();
})();

// The code page learns of a failed send without a reload: while the SMS is pending it asks the
// interaction's status endpoint, and when the message could not be sent it says so in place of
// "We sent…" and offers a new code at once. Without script, the page links to a reload.
(function () {
  var status = document.getElementById('send-status');
  var url = status && status.getAttribute('data-status-url');
  if (!url || !window.fetch) return;
  var tries = 0;
  function again() {
    tries += 1;
    if (tries < 60) setTimeout(poll, 2000);
  }
  function failed(message) {
    status.textContent = message;
    status.className = 'error';
    status.setAttribute('role', 'alert');
    var button = document.getElementById('resend');
    var wait = document.getElementById('resend-wait');
    if (wait) wait.hidden = true;
    if (button) {
      button.disabled = false;
      button.className = '';
      button.setAttribute('data-ready', '1');
    }
  }
  function poll() {
    fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (body) {
        if (body && body.status === 'failed' && typeof body.message === 'string') failed(body.message);
        else if (!body || body.status === 'pending') again();
      }, again);
  }
  setTimeout(poll, 500);
})();

// A form that only carries a protocol step on (signing out without a session) submits itself;
// without script its Continue button does the same.
(function () {
  var form = document.querySelector('form[data-auto-submit]');
  if (form) form.submit();
})();
