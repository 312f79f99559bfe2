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
    if (left <= 0) { button.disabled = false; wait.hidden = true; return; }
    wait.textContent = template.replace(/\d+/, String(left));
    setTimeout(tick, 1000);
  }
  tick();
})();
