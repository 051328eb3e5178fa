/**
 * Service policies (docs/protocol.md, "Service policies") on top of service management: the same three calls
 * under the organization or directory prefix. `getServicePolicy`/`setServicePolicy` take the legacy policy,
 * as the Python SDK's methods of that name do; the advanced pair takes any of the four kinds.
 */
import { uuidArgument } from './arguments.js';
import {
  LegacyPolicy,
  servicePolicyFromJSON,
  type ServicePolicy,
  ConditionalGeoFencePolicy,
  FactorsPolicy,
  MethodAmountPolicy,
} from '../entities/service_policy.js';
import { InvalidArgumentError, InvalidPolicyError } from '../errors.js';
import { ServiceManagingClient } from './service_management.js';

function isServicePolicy(value: unknown): value is ServicePolicy {
  return (
    value instanceof LegacyPolicy ||
    value instanceof MethodAmountPolicy ||
    value instanceof FactorsPolicy ||
    value instanceof ConditionalGeoFencePolicy
  );
}

/** Service management plus service policies. */
export abstract class PolicyManagingClient extends ServiceManagingClient {
  /**
   * The service's policy, whatever its kind; a service without one has a blank legacy policy.
   *
   * @throws {ServiceNotFoundError} for an unknown service.
   */
  async getAdvancedServicePolicy(serviceId: string): Promise<ServicePolicy> {
    const body = { service_id: uuidArgument(serviceId, 'serviceId') };
    return servicePolicyFromJSON(await this._policyCall('POST', '/item', body));
  }

  /** Replaces the service's policy with one of any kind. */
  async setAdvancedServicePolicy(serviceId: string, policy: ServicePolicy): Promise<void> {
    if (!isServicePolicy(policy)) {
      throw new InvalidArgumentError(
        'policy',
        'policy must be a LegacyPolicy, MethodAmountPolicy, FactorsPolicy or ConditionalGeoFencePolicy',
      );
    }
    await this._policyCall('PUT', '', { service_id: uuidArgument(serviceId, 'serviceId'), policy: policy.toJSON() });
  }

  /**
   * The service's legacy policy.
   *
   * @throws {InvalidPolicyError} when the service has a policy of another kind (use the advanced call).
   */
  async getServicePolicy(serviceId: string): Promise<LegacyPolicy> {
    const policy = await this.getAdvancedServicePolicy(serviceId);
    if (!(policy instanceof LegacyPolicy)) {
      throw new InvalidPolicyError('type', 'The service policy is not a legacy policy; use getAdvancedServicePolicy');
    }
    return policy;
  }

  /** Replaces the service's policy with a legacy one. */
  async setServicePolicy(serviceId: string, policy: LegacyPolicy): Promise<void> {
    if (!(policy instanceof LegacyPolicy)) throw new InvalidArgumentError('policy', 'policy must be a LegacyPolicy');
    await this.setAdvancedServicePolicy(serviceId, policy);
  }

  /** Removes the service's policy (it becomes blank). */
  async removeServicePolicy(serviceId: string): Promise<void> {
    await this._policyCall('DELETE', '', { service_id: uuidArgument(serviceId, 'serviceId') });
  }
}
