// CloudFront's list shape is { Quantity, Items }; the API rejects a Quantity that differs from Items' length.

export interface QuantityMismatch {
  /** JSON path of the Quantity field, e.g. `Origins.Quantity` */
  path: string;
  quantity: unknown;
  /** length of Items, 0 when Items is absent, -1 when Items is not an array */
  length: number;
  /** the Items value, when it is not an array */
  items?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

/** The first `{Quantity, Items}` list (depth first) whose Quantity is not Items.length. */
export function findQuantityMismatch(value: unknown, path = ''): QuantityMismatch | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findQuantityMismatch(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  if ('Quantity' in value) {
    const items = value.Items;
    const length = Array.isArray(items) ? items.length : 0;
    if (items !== undefined && !Array.isArray(items)) {
      return { path: join(path, 'Items'), quantity: value.Quantity, length: -1, items };
    }
    if (value.Quantity !== length) return { path: join(path, 'Quantity'), quantity: value.Quantity, length };
  }
  for (const [key, child] of Object.entries(value)) {
    const found = findQuantityMismatch(child, join(path, key));
    if (found) return found;
  }
  return undefined;
}
