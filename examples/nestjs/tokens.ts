// Injection tokens: the strategy's options (from the app's settings) and its routes. Explicit
// tokens, since the example runs from source with tsx, which emits no decorator metadata.
export const LAUNCHKEY_OPTIONS = Symbol('LAUNCHKEY_OPTIONS');
export const LAUNCHKEY_ROUTES = Symbol('LAUNCHKEY_ROUTES');
