// STS answered by the simulated account (issue 15): AssumeRole, once IAM allowed it (the caller's identity
// policy and the role's trust policy: sim/world/gate.ts), is answered by the organization the world belongs
// to, which knows the roles its member stacks created and hands out the session's credentials.
import { serviceError } from './errors.ts';
import type { Handlers } from './handlers.ts';
import type { CallContext, World } from './world.ts';

export function stsHandlers(world: World): Handlers {
  return {
    AssumeRole: (input, context) => {
      const org = world.organization;
      // A lone account holds no role the simulator knows; IAM already refused (no trust policy allows).
      if (!org)
        throw serviceError({
          service: 'sts',
          name: 'AccessDenied',
          message: 'not authorized to perform: sts:AssumeRole',
          status: 403,
        });
      return org.assumeRole(
        input as Record<string, unknown>,
        (context ?? { step: 'unknown', region: world.region, sdkService: 'STS' }) as CallContext,
      );
    },
  };
}
