// What passport keeps in the session: the user's service user hash.
import { Inject, Injectable } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';

import type { User } from '../users.js';
import { UsersService } from './users.service.js';

@Injectable()
export class SessionSerializer extends PassportSerializer {
  constructor(@Inject(UsersService) private readonly users: UsersService) {
    super();
  }

  serializeUser(user: User, done: (err: unknown, hash?: string) => void): void {
    done(null, user.serviceUserHash);
  }

  deserializeUser(hash: string, done: (err: unknown, user?: User | false) => void): void {
    done(null, this.users.find(hash) ?? false);
  }
}
