/**
 * Whether a host is the local machine's loopback interface: `localhost`, `127.x.x.x` or `::1`, bare (a
 * bind address) or bracketed (a URL's hostname), in any case. The one rule for the two places that trust
 * loopback more: plain `http:` to the API is allowed only there (transport/http.ts: the emulator), and
 * the emulator binds only there unless told `allowRemote` (`startEmulator`). A leaf: imports nothing.
 */
export function isLoopbackHost(host: string): boolean {
  return /^(?:localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i.test(host);
}
