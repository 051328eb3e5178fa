// The app's users (a Map standing in for its database), as a Nest provider.
import { Injectable } from '@nestjs/common';

import { findUser, saveUser, type User } from '../users.js';

@Injectable()
export class UsersService {
  /** Creates or refreshes the user LaunchKey knows by this service user hash. */
  save(user: User): User {
    return saveUser(user);
  }

  find(serviceUserHash: string): User | undefined {
    return findUser(serviceUserHash);
  }
}
