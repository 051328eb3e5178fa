// The framework examples' user store: a Map standing in for the app's database.

/** What the app keeps about a LaunchKey user. */
export interface User {
  /** To push to the user and to end their LaunchKey session. */
  username: string;
  /** LaunchKey's stable id of the user for this service: the key of the user record. */
  serviceUserHash: string;
}

const users = new Map<string, User>();

/** Creates or refreshes the user known by this service user hash. */
export function saveUser(user: User): User {
  users.set(user.serviceUserHash, user);
  return user;
}

/** The user known by this service user hash. */
export function findUser(serviceUserHash: string): User | undefined {
  return users.get(serviceUserHash);
}
