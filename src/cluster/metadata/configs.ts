/**
 * Broker and topic configuration: values from server.properties / --set / WEIR_* env,
 * topic overrides from CreateTopics/AlterConfigs, and Kafka's defaults, with the source
 * of every value (what DescribeConfigs reports).
 */
import { CodedError } from '../../common/errors.js';
import {
  BROKER_CONFIG_BY_NAME,
  DERIVED_BROKER_KEYS,
  TOPIC_CONFIG_BY_NAME,
  type ConfigDefinition,
} from './config-definitions.js';

/** Where a value comes from, with Kafka's DescribeConfigs source codes. */
export enum ConfigSource {
  DYNAMIC_TOPIC_CONFIG = 1,
  DYNAMIC_BROKER_CONFIG = 2,
  STATIC_BROKER_CONFIG = 4,
  DEFAULT_CONFIG = 5,
}

export interface ResolvedConfig {
  name: string;
  value: string | null;
  source: ConfigSource;
  definition: ConfigDefinition;
}

/** Thrown for a config value that does not parse or is out of range: INVALID_CONFIG. */
export class InvalidConfigError extends CodedError {
  constructor(message: string) {
    super('INVALID_CONFIG', message);
  }
}

export function validateValue(definition: ConfigDefinition, value: string | null): void {
  if (value === null) return;
  const name = definition.name;
  switch (definition.type) {
    case 'int':
    case 'long': {
      if (!/^-?\d+$/.test(value.trim()))
        throw new InvalidConfigError(`${name}: '${value}' is not an integer`);
      if (definition.min !== undefined && Number(value) < definition.min) {
        throw new InvalidConfigError(`${name}: ${value} is below the minimum ${definition.min}`);
      }
      if (definition.type === 'int' && Math.abs(Number(value)) > 2147483647) {
        throw new InvalidConfigError(`${name}: ${value} does not fit an int`);
      }
      return;
    }
    case 'boolean':
      if (!/^(true|false)$/i.test(value.trim()))
        throw new InvalidConfigError(`${name}: '${value}' is not a boolean`);
      return;
    case 'double':
      if (Number.isNaN(Number(value)))
        throw new InvalidConfigError(`${name}: '${value}' is not a number`);
      return;
    default:
      if (definition.validValues && !definition.validValues.includes(value.trim())) {
        throw new InvalidConfigError(
          `${name}: '${value}' is not one of ${definition.validValues.join(', ')}`,
        );
      }
  }
}

/** Kafka's longs go up to 2^63-1 ("never"); JS numbers cap them at MAX_SAFE_INTEGER. */
export function toNumber(value: string | null): number {
  if (value === null) return -1;
  const n = Number(value);
  return n > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : n;
}

/** The broker's static configuration. Immutable once made. */
export class BrokerConfig {
  private readonly values: ReadonlyMap<string, string>;

  /** `values` are raw key/values (server.properties style); unknown keys are kept. */
  constructor(values: Record<string, string> = {}) {
    const resolved = new Map(Object.entries(values).map(([k, v]) => [k.trim(), v.trim()]));
    for (const { from, to, factor } of DERIVED_BROKER_KEYS) {
      const coarse = resolved.get(from);
      if (coarse !== undefined && !resolved.has(to))
        resolved.set(to, String(Number(coarse) * factor));
    }
    for (const [name, value] of resolved) {
      const definition = BROKER_CONFIG_BY_NAME.get(name);
      if (definition) validateValue(definition, value);
    }
    this.values = resolved;
  }

  /** Explicitly set keys (for logging what differs from defaults). */
  get overrides(): ReadonlyMap<string, string> {
    return this.values;
  }

  get(name: string): string | null {
    return this.values.get(name) ?? BROKER_CONFIG_BY_NAME.get(name)?.defaultValue ?? null;
  }

  number(name: string): number {
    return toNumber(this.get(name));
  }

  bool(name: string): boolean {
    return this.get(name)?.toLowerCase() === 'true';
  }

  resolve(name: string): ResolvedConfig | undefined {
    const definition = BROKER_CONFIG_BY_NAME.get(name);
    if (!definition) return undefined;
    const explicit = this.values.get(name);
    return {
      name,
      value: explicit ?? definition.defaultValue,
      source:
        explicit !== undefined ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG,
      definition,
    };
  }
}

/** Checks topic overrides: known keys, valid values. Throws InvalidConfigError. */
export function validateTopicConfigs(overrides: Record<string, string | null>): void {
  for (const [name, value] of Object.entries(overrides)) {
    const definition = TOPIC_CONFIG_BY_NAME.get(name);
    if (!definition) throw new InvalidConfigError(`unknown topic config '${name}'`);
    validateValue(definition, value);
  }
}

/** A topic's effective value of `name`: its override, else the broker default. */
export function resolveTopicConfig(
  broker: BrokerConfig,
  overrides: Readonly<Record<string, string>>,
  name: string,
): ResolvedConfig | undefined {
  const definition = TOPIC_CONFIG_BY_NAME.get(name);
  if (!definition) return undefined;
  if (overrides[name] !== undefined) {
    return { name, value: overrides[name]!, source: ConfigSource.DYNAMIC_TOPIC_CONFIG, definition };
  }
  const fromBroker = definition.brokerKey ? broker.resolve(definition.brokerKey) : undefined;
  if (fromBroker && fromBroker.source === ConfigSource.STATIC_BROKER_CONFIG) {
    return { name, value: fromBroker.value, source: ConfigSource.STATIC_BROKER_CONFIG, definition };
  }
  return { name, value: definition.defaultValue, source: ConfigSource.DEFAULT_CONFIG, definition };
}
