import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * Holds a credential (the Okta API token). Every way a value usually leaks —
 * string interpolation, JSON.stringify, console.log / util.inspect, pino's
 * serializers — yields `[redacted]`. Only `reveal()` returns the value, and the
 * HTTP layer calls it at the last moment to build the Authorization header.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    if (typeof value !== 'string' || value.length === 0) {
      throw new TypeError('Secret value must be a non-empty string');
    }
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}
