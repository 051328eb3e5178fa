// The step-up example's pages: plain HTML, every value from the request or the session escaped.

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1d2430}
form{margin:.75rem 0}label{display:block;margin:.5rem 0 .2rem;font-weight:600}
input{font:inherit;padding:.4rem .6rem;border:1px solid #b8c0cc;border-radius:6px}
button{font:inherit;padding:.45rem 1rem;border-radius:6px;border:1px solid #2454d6;background:#2454d6;color:#fff;cursor:pointer}
.note{padding:.6rem .8rem;border-radius:6px;background:#fdf0ef;color:#7d1f18}.muted{color:#5b6675}`;

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>${STYLE}</style></head><body><h1>${escape(title)}</h1>${body}</body></html>`;
}

const notes = (messages: readonly string[]): string =>
  messages.map((m) => `<p class="note" role="alert">${escape(m)}</p>`).join('');

/** Logged out: the password form, and a phone-only login through the same strategy. */
export function signInPage(messages: readonly string[]): string {
  return page(
    'Sign in',
    `${notes(messages)}
<form method="post" action="/login/password">
  <label for="username">Username</label><input id="username" name="username" autocomplete="username" required>
  <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
  <p><button>Sign in with password</button></p>
</form>
<form method="post" action="/login/phone">
  <label for="phone-username">Or with your phone only</label><input id="phone-username" name="username" required>
  <button>Send a push</button>
</form>`,
  );
}

/** Logged in: the cart (session data the step-up keeps) and the way to the guarded page. */
export function homePage(username: string, cart: readonly string[], confirmed: boolean): string {
  const items = cart.length === 0 ? '<li class="muted">empty</li>' : cart.map((i) => `<li>${escape(i)}</li>`).join('');
  return page(
    `Hello ${username}`,
    `<p id="factor">${confirmed ? 'Your phone confirmed it is you.' : 'Signed in with a password.'}</p>
<h2>Cart</h2><ul id="cart">${items}</ul>
<form method="post" action="/cart"><input name="item" aria-label="Item" required> <button>Add to cart</button></form>
<p><a href="/settings">Security settings</a> (asks your phone)</p>
<form method="post" action="/logout"><button>Sign out</button></form>`,
  );
}

/** The guarded page, once the phone confirmed the user recently. */
export function settingsPage(username: string, cartSize: number): string {
  return page(
    'Security settings',
    `<p>Only ${escape(username)}, confirmed on their phone in the last five minutes, sees this page.</p>
<p class="muted">Your cart still holds ${String(cartSize)} item(s).</p><p><a href="/">Home</a></p>`,
  );
}

/** The guarded page before the step-up: one button sends the push to the logged-in user. */
export function confirmPage(messages: readonly string[]): string {
  return page(
    'Confirm it is you',
    `${notes(messages)}<p>Security settings need your phone's approval.</p>
<form method="post" action="/step-up"><button>Send a push to my phone</button></form><p><a href="/">Home</a></p>`,
  );
}

/**
 * The waiting page: it follows the login's status and moves on once the phone answered; "none"
 * (nothing to wait for: the Back button, another tab finished) goes home.
 */
export const waitingPage = page(
  'Approve on your phone',
  `<p>Approve the request on your phone. It shows the code <b id="code"></b>.</p>
<form method="post" action="/login/cancel"><button>Cancel</button></form><script>
  const events = new EventSource('/login/status');
  events.addEventListener('status', (event) => {
    const { status, correlationCode } = JSON.parse(event.data);
    document.getElementById('code').textContent = correlationCode ?? '';
    if (status === 'pending') return;
    events.close();
    location.assign(status === 'none' ? '/' : '/login/complete');
  });
  document.forms[0].addEventListener('submit', () => events.close());</script>`,
);
