// Linking a phone for a new user: the directory starts a link and the page shows its code.
import express from 'express';
import { LaunchKeyError, MAX_USERNAME_LENGTH } from 'passport-launchkey';
import type { DirectoryClient } from 'passport-launchkey/sdk';

import { linkCodePage, linkPage, type Site } from './views.js';

export function linkRoutes({ site, directory }: { site: Site; directory: DirectoryClient }): express.Router {
  const router = express.Router();

  router.get('/link', (_req, res) => {
    res.type('html').send(linkPage(site, { username: '' }).text);
  });

  router.post('/link', (req, res, next) => {
    const raw: unknown = (req.body as Record<string, unknown> | undefined)?.['username'];
    const username = typeof raw === 'string' ? raw.trim() : '';
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    if (username.length === 0 || username.length > MAX_USERNAME_LENGTH || /[\u0000-\u001f\u007f]/.test(username)) {
      res
        .status(400)
        .type('html')
        .send(linkPage(site, { username, notice: { kind: 'error', text: 'Enter a username.' } }).text);
      return;
    }
    directory.linkDevice(username, { ttl: 600 }).then(
      (link) => {
        res.set('Cache-Control', 'no-store');
        res.type('html').send(linkCodePage(site, { username, code: link.code, qrcode: link.qrcode }).text);
      },
      (err: unknown) => {
        if (!(err instanceof LaunchKeyError)) {
          next(err);
          return;
        }
        const text = `LaunchKey could not start the link (${err.code}).`;
        res
          .status(502)
          .type('html')
          .send(linkPage(site, { username, notice: { kind: 'error', text } }).text);
      },
    );
  });

  return router;
}
