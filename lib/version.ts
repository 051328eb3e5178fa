/** Package name and version, sent in the User-Agent. A spec keeps it equal to package.json. */
export const PACKAGE_NAME = 'passport-launchkey';
export const PACKAGE_VERSION = '0.1.0';
