// The session guard as a global Nest guard: a user who ended their LaunchKey session from the
// phone is logged out before any route runs (and the request goes on, logged out).
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { LaunchKeyNest } from 'passport-launchkey/nest';

import { LAUNCHKEY_ROUTES } from './tokens.js';

@Injectable()
export class LaunchKeySessionGuard implements CanActivate {
  constructor(@Inject(LAUNCHKEY_ROUTES) private readonly routes: LaunchKeyNest) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.routes.guard(context.switchToHttp().getRequest());
    return true;
  }
}
