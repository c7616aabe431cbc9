// Records every AWS call a command sends (service, operation, input, error), so the command can name what
// AWS refused (action and resource) and say what it is checking while it waits.
import { ALL_CLIENTS, type AwsClients, type ClientName } from '../functions/adapters/clients.ts';

export interface RecordedCall {
  service: ClientName;
  /** the command name without `Command`, as the API reference names the operation */
  operation: string;
  input: Record<string, unknown>;
  /** set when the call failed */
  error?: unknown;
  done: boolean;
}

export interface CallListener {
  started?(call: RecordedCall): void;
  ended?(call: RecordedCall): void;
}

type Send = (command: object, ...rest: unknown[]) => Promise<unknown>;

function operationOf(command: object): string {
  return command.constructor.name.replace(/Command$/, '');
}

function recorded<C extends object>(
  service: ClientName,
  client: C,
  calls: RecordedCall[],
  listener: CallListener,
): C {
  const original = (client as { send?: unknown }).send;
  if (typeof original !== 'function') return client;
  const send: Send = async (command, ...rest) => {
    const call: RecordedCall = {
      service,
      operation: operationOf(command),
      input: ((command as { input?: unknown }).input ?? {}) as Record<string, unknown>,
      done: false,
    };
    calls.push(call);
    listener.started?.(call);
    try {
      return await (original as Send).apply(client, [command, ...rest]);
    } catch (err) {
      call.error = err;
      throw err;
    } finally {
      call.done = true;
      listener.ended?.(call);
    }
  };
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'send') return send;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The same clients, each call recorded into `calls`; a client is wrapped on first use (undeclared ones still throw). */
export function recordingClients(
  clients: AwsClients,
  listener: CallListener = {},
): { clients: AwsClients; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const wrapped = new Map<ClientName, unknown>();
  const get = (name: ClientName): unknown => {
    let c = wrapped.get(name);
    if (c === undefined) {
      const client = clients[name];
      if (client === undefined) return undefined;
      c = recorded(name, client as object, calls, listener);
      wrapped.set(name, c);
    }
    return c;
  };
  const descriptors: PropertyDescriptorMap = Object.fromEntries(
    ALL_CLIENTS.map((n) => [
      n,
      // spread copies (the scan's) read only what the underlying clients expose
      { get: () => get(n), enumerable: Object.getOwnPropertyDescriptor(clients, n)?.enumerable ?? false },
    ]),
  );
  // per-region clients (a KMS key's, a function URL's region) are recorded like the others
  const { kmsIn, lambdaIn } = clients;
  if (kmsIn)
    descriptors.kmsIn = {
      value: async (region: string) => recorded('kms', await kmsIn(region), calls, listener),
      enumerable: true,
    };
  if (lambdaIn)
    descriptors.lambdaIn = {
      value: async (region: string) => recorded('lambda', await lambdaIn(region), calls, listener),
      enumerable: true,
    };
  const out = Object.defineProperties({}, descriptors) as AwsClients;
  return { clients: out, calls };
}
