/**
 * `launchkey sessions list|end`: a directory user's sessions with the directory's services.
 */
import type { Command } from '../command.js';
import { EXIT } from '../exit_codes.js';
import { sessionJson, shortDate, table } from '../views.js';

export const sessionsList: Command = {
  name: 'sessions list',
  summary: "list a user's sessions with the directory's services",
  args: ['USER'],
  description: ["Lists USER's open sessions with the directory's services."],
  options: {},
  credentials: 'directory',
  notFound: 'No such user in the directory.',
  exits: [[EXIT.OK, 'listed']],
  json: [
    '{"user","sessions":[SESSION]}',
    'SESSION: {"serviceId","serviceName","serviceIcon","authorizationRequestId","created"}',
  ],
  async run({ args, out, credentials }) {
    const [user = ''] = args;
    const sessions = await credentials.directoryClient().getAllServiceSessions(user);
    const text =
      sessions.length === 0
        ? `${user} has no sessions.`
        : table(
            ['SERVICE', 'SERVICE ID', 'STARTED', 'AUTH REQUEST'],
            sessions.map((s) => [s.serviceName, s.serviceId, shortDate(s.created), s.authRequest ?? '-']),
          );
    out.result(text, { user, sessions: sessions.map(sessionJson) });
    return EXIT.OK;
  },
};

export const sessionsEnd: Command = {
  name: 'sessions end',
  summary: "end all of a user's sessions",
  args: ['USER'],
  description: ["Ends all of USER's sessions with the directory's services, e.g. when their phone is lost."],
  options: {},
  credentials: 'directory',
  notFound: 'No such user in the directory.',
  exits: [[EXIT.OK, 'ended (also when there was none)']],
  json: ['{"user","ended":true}'],
  async run({ args, out, credentials }) {
    const [user = ''] = args;
    await credentials.directoryClient().endAllServiceSessions(user);
    out.result(`Ended all sessions of ${user}.`, { user, ended: true });
    return EXIT.OK;
  },
};
