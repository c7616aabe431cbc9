// CloudWatch Logs as standard logging (v2) uses it (CloudWatch Logs API Reference): the delivery source (the
// distribution), its deliveries and their destinations, and FilterLogEvents over a destination log group. The
// Describe operations page with nextToken (at most 50 per page); FilterLogEvents pages with nextToken too.
import type {
  DescribeDeliveriesCommandInput,
  DescribeDeliveriesCommandOutput,
  DescribeDeliverySourcesCommandInput,
  DescribeDeliverySourcesCommandOutput,
  FilterLogEventsCommandInput,
  FilterLogEventsCommandOutput,
  GetDeliveryDestinationCommandInput,
  GetDeliveryDestinationCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { serviceError } from './errors.ts';
import { type Handlers, handler, type Out } from './handlers.ts';
import type { World } from './world.ts';

const DESCRIBE_PAGE = 50;
const FILTER_PAGE = 10_000;

function notFound(what: string): Error {
  return serviceError({
    service: 'logs',
    name: 'ResourceNotFoundException',
    message: `${what} does not exist`,
    status: 400,
  });
}

function page<T>(
  items: readonly T[],
  token: string | undefined,
  limit: number,
): { items: T[]; nextToken?: string } {
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64').toString('utf8'));
  const slice = items.slice(start, start + limit);
  const next = start + slice.length;
  return next < items.length
    ? { items: slice, nextToken: Buffer.from(String(next)).toString('base64') }
    : { items: slice };
}

export function logsHandlers(world: World): Handlers {
  const config = () => world.scenarioLogging();

  return {
    DescribeDeliverySources: handler<
      DescribeDeliverySourcesCommandInput,
      Out<DescribeDeliverySourcesCommandOutput>
    >((input) => {
      const p = page(
        config().deliverySources ?? [],
        input.nextToken,
        Math.min(input.limit ?? DESCRIBE_PAGE, DESCRIBE_PAGE),
      );
      return {
        deliverySources: structuredClone(p.items),
        ...(p.nextToken ? { nextToken: p.nextToken } : {}),
      };
    }),

    DescribeDeliveries: handler<DescribeDeliveriesCommandInput, Out<DescribeDeliveriesCommandOutput>>(
      (input) => {
        const p = page(
          config().deliveries ?? [],
          input.nextToken,
          Math.min(input.limit ?? DESCRIBE_PAGE, DESCRIBE_PAGE),
        );
        return { deliveries: structuredClone(p.items), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
      },
    ),

    GetDeliveryDestination: handler<
      GetDeliveryDestinationCommandInput,
      Out<GetDeliveryDestinationCommandOutput>
    >((input) => {
      const found = (config().deliveryDestinations ?? []).find((d) => d.name === input.name);
      if (!found) throw notFound(`delivery destination ${input.name ?? ''}`);
      return { deliveryDestination: structuredClone(found) };
    }),

    FilterLogEvents: handler<FilterLogEventsCommandInput, Out<FilterLogEventsCommandOutput>>((input) => {
      const id = input.logGroupIdentifier ?? input.logGroupName ?? '';
      // an identifier is the group's name or its ARN (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME`)
      const name = /:log-group:([^:]+)/.exec(id)?.[1] ?? id;
      const logs = world.accessLogs;
      if (logs === undefined || !logs.hasLogGroup(name)) throw notFound(`log group ${name}`);
      const from = input.startTime ?? 0;
      const to = input.endTime ?? Number.MAX_SAFE_INTEGER;
      const events = logs
        .events(name, world.now())
        .filter((e) => e.timestamp >= from && e.timestamp <= to)
        .map((e, i) => ({ ...e, eventId: `${e.timestamp}-${i}` }));
      const p = page(events, input.nextToken, Math.min(input.limit ?? FILTER_PAGE, FILTER_PAGE));
      return { events: p.items, searchedLogStreams: [], ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
    }),
  };
}
