// The step-up example's accounts: a password per user, as an app has before it adds LaunchKey. The
// username is also the user's LaunchKey identifier, so the push after the password goes to them.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const derive = promisify(scrypt) as (password: string, salt: Buffer, length: number) => Promise<Buffer>;

/** What the app keeps of an account (its database row). */
interface Account {
  username: string;
  salt: Buffer;
  hash: Buffer;
}

/** Who is logged in, as the session holds it. */
export interface User {
  username: string;
  /** When the phone last confirmed this user (ms since 1970): a step-up or a phone-only login. */
  confirmedAt?: number;
}

const accounts = new Map<string, Account>();
// Compared against when the username is unknown, so an unknown name takes as long as a wrong password.
const NOBODY: Account = { username: '', salt: randomBytes(16), hash: randomBytes(32) };

/** Creates an account with this password. */
export async function addAccount(username: string, password: string): Promise<void> {
  const salt = randomBytes(16);
  accounts.set(username, { username, salt, hash: await derive(password, salt, 32) });
}

/** The user, when the password is theirs. */
export async function checkPassword(username: string, password: string): Promise<User | undefined> {
  const account = accounts.get(username) ?? NOBODY;
  const hash = await derive(password, account.salt, 32);
  return timingSafeEqual(hash, account.hash) && account !== NOBODY ? { username } : undefined;
}

/** Whether an account by that name exists (a phone-only login is for account holders only). */
export function hasAccount(username: string): boolean {
  return accounts.has(username);
}
