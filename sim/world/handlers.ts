// A handler answers one SDK command from the world: input as the command's input type, output as its output
// type without $metadata (the world adds that).

/** Who makes a call, and from which region (KMS keys, for one, exist in their own region only). */
export interface HandlerContext {
  readonly step: string;
  readonly region: string;
}

export type Handler = (input: object, context?: HandlerContext) => object | Promise<object>;
export type Handlers = Record<string, Handler>;

/** Types a handler by the SDK's own input/output shapes; the SDK typed the input at the call site. */
export function handler<I extends object, O extends object>(
  fn: (input: I, context?: HandlerContext) => O | Promise<O>,
): Handler {
  return (input, context) => fn(input as I, context);
}

/** Output shape of a command, as a handler returns it. */
export type Out<T> = Omit<T, '$metadata'>;
