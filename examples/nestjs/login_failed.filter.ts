// A failed login goes back to the login page, with the reason's code, on either platform.
import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

import { LoginFailedException } from './login.guard.js';

@Catch(LoginFailedException)
export class LoginFailedFilter implements ExceptionFilter {
  constructor(@Inject(HttpAdapterHost) private readonly host: HttpAdapterHost) {}

  catch(exception: LoginFailedException, context: ArgumentsHost): void {
    const response: unknown = context.switchToHttp().getResponse();
    this.host.httpAdapter.redirect(response, 303, `/login?failed=${encodeURIComponent(exception.info.code)}`);
  }
}
