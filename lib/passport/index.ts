/**
 * The Passport face of passport-launchkey: the strategy, its option and result types, its audit
 * events, the pending store contract with its in-memory default, and the rate limiter. Named
 * re-exports only.
 */
export { Strategy, MAX_USERNAME_LENGTH } from './strategy.js';
export type {
  FastifyRequestLike,
  FrameworkRequest,
  KoaContextLike,
  LaunchKeyPending,
  LaunchKeySuccessInfo,
} from './strategy.js';
export type { LaunchKeyFailed, LaunchKeyOutcomeInfo } from './outcome.js';
export { launchkeyOptions } from './options.js';
export type {
  AppState,
  AuthenticateOptions,
  CompletionMode,
  LaunchKeyRequestOptions,
  LaunchKeyResult,
  LaunchKeyServiceClient,
  Resolvable,
  StrategyOptions,
  StrategyOptionsBase,
  StrategyOptionsWithRequest,
  VerifyCallback,
  VerifyFunction,
  VerifyFunctionWithRequest,
  VerifyUser,
} from './options.js';
export { FAILURE_MESSAGES, FAILURE_STATUS } from './failures.js';
export type { FailureCode, LaunchKeyFailureInfo } from './failures.js';
export type { LoginStatus } from './login_status.js';
export type {
  ChangeListener,
  CompletionResult,
  FinalOutcome,
  FinalStatus,
  PendingRecord,
  PendingStatus,
  PendingStore,
} from './store.js';
export { MemoryStore } from './memory_store.js';
export type { MemoryStoreOptions } from './memory_store.js';
export { MemoryRateLimiter, DEFAULT_RATE_LIMITS } from './rate_limit.js';
export type {
  MemoryRateLimiterOptions,
  RateLimitDecision,
  RateLimiter,
  RateLimitOptions,
  RateLimitRule,
} from './rate_limit.js';
export type {
  AuditEvent,
  AuditEventBase,
  AuditEventName,
  AuditLimit,
  AuditListener,
  AuditOutcome,
  LoginApprovedEvent,
  LoginErrorEvent,
  LoginFailedEvent,
  LoginFailureEventName,
  LoginSettledEvent,
  LoginStartedEvent,
  LogoutEvent,
  SettledAnswer,
  WebhookAuditEvent,
  WebhookKind,
} from './audit_events.js';
export type { StatusHandlerOptions } from './status_handler.js';
export type { WebhookHandlerOptions } from './webhook_handler.js';
export type { LogoutHandlerOptions } from './logout.js';
export type { SessionGuardOptions } from './session_guard.js';
