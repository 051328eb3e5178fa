// The strategy as Nest knows strategies: PassportStrategy(Strategy, 'launchkey') hands our
// constructor its options and, as the verify callback, `validate(result)`.
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy, type LaunchKeyResult, type StrategyOptions } from 'passport-launchkey';

import { LAUNCHKEY_OPTIONS } from './tokens.js';
import { UsersService } from './users.service.js';
import type { User } from '../users.js';

@Injectable()
export class LaunchKeyStrategy extends PassportStrategy(Strategy, 'launchkey') implements OnModuleDestroy {
  constructor(
    @Inject(LAUNCHKEY_OPTIONS) options: StrategyOptions,
    @Inject(UsersService) private readonly users: UsersService,
  ) {
    super(options);
  }

  /** An approved login: the user to log in (keep both: the hash is what a session end names). */
  validate({ username, serviceUserHash }: LaunchKeyResult): User {
    return this.users.save({ username, serviceUserHash });
  }

  /** Stops this instance's background pollers when the app closes. */
  onModuleDestroy(): Promise<void> {
    return this.close();
  }
}
