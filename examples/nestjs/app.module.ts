// The app's module: passport with sessions, the LaunchKey strategy as a provider, its routes, the
// login controller and the session guard for every route.
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import type { StrategyOptions } from 'passport-launchkey';
import { nestHandlers } from 'passport-launchkey/nest';

import { AuthController } from './auth.controller.js';
import { LaunchKeyStrategy } from './launchkey.strategy.js';
import { LaunchKeySessionGuard } from './session.guard.js';
import { SessionSerializer } from './session.serializer.js';
import { LAUNCHKEY_OPTIONS, LAUNCHKEY_ROUTES } from './tokens.js';
import { UsersService } from './users.service.js';

// A Nest module is a class that carries its decorator; forRoot() gives it the strategy's options.
@Module({})
// eslint-disable-next-line @typescript-eslint/no-extraneous-class
export class AppModule {
  static forRoot(launchkey: StrategyOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [PassportModule.register({ session: true })],
      controllers: [AuthController],
      providers: [
        UsersService,
        SessionSerializer,
        { provide: LAUNCHKEY_OPTIONS, useValue: launchkey },
        LaunchKeyStrategy,
        { provide: LAUNCHKEY_ROUTES, useFactory: nestHandlers, inject: [LaunchKeyStrategy] },
        { provide: APP_GUARD, useClass: LaunchKeySessionGuard },
      ],
    };
  }
}
