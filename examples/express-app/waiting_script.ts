// The waiting page's script, served as /assets/waiting.js (so the page needs no inline script).
// It listens to the status stream and moves on to the completion route once the login is final;
// without JavaScript the page refreshes to the same route instead.
export const WAITING_SCRIPT = `'use strict';
(function () {
  var text = document.getElementById('status-text');
  // The time the request has left, counted down each second (the page states the time without JavaScript).
  var expiry = document.getElementById('expiry');
  if (expiry) {
    var ends = Date.parse(expiry.getAttribute('data-expires'));
    var show = function () {
      var s = Math.max(0, Math.round((ends - Date.now()) / 1000));
      expiry.textContent = 'The request expires in ' + Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0') + '.';
    };
    show();
    setInterval(show, 1000);
  }
  if (!window.EventSource) return;
  var events = new EventSource('/login/status');
  events.addEventListener('status', function (e) {
    var s = JSON.parse(e.data);
    if (s.status === 'pending') return;
    events.close();
    // "none": no login to wait for (another tab finished it, or this page came back with Back).
    if (s.status === 'none') {
      window.location.replace('/');
      return;
    }
    text.textContent = s.status === 'approved' ? 'Approved. Signing you in…' : 'Answered. One moment…';
    window.location.replace('/login/complete');
  });
  // Cancel answers the page itself: stop listening so its own "canceled" event does not race it.
  document.querySelectorAll('form').forEach(function (form) {
    form.addEventListener('submit', function () {
      events.close();
    });
  });
})();
`;
