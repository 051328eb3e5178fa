// AuthGuard('launchkey') on the login routes. A start passes with no user (the login is pending:
// request.launchkey); an approved completion has a user, whom logIn puts in a new session; a
// failure is a LoginFailedException carrying the strategy's info.code.
import { HttpException, Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { LaunchKeyFailureInfo } from 'passport-launchkey';

export class LoginFailedException extends HttpException {
  constructor(
    readonly info: LaunchKeyFailureInfo,
    status: number,
  ) {
    super({ message: info.message, code: info.code }, status);
  }
}

@Injectable()
export class LaunchKeyLoginGuard extends AuthGuard('launchkey') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const active = (await super.canActivate(context)) as boolean;
    const request = context.switchToHttp().getRequest<{ user?: unknown; logIn: () => void }>();
    // passport's req.logIn: a new session id, the user and the LaunchKey login in it.
    if (request.user !== undefined) await super.logIn(request);
    return active;
  }

  override handleRequest<TUser>(
    err: unknown,
    user: TUser | false,
    info: unknown,
    _context: unknown,
    status?: unknown,
  ): TUser {
    if (err instanceof Error) throw err;
    if (user === false)
      throw new LoginFailedException(info as LaunchKeyFailureInfo, typeof status === 'number' ? status : 401);
    return user;
  }
}
