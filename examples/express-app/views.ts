// The demo's pages, as functions of their data. Every interpolated value is escaped by `html`.
import type { Activity } from './activity.js';
import { html, type Html } from './html.js';
import { layout } from './layout.js';
import type { DemoUser } from './user.js';

/** What every page knows about the app. */
export interface Site {
  appName: string;
  /** Whether the "link a phone" page exists (directory credentials are configured). */
  linking: boolean;
  /** The emulator's phone page, when the demo runs against the emulator. */
  phoneUrl: string | undefined;
  /** The last audit events of this process, shown under the sign-in, waiting and profile pages. */
  activity: Activity;
}

export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

function nav(site: Site): Html {
  return site.linking ? html`<a href="/link">Link a phone</a>` : html``;
}

function notice(n: Notice | undefined): Html {
  if (n === undefined) return html``;
  return html`<p class="notice ${n.kind}" role="${n.kind === 'error' ? 'alert' : 'status'}">${n.text}</p>`;
}

/** The Activity panel: the last audit events, newest first, as a security team's log shows them. */
function activityPanel(site: Site): Html {
  const entries = site.activity.recent();
  const rows = entries.map(
    (e) =>
      html`<tr class="${e.outcome}">
        <td><time datetime="${e.timestamp}">${e.timestamp.slice(11, 19)}</time></td>
        <td><code>${e.event}</code></td>
        <td>${e.outcome}</td>
        <td>${e.username ?? ''}</td>
        <td><code>${e.code ?? ''}</code></td>
      </tr>`,
  );
  return html`<section class="card activity" id="activity" aria-labelledby="activity-title">
    <h2 id="activity-title">Activity</h2>
    <p class="muted small">
      The strategy's audit events in this app, newest first (the <code>audit</code> option): what your security team
      would see. Times are UTC.
    </p>
    ${
      entries.length === 0
        ? html`<p class="muted small">Nothing yet: sign in to see the events of a login.</p>`
        : html`<table>
            <thead>
              <tr>
                <th>time</th>
                <th>event</th>
                <th>outcome</th>
                <th>username</th>
                <th>code</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`
    }
  </section>`;
}

function phoneHint(site: Site, what: string): Html {
  if (site.phoneUrl === undefined) return html``;
  return html`<p class="muted small hint">
    No phone? ${what} on the <a href="${site.phoneUrl}" target="_blank" rel="noopener">emulator's phone page</a>.
  </p>`;
}

export function loginPage(
  site: Site,
  data: { notice?: Notice | undefined; username: string; demoUsername?: string | undefined },
): Html {
  const body = html`<h1>Sign in</h1>
    <p class="muted">We send a request to your phone; approve it there and you are in. No password.</p>
    ${notice(data.notice)}
    <form method="post" action="/login">
      <label for="username">LaunchKey username</label>
      <input
        type="text"
        id="username"
        name="username"
        value="${data.username}"
        required
        maxlength="255"
        autocomplete="username"
        autocapitalize="none"
        spellcheck="false"
        aria-describedby="username-hint"
      />
      <p id="username-hint" class="muted small field-hint">
        ${
          data.demoUsername === undefined
            ? 'The username your phone is linked to.'
            : html`Try the demo user <code>${data.demoUsername}</code>: its phone is already linked.`
        }
      </p>
      <label class="check"
        ><input type="checkbox" name="twoFactors" value="on" /> Require two factors on the phone</label
      >
      <div class="actions">
        <button type="submit">Send sign-in request</button>${
          site.linking ? html`<a class="button secondary" href="/link">Link a new phone</a>` : ''
        }
      </div>
    </form>
    ${phoneHint(site, 'Answer the request')}`;
  return layout({ title: 'Sign in', appName: site.appName, body, nav: nav(site), aside: activityPanel(site) });
}

export function waitingPage(
  site: Site,
  data: { username: string; context: string; expiresAt?: string | undefined },
): Html {
  const head = html`<script src="/assets/waiting.js" defer></script>
    <noscript><meta http-equiv="refresh" content="4;url=/login/complete" /></noscript>`;
  const body = html`<h1>Check your phone</h1>
    <p>We sent a sign-in request to <strong>${data.username}</strong>. It says:</p>
    <p class="context" id="context">${data.context}</p>
    <p class="status" id="status" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true"></span> <span id="status-text">Waiting for your answer…</span>
    </p>
    ${
      data.expiresAt === undefined
        ? ''
        : html`<p class="small muted" id="expiry" data-expires="${data.expiresAt}">
            The request expires at ${data.expiresAt.slice(11, 16)} UTC.
          </p>`
    }
    <noscript
      ><p class="small muted">
        This page checks again every few seconds. <a href="/login/complete">Check now</a>.
      </p></noscript
    >
    <div class="actions">
      <form class="inline" method="post" action="/login/cancel">
        <button type="submit" class="secondary">Cancel</button>
      </form>
    </div>
    ${phoneHint(site, 'Approve, deny or report it')}`;
  return layout({
    title: 'Check your phone',
    appName: site.appName,
    body,
    head,
    nav: nav(site),
    aside: activityPanel(site),
  });
}

export function profilePage(site: Site, user: DemoUser): Html {
  const body = html`<h1>Welcome, ${user.username}</h1>
    <p class="muted">You signed in with LaunchKey.</p>
    <dl>
      <dt>LaunchKey username</dt>
      <dd id="lk-username">${user.username}</dd>
      <dt>Service user hash</dt>
      <dd><code id="lk-hash">${user.serviceUserHash}</code></dd>
      <dt>Device id</dt>
      <dd><code>${user.deviceId}</code></dd>
      <dt>Policy</dt>
      <dd id="lk-policy">${user.policy}</dd>
      <dt>Auth methods</dt>
      <dd>${user.authMethods.length === 0 ? 'none reported' : user.authMethods.join(', ')}</dd>
      <dt>Signed in at</dt>
      <dd><time datetime="${user.loginAt}">${user.loginAt.replace('T', ' ').slice(0, 19)} UTC</time></dd>
    </dl>
    <form method="post" action="/logout"><button type="submit">Sign out</button></form>
    ${phoneHint(site, 'End the session from the phone instead')}`;
  return layout({ title: 'Profile', appName: site.appName, body, nav: nav(site), aside: activityPanel(site) });
}

export function linkPage(site: Site, data: { notice?: Notice | undefined; username: string }): Html {
  const body = html`<h1>Link a phone</h1>
    <p class="muted">Pick a username. You get a code to enter in the LaunchKey app; then you can sign in with it.</p>
    ${notice(data.notice)}
    <form method="post" action="/link">
      <label for="link-username">New username</label>
      <input
        type="text"
        id="link-username"
        name="username"
        value="${data.username}"
        required
        maxlength="255"
        autocomplete="off"
        autocapitalize="none"
        spellcheck="false"
      />
      <div class="actions"><button type="submit">Get a linking code</button></div>
    </form>`;
  return layout({ title: 'Link a phone', appName: site.appName, body, nav: nav(site) });
}

export function linkCodePage(site: Site, data: { username: string; code: string; qrcode: string }): Html {
  const where =
    site.phoneUrl === undefined
      ? html`Open the LaunchKey app and enter this code (or scan the image):`
      : html`Open the <a href="${site.phoneUrl}" target="_blank" rel="noopener">emulator's phone page</a> and enter this
          code in <em>Link a device</em>:`;
  const body = html`<h1>Link your phone</h1>
    <p>${where}</p>
    <p class="code" id="link-code">${data.code}</p>
    <img class="qr" src="${data.qrcode}" alt="Linking code ${data.code} as an image" width="232" height="232" />
    <p class="muted small">The code is valid for 10 minutes.</p>
    <div class="actions">
      <a class="button" href="/login?username=${encodeURIComponent(data.username)}">Sign in as ${data.username}</a>
    </div>`;
  return layout({ title: 'Link your phone', appName: site.appName, body, nav: nav(site) });
}

export function errorPage(site: Site, status: number, text: string): Html {
  const body = html`<h1>${status === 404 ? 'Not found' : 'Something went wrong'}</h1>
    <p>${text}</p>
    <div class="actions"><a class="button" href="/login">Back to sign in</a></div>`;
  return layout({ title: String(status), appName: site.appName, body, nav: nav(site) });
}
