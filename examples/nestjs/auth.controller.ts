// The login routes as a Nest controller. The status, webhook and logout routes hand the platform's
// request and response (Express's or Fastify's) to passport-launchkey/nest.
import { Controller, Get, Header, Inject, Post, Redirect, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { LaunchKeyNest, NestRoute } from 'passport-launchkey/nest';

import { loginPage, waitingPage } from '../launchkey_service.js';
import type { User } from '../users.js';
import { LaunchKeyLoginGuard } from './login.guard.js';
import { LoginFailedFilter } from './login_failed.filter.js';
import { LaunchKeyStrategy } from './launchkey.strategy.js';
import { LAUNCHKEY_ROUTES } from './tokens.js';

interface LoginRequest {
  user?: User | null;
  launchkey?: { status: 'pending' };
}

@Controller()
@UseFilters(LoginFailedFilter)
export class AuthController {
  private readonly statusRoute: NestRoute;
  private readonly webhookRoute: NestRoute;
  private readonly logoutRoute: NestRoute;

  constructor(
    @Inject(LAUNCHKEY_ROUTES) routes: LaunchKeyNest,
    @Inject(LaunchKeyStrategy) private readonly launchkey: LaunchKeyStrategy,
  ) {
    this.statusRoute = routes.status();
    this.webhookRoute = routes.webhook();
    this.logoutRoute = routes.logout({ redirect: '/' });
  }

  // The service's callback URL: the app is created with { rawBody: true } for it.
  @Post('launchkey/webhook')
  webhook(@Req() req: unknown, @Res() res: unknown): Promise<void> {
    return this.webhookRoute(req, res);
  }

  // Sends the push; the guard passes while the login is pending.
  @Post('login')
  @UseGuards(LaunchKeyLoginGuard)
  @Redirect('/login/wait', 303)
  start(): void {}

  @Get('login/wait')
  @Header('Content-Type', 'text/html; charset=utf-8')
  wait(): string {
    return waitingPage;
  }

  // JSON, ?wait= long polls, or Server-Sent Events: the route answers on the platform's response.
  @Get('login/status')
  status(@Req() req: unknown, @Res() res: unknown): Promise<void> {
    return this.statusRoute(req, res);
  }

  @Get('login/complete')
  @UseGuards(LaunchKeyLoginGuard)
  @Redirect('/', 302)
  complete(@Req() req: LoginRequest): { url: string; statusCode: number } | undefined {
    // Still pending: back to the waiting page.
    return req.launchkey === undefined ? undefined : { url: '/login/wait', statusCode: 303 };
  }

  @Post('login/cancel')
  @Redirect('/login', 303)
  async cancel(@Req() req: Parameters<LaunchKeyStrategy['cancel']>[0]): Promise<void> {
    await this.launchkey.cancel(req);
  }

  @Post('logout')
  logout(@Req() req: unknown, @Res() res: unknown): Promise<void> {
    return this.logoutRoute(req, res);
  }
  // examples end

  @Get('login')
  @Header('Content-Type', 'text/html; charset=utf-8')
  login(): string {
    return loginPage;
  }

  @Get()
  home(@Req() req: LoginRequest): string {
    return req.user ? `Hello ${req.user.username}` : 'Not logged in';
  }
}
