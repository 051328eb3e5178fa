// The context line a push carries, e.g. "Sign in to Demo app from Firefox on Linux at 14:05 UTC".

/** A short name of the browser and system from a User-Agent header. */
export function describeBrowser(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /(Chrome|Chromium|HeadlessChrome)\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : /curl\//.test(ua)
            ? 'curl'
            : 'a browser';
  const system = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : undefined;
  return system === undefined ? browser : `${browser} on ${system}`;
}

/** The push context for a sign-in to `appName` from this browser, now. */
export function loginContext(appName: string, userAgent: string | undefined, at: Date): string {
  const time = at.toISOString().slice(11, 16);
  return `Sign in to ${appName} from ${describeBrowser(userAgent)} at ${time} UTC`;
}
