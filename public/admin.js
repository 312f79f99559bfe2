// Admin console: live preview of SMS templates (progressive enhancement; the page renders a
// preview server-side too). A textarea with data-preview-usage posts to the preview API.
(function () {
  var meta = document.querySelector('meta[name="csrf"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  var form = document.getElementById('config-form');

  function codeLength() {
    var input = document.querySelector('input[name="c.codeLength"]');
    var n = input ? parseInt(input.value, 10) : NaN;
    if (!isNaN(n) && n >= 4 && n <= 10) return n;
    return undefined;
  }

  function usageOf(area) {
    var select = form && form.querySelector('select[name="c.usage"]');
    return (select && select.value) || area.getAttribute('data-preview-usage') || 'sign-in';
  }

  function line(cls, text, tag) {
    var el = document.createElement(tag || 'p');
    el.className = cls;
    el.textContent = text;
    return el;
  }

  function show(region, result) {
    region.textContent = '';
    if (result.ok) {
      region.appendChild(line('preview-text', result.text, 'pre'));
      region.appendChild(line('muted preview-measure', result.characters + ' characters · ' + result.segments + ' SMS segments (' + result.encoding + ')'));
    } else {
      region.appendChild(line('error preview-problem', result.problem || 'The template cannot be rendered'));
      if (result.unknownVariables && result.unknownVariables.length) {
        region.appendChild(line('error preview-unknown', 'Unknown variables: ' + result.unknownVariables.join(', ')));
      }
    }
  }

  function attach(area) {
    var region = document.getElementById(area.id + '-preview');
    if (!region) return;
    var timer;
    var seq = 0;
    area.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++seq;
        if (!area.value.trim()) { region.textContent = ''; return; }
        var body = { template: area.value, usage: usageOf(area) };
        var n = codeLength();
        if (n !== undefined) body.codeLength = n;
        fetch('/admin/api/sms/templates/preview', {
          method: 'POST', credentials: 'same-origin',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-flowgate-csrf': csrf },
          body: JSON.stringify(body),
        }).then(function (res) { return res.json(); }).then(function (result) {
          if (mine !== seq) return;
          if (result && typeof result.ok === 'boolean') show(region, result);
          else show(region, { ok: false, problem: (result && result.detail) || 'Preview failed' });
        }).catch(function () {});
      }, 200);
    });
  }

  var areas = document.querySelectorAll('textarea[data-preview-usage]');
  for (var i = 0; i < areas.length; i++) attach(areas[i]);
})();
