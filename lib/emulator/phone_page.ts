/**
 * The page at `/emulator/` that plays the phone: pending requests with Approve / Deny / Report
 * fraud (each with the time it has left), a linking-code box and open sessions to log out of.
 * Self-contained (no external assets); it polls the control API every second.
 */

const SCRIPT = `
const $ = (s) => document.querySelector(s);
const esc = (t) => String(t ?? '').replace(/[<>&"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
async function post(path, body) {
  const r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  $('#msg').textContent = r.ok ? 'Done.' : 'Error: ' + text;
  refresh();
}
function respond(id, action) {
  const sel = document.getElementById('reason-' + id);
  const body = { action };
  if (action !== 'approve' && sel && sel.value) body.denialReason = sel.value;
  post('/emulator/auths/' + encodeURIComponent(id) + '/respond', body);
}
// The emulator's clock may be shifted from this browser's: count down against the emulator's.
let offsetMs = 0;
function left(iso) {
  const s = Math.max(0, Math.round((Date.parse(iso) - (Date.now() + offsetMs)) / 1000));
  return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
}
function tick() {
  document.querySelectorAll('[data-expires]').forEach((el) => { el.textContent = left(el.dataset.expires); });
}
async function refresh() {
  try {
    const [auths, sessions, clock] = await Promise.all([
      fetch('/emulator/auths?status=pending').then((r) => r.json()),
      fetch('/emulator/sessions').then((r) => r.json()),
      fetch('/emulator/clock').then((r) => r.json()),
    ]);
    offsetMs = clock.offsetSeconds * 1000;
    $('#auths').innerHTML = auths.length === 0 ? '<p class="empty">No pending requests.</p>' : auths.map((a) =>
      '<div class="card"><h3>' + esc(a.title || 'Authorization request') + '</h3>' +
      '<p>' + esc(a.context) + '</p><p class="meta">' + esc(a.serviceName) + ' · ' + esc(a.username) +
      ' · expires in <span class="expires" data-expires="' + esc(a.expiresAt) + '" title="' + esc(a.expiresAt) + '">' +
      left(a.expiresAt) + '</span></p>' +
      (a.denialReasons.length ? '<select id="reason-' + esc(a.id) + '"><option value="">Denial reason…</option>' +
        a.denialReasons.map((d) => '<option value="' + esc(d.id) + '">' + esc(d.reason) + '</option>').join('') + '</select>' : '') +
      '<div class="buttons"><button class="ok" data-id="' + esc(a.id) + '" data-action="approve">Approve</button>' +
      '<button data-id="' + esc(a.id) + '" data-action="deny">Deny</button>' +
      '<button class="bad" data-id="' + esc(a.id) + '" data-action="fraud">Report fraud</button></div></div>').join('');
    $('#sessions').innerHTML = sessions.length === 0 ? '<p class="empty">No open sessions.</p>' : sessions.map((s) =>
      '<div class="row">' + esc(s.serviceName) + ' · ' + esc(s.username) +
      ' <button data-service="' + esc(s.serviceId) + '" data-user="' + esc(s.username) + '">Log out</button></div>').join('');
  } catch (e) { $('#msg').textContent = 'Emulator unreachable'; }
}
document.addEventListener('click', (e) => {
  const b = e.target.closest('button');
  if (!b) return;
  if (b.dataset.action) respond(b.dataset.id, b.dataset.action);
  if (b.dataset.service) post('/emulator/sessions/end', { serviceId: b.dataset.service, username: b.dataset.user });
});
$('#link').addEventListener('submit', (e) => {
  e.preventDefault();
  post('/emulator/devices/link', { code: $('#code').value.trim(), name: 'Browser phone' });
  $('#code').value = '';
});
refresh();
setInterval(refresh, 1000);
setInterval(tick, 250);
`;

/** The phone page HTML. */
export const PHONE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>LaunchKey emulator phone</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#eef1f5;color:#1d2430}
main{max-width:420px;margin:24px auto;background:#fff;border-radius:28px;padding:20px 18px;box-shadow:0 8px 30px #0002}
h1{font-size:1.2rem;margin:0 0 12px}h2{font-size:1rem;margin:18px 0 8px;color:#4a5568}
.card{border:1px solid #d8dee8;border-radius:12px;padding:12px;margin-bottom:10px}.card h3{margin:0 0 6px;font-size:1rem}
.meta{color:#667;font-size:.85rem}.empty{color:#889}.buttons{display:flex;gap:6px;margin-top:8px}
button{border:1px solid #aab;border-radius:8px;background:#f7f8fa;padding:6px 10px;cursor:pointer}
button.ok{background:#1f8f4e;color:#fff;border-color:#1f8f4e}button.bad{background:#c0392b;color:#fff;border-color:#c0392b}
input{padding:6px;border:1px solid #aab;border-radius:8px;width:60%}select{margin-top:6px}.row{margin:6px 0}#msg{color:#667;font-size:.85rem;min-height:1em}
</style></head><body><main>
<h1>LaunchKey emulator · phone</h1>
<p id="msg"></p>
<h2>Pending requests</h2><div id="auths"></div>
<h2>Link a device</h2><form id="link"><input id="code" placeholder="Linking code" autocomplete="off"> <button>Link</button></form>
<h2>Sessions</h2><div id="sessions"></div>
</main><script>${SCRIPT}</script></body></html>
`;
