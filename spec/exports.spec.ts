import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The public surface, entry by entry (docs/architecture.md, "The faces and the layers"): every name each
 * entry of package.json's `exports` gives, values and types, sorted. A change here is a change to what
 * users can import: make it on purpose, and say it in CHANGELOG.md.
 */
const SURFACE: Record<string, readonly string[]> = {
  '.': [
    'ApiError',
    'ApiErrorDetails',
    'ApiTimeoutError',
    'ApiUnavailableError',
    'AppState',
    'AuditEvent',
    'AuditEventBase',
    'AuditEventName',
    'AuditLimit',
    'AuditListener',
    'AuditListenerError',
    'AuditListenerFailure',
    'AuditOutcome',
    'AuthRequestMismatchError',
    'AuthenticateOptions',
    'AuthorizationInProgressError',
    'AuthorizationRequestCanceledError',
    'AuthorizationResponseExistsError',
    'ChangeListener',
    'ClockNotSynchronizedError',
    'CompletionMode',
    'CompletionResult',
    'ConfigurationError',
    'ConflictError',
    'DEFAULT_RATE_LIMITS',
    'DirectoryNameInUseError',
    'EntityNotFoundError',
    'FAILURE_MESSAGES',
    'FAILURE_STATUS',
    'FailureCode',
    'FastifyRequestLike',
    'FinalOutcome',
    'FinalStatus',
    'ForbiddenError',
    'FrameworkRequest',
    'HookTimeoutError',
    'InvalidArgumentError',
    'InvalidDirectoryIdentifierError',
    'InvalidParametersError',
    'InvalidPolicyError',
    'InvalidPolicyInputError',
    'InvalidPublicKeyError',
    'InvalidRequestError',
    'InvalidRouteError',
    'InvalidSDKKeyError',
    'JweDecryptionError',
    'JweFailure',
    'JwtFailure',
    'JwtVerificationError',
    'KoaContextLike',
    'LastRemainingKeyError',
    'LastRemainingSDKKeyError',
    'LaunchKeyError',
    'LaunchKeyErrorCode',
    'LaunchKeyErrorOptions',
    'LaunchKeyFailed',
    'LaunchKeyFailureInfo',
    'LaunchKeyOutcomeInfo',
    'LaunchKeyPending',
    'LaunchKeyRequestOptions',
    'LaunchKeyResult',
    'LaunchKeyServiceClient',
    'LaunchKeySuccessInfo',
    'LegacyPackageRefusedError',
    'LoginApprovedEvent',
    'LoginErrorEvent',
    'LoginFailedEvent',
    'LoginFailureEventName',
    'LoginSettledEvent',
    'LoginStartedEvent',
    'LoginStatus',
    'LogoutEvent',
    'LogoutHandlerOptions',
    'MAX_USERNAME_LENGTH',
    'MemoryRateLimiter',
    'MemoryRateLimiterOptions',
    'MemoryReplayCache',
    'MemoryReplayCacheOptions',
    'MemoryStore',
    'MemoryStoreOptions',
    'NetworkError',
    'PayloadValidationError',
    'PendingRecord',
    'PendingStatus',
    'PendingStore',
    'PendingStoreFullError',
    'PolicyFailureError',
    'PublicKeyAlreadyInUseError',
    'PublicKeyDoesNotExistError',
    'RateLimitDecision',
    'RateLimitOptions',
    'RateLimitRule',
    'RateLimitedError',
    'RateLimiter',
    'ReplayCache',
    'ReplayCacheError',
    'ReplayCacheFailure',
    'RequestTimedOutError',
    'Resolvable',
    'ResponseTooLargeError',
    'ServiceNameTakenError',
    'ServiceNotFoundError',
    'SessionGuardOptions',
    'SettledAnswer',
    'StatusHandlerOptions',
    'StoreUnavailableError',
    'Strategy',
    'StrategyOptions',
    'StrategyOptionsBase',
    'StrategyOptionsWithRequest',
    'TransportError',
    'UnauthorizedError',
    'UnexpectedResponseError',
    'UnexpectedStatusError',
    'UnknownApiKeyError',
    'VerifyCallback',
    'VerifyFunction',
    'VerifyFunctionWithRequest',
    'VerifyUser',
    'WebhookAuditEvent',
    'WebhookHandlerOptions',
    'WebhookKind',
    'launchkeyOptions',
  ],
  './sdk': [
    'AddPublicKeyOptions',
    'AuthMethod',
    'AuthMethodType',
    'AuthPolicy',
    'AuthPolicyOptions',
    'AuthPolicyRequirement',
    'AuthPolicyType',
    'AuthResponseReason',
    'AuthResponseType',
    'AuthorizationRequest',
    'AuthorizationRequestOptions',
    'AuthorizationResponse',
    'AuthorizationResponseOptions',
    'AuthorizationResponsePolicy',
    'AuthorizationResponseWebhook',
    'ConditionalGeoFencePolicy',
    'ConditionalGeoFencePolicyJson',
    'ConditionalGeoFencePolicyOptions',
    'CreateServiceOptions',
    'DAY_NAMES',
    'DayName',
    'DenialReason',
    'Device',
    'DeviceLinkCompletionWebhook',
    'DeviceLinkData',
    'DeviceStatus',
    'Directory',
    'DirectoryClient',
    'DirectoryClientOptions',
    'DirectoryFactory',
    'DirectoryUserTotp',
    'FactorName',
    'FactorsPolicy',
    'FactorsPolicyJson',
    'FactorsPolicyOptions',
    'FactoryOptions',
    'Fence',
    'FenceJson',
    'GeoCircleFence',
    'GeoCircleFenceJson',
    'GeoCircleFenceOptions',
    'GeofenceOptions',
    'HashFunc',
    'JweAlgorithm',
    'JwsAlgorithm',
    'KeyRing',
    'KeyType',
    'LegacyAuthorizationResponse',
    'LegacyAuthorizationResponseWebhook',
    'LegacyFactorAttributesJson',
    'LegacyFactorJson',
    'LegacyPolicy',
    'LegacyPolicyOptions',
    'LegacyStructureJson',
    'LinkDeviceOptions',
    'LocationJson',
    'MethodAmountPolicy',
    'MethodAmountPolicyJson',
    'MethodAmountPolicyOptions',
    'MinimumRequirementJson',
    'NestedPolicy',
    'OrganizationClient',
    'OrganizationFactory',
    'PrivateKey',
    'PrivateKeyLookup',
    'PrivateKeys',
    'PublicKey',
    'PublicKeyInfo',
    'Service',
    'ServiceClient',
    'ServiceClientOptions',
    'ServiceFactory',
    'ServicePolicy',
    'ServiceSession',
    'SessionEndWebhook',
    'TerritoryFence',
    'TerritoryFenceJson',
    'TerritoryFenceOptions',
    'TimeFence',
    'TimeFenceJson',
    'TimeFenceOptions',
    'TransportOptions',
    'UpdateDirectoryOptions',
    'UpdatePublicKeyOptions',
    'UpdateServiceOptions',
    'WebhookContext',
    'WebhookEvent',
    'WebhookRequest',
    'fenceFromJSON',
    'keyId',
    'loadPrivateKey',
    'loadPublicKey',
    'servicePolicyFromJSON',
    'verifyWebhook',
    'webhookFailureStatus',
  ],
  './emulator': [
    'AUTH_METHODS',
    'AuthAction',
    'AuthMethodName',
    'AuthStatus',
    'AuthSummary',
    'ConfigDevice',
    'ConfigKey',
    'DEFAULT_SUPPORTED_METHODS',
    'DeliveryRecord',
    'DemoWorld',
    'DemoWorldOptions',
    'DeviceFactor',
    'DeviceLocation',
    'Emulator',
    'EmulatorConfig',
    'EmulatorOptions',
    'KeyType',
    'LinkDeviceOptions',
    'MAX_CLOCK_AHEAD_SECONDS',
    'RateLimitOptions',
    'RetentionOptions',
    'Session',
    'WebhookKind',
    'WebhookOptions',
    'createDemoWorld',
    'startEmulator',
  ],
  './redis': [
    'RedisClientLike',
    'RedisClusterLike',
    'RedisOptions',
    'RedisRateLimiter',
    'RedisRateLimiterOptions',
    'RedisReplayCache',
    'RedisReplayCacheOptions',
    'RedisState',
    'RedisStore',
    'RedisStoreOptions',
    'RedisSubscriberLike',
    'redisState',
  ],
  './testing': ['ConformanceCase', 'StoreHarness', 'pendingStoreConformance', 'sampleRecord', 'sampleResponse'],
  './fastify': ['FastifyWebhookOptions', 'LaunchKeyFastify', 'fastifyHandlers'],
  './koa': ['LaunchKeyKoa', 'koaHandlers'],
  './nest': ['LaunchKeyNest', 'NestRoute', 'nestHandlers'],
};

/** package.json's `exports`: entry → the source file its built `default` comes from. */
function entries(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
    exports: Record<string, string | { default: string }>;
  };
  const out: Record<string, string> = {};
  for (const [entry, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue; // ./package.json
    out[entry] = target.default.replace(/^\.\/dist\//, 'lib/').replace(/\.js$/, '.ts');
  }
  return out;
}

describe('the public surface', function () {
  // One type-checker program over every entry: a few seconds.
  this.timeout(60_000);
  const files = entries();
  let exported: Record<string, string[]> = {};

  before(() => {
    const config = ts.getParsedCommandLineOfConfigFile(
      `${ROOT}tsconfig.build.json`,
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
        },
      },
    );
    if (config === undefined) throw new Error('tsconfig.build.json did not parse');
    const program = ts.createProgram(
      Object.values(files).map((file) => `${ROOT}${file}`),
      config.options,
    );
    const checker = program.getTypeChecker();
    exported = Object.fromEntries(
      Object.entries(files).map(([entry, file]) => {
        const source = program.getSourceFile(`${ROOT}${file}`);
        const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
        if (module === undefined) throw new Error(`${file} is not a module`);
        return [
          entry,
          checker
            .getExportsOfModule(module)
            .map((symbol) => symbol.name)
            .sort(),
        ];
      }),
    );
  });

  it('pins a surface for exactly the entries of package.json', () => {
    expect(Object.keys(files).sort()).to.deep.equal(Object.keys(SURFACE).sort());
  });

  for (const [entry, names] of Object.entries(SURFACE)) {
    it(`passport-launchkey${entry.slice(1)} exports exactly its ${names.length} names`, () => {
      expect(exported[entry]).to.deep.equal([...names].sort());
    });
  }

  it('exports each name from one entry only (a face is not re-exported by another)', () => {
    // The emulator is a program of its own with its own vocabulary (KeyType, WebhookKind,
    // LinkDeviceOptions, RateLimitOptions of its API), never imported beside the strategy's types.
    const owners = new Map<string, string>();
    const twice: string[] = [];
    for (const [entry, names] of Object.entries(SURFACE)) {
      if (entry === './emulator') continue;
      for (const name of names) {
        const owner = owners.get(name);
        if (owner !== undefined) twice.push(`${name} in ${owner} and ${entry}`);
        owners.set(name, entry);
      }
    }
    expect(twice).to.deep.equal([]);
  });
});
