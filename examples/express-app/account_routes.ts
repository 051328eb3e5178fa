// The signed-in part: the profile page and signing out (here and at LaunchKey).
import express from 'express';
import type { Strategy } from 'passport-launchkey';

import { demoUser } from './user.js';
import { profilePage, type Site } from './views.js';

export function accountRoutes({ site, strategy }: { site: Site; strategy: Strategy }): express.Router {
  const router = express.Router();

  router.get('/profile', (req, res) => {
    const user = demoUser(req.user);
    if (user === undefined) {
      res.redirect(303, '/login');
      return;
    }
    res.set('Cache-Control', 'no-store');
    res.type('html').send(profilePage(site, user).text);
  });

  // Ends the LaunchKey session first (the phone stops listing it), then the local one.
  router.post('/logout', strategy.logoutHandler({ redirect: '/login?notice=signed-out' }));

  return router;
}
