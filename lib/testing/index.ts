/**
 * `passport-launchkey/testing`: what applications need to test their own code against this package.
 * The store conformance suite checks a custom `PendingStore` against every rule of the contract.
 */
export { pendingStoreConformance, sampleRecord, sampleResponse } from './store_conformance.js';
export type { ConformanceCase, StoreHarness } from './store_conformance.js';
