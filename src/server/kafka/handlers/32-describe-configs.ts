/**
 * DescribeConfigs (key 32), versions 1-4.
 *
 * Behaviour, per resource (one resource's error never affects the others):
 * - TOPIC (2): every topic config Weir knows, with its effective value and source:
 *   DYNAMIC_TOPIC_CONFIG (1) for an override, STATIC_BROKER_CONFIG (4) when the broker's
 *   server.properties sets the default (e.g. log.retention.ms), else DEFAULT_CONFIG (5).
 *   Unknown topic → UNKNOWN_TOPIC_OR_PARTITION; illegal name → INVALID_TOPIC_EXCEPTION.
 * - BROKER (4) named by this broker's id: every broker config, STATIC_BROKER_CONFIG or
 *   DEFAULT_CONFIG, all read-only (Weir's broker configs are static: AlterConfigs refuses
 *   them). Named "" (the cluster-wide default): no configs — that resource holds dynamic
 *   defaults, and Weir has none, as Kafka answers with none set. Another name →
 *   INVALID_REQUEST.
 * - Any other resource type (BROKER_LOGGER, CLIENT_METRICS, GROUP …) → INVALID_REQUEST.
 * ConfigurationKeys filters the list (null: all; unknown keys are left out, as in Kafka).
 * IsSensitive is true only for password configs (whose value is then null).
 *
 * Version notes: v1 is the KIP-896 floor: ConfigSource and, with IncludeSynonyms, the
 * synonyms in precedence order — the topic override, then the broker config that supplies
 * the default (static setting, then Kafka's default) under its broker name; v2 same as v1;
 * v3+ ConfigType (Kafka's ConfigDef.Type ids: BOOLEAN 1, STRING 2, INT 3, SHORT 4, LONG 5,
 * DOUBLE 6, LIST 7, CLASS 8, PASSWORD 9) and, with IncludeDocumentation, Documentation;
 * v4 flexible.
 */
import type { LocalCluster } from '../../../cluster/local-cluster.js';
import {
  BROKER_CONFIGS,
  TOPIC_CONFIGS,
  type ConfigDefinition,
  type ConfigType,
} from '../../../cluster/metadata/config-definitions.js';
import {
  ConfigSource,
  resolveTopicConfig,
  type ResolvedConfig,
} from '../../../cluster/metadata/configs.js';
import { topicNameProblem } from '../../../cluster/metadata/topic-name.js';
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  DescribeConfigsRequest,
  DescribeConfigsRequestDescribeConfigsResource,
  DescribeConfigsResponse,
  DescribeConfigsResponseDescribeConfigsResourceResult,
  DescribeConfigsResponseDescribeConfigsResult,
  DescribeConfigsResponseDescribeConfigsSynonym,
} from '../../../protocol/kafka/generated/messages/describe-configs.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

/** Kafka's ConfigResource.Type ids (shared by the config APIs 32, 33 and 44). */
export const ConfigResourceType = {
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
} as const;

const RESOURCE_TYPE_NAMES: Record<number, string> = {
  0: 'UNKNOWN',
  1: 'ANY',
  3: 'GROUP',
  8: 'BROKER_LOGGER',
  16: 'CLIENT_METRICS',
};

/** Why a config request cannot address this resource type (null: TOPIC and BROKER). */
export function unsupportedResourceType(resourceType: number): string | null {
  if (resourceType === ConfigResourceType.TOPIC || resourceType === ConfigResourceType.BROKER) {
    return null;
  }
  const name = RESOURCE_TYPE_NAMES[resourceType] ?? String(resourceType);
  return `resource type ${name} is not supported; Weir has TOPIC (2) and BROKER (4) configs`;
}

/**
 * Why a BROKER resource name does not address this broker: "" (cluster default) and the
 * broker's own id are accepted, as in Kafka.
 */
export function brokerResourceProblem(cluster: LocalCluster, resourceName: string): string | null {
  if (resourceName === '') return null;
  const nodeId = cluster.endpoint.nodeId;
  if (!/^-?\d+$/.test(resourceName))
    return `broker id must be an integer, but it is: ${resourceName}`;
  if (Number(resourceName) !== nodeId) {
    return `unexpected broker id, expected ${nodeId} or empty string, but received ${resourceName}`;
  }
  return null;
}

/** Kafka's ConfigDef.Type ids, as DescribeConfigs v3+ reports them. */
const CONFIG_TYPE_IDS: Record<ConfigType, number> = {
  boolean: 1,
  string: 2,
  int: 3,
  long: 5,
  double: 6,
  list: 7,
  password: 9,
};

type ConfigResult = DescribeConfigsResponseDescribeConfigsResourceResult;
type Synonym = DescribeConfigsResponseDescribeConfigsSynonym;

interface DescribeOptions {
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

function entry(
  resolved: ResolvedConfig,
  readOnly: boolean,
  synonyms: Synonym[],
  options: DescribeOptions,
): ConfigResult {
  const { definition } = resolved;
  const sensitive = definition.type === 'password';
  return {
    name: resolved.name,
    value: sensitive ? null : resolved.value,
    readOnly,
    configSource: resolved.source,
    isSensitive: sensitive,
    synonyms: options.includeSynonyms
      ? synonyms.map((s) => (sensitive ? { ...s, value: null } : s))
      : [],
    configType: CONFIG_TYPE_IDS[definition.type],
    documentation: options.includeDocumentation ? definition.documentation : null,
  };
}

function wanted(
  keys: string[] | null,
  definitions: readonly ConfigDefinition[],
): ConfigDefinition[] {
  if (keys === null) return [...definitions];
  const set = new Set(keys);
  return definitions.filter((d) => set.has(d.name));
}

export function describeConfigsHandler(
  services: KafkaServices,
): Handler<DescribeConfigsRequest, DescribeConfigsResponse> {
  const { cluster } = services;

  /** A broker config's own synonyms: its static setting (if any), then Kafka's default. */
  function brokerSynonyms(name: string): Synonym[] {
    const resolved = cluster.config.resolve(name);
    if (!resolved) return [];
    const synonyms: Synonym[] = [];
    if (resolved.source === ConfigSource.STATIC_BROKER_CONFIG) {
      synonyms.push({ name, value: resolved.value, source: ConfigSource.STATIC_BROKER_CONFIG });
    }
    synonyms.push({
      name,
      value: resolved.definition.defaultValue,
      source: ConfigSource.DEFAULT_CONFIG,
    });
    return synonyms;
  }

  function describeTopic(
    resource: DescribeConfigsRequestDescribeConfigsResource,
    options: DescribeOptions,
  ): ConfigResult[] {
    const topic = cluster.topic(resource.resourceName)!;
    return wanted(resource.configurationKeys, TOPIC_CONFIGS).map((definition) => {
      const resolved = resolveTopicConfig(cluster.config, topic.configs, definition.name)!;
      const synonyms: Synonym[] = [];
      const override = topic.configs[definition.name];
      if (override !== undefined) {
        synonyms.push({
          name: definition.name,
          value: override,
          source: ConfigSource.DYNAMIC_TOPIC_CONFIG,
        });
      }
      if (definition.brokerKey) {
        synonyms.push(...brokerSynonyms(definition.brokerKey));
      } else {
        synonyms.push({
          name: definition.name,
          value: definition.defaultValue,
          source: ConfigSource.DEFAULT_CONFIG,
        });
      }
      return entry(resolved, definition.readOnly ?? false, synonyms, options);
    });
  }

  function describeBroker(
    resource: DescribeConfigsRequestDescribeConfigsResource,
    options: DescribeOptions,
  ): ConfigResult[] {
    // "" is the cluster-wide dynamic default: Weir has no dynamic broker configs.
    if (resource.resourceName === '') return [];
    return wanted(resource.configurationKeys, BROKER_CONFIGS).map((definition) =>
      entry(
        cluster.config.resolve(definition.name)!,
        true,
        brokerSynonyms(definition.name),
        options,
      ),
    );
  }

  function describe(
    resource: DescribeConfigsRequestDescribeConfigsResource,
    options: DescribeOptions,
  ): DescribeConfigsResponseDescribeConfigsResult {
    const { resourceType, resourceName } = resource;
    const failed = (errorCode: number, errorMessage: string) => ({
      errorCode,
      errorMessage,
      resourceType,
      resourceName,
      configs: [],
    });
    const unsupported = unsupportedResourceType(resourceType);
    if (unsupported !== null) return failed(ErrorCode.INVALID_REQUEST, unsupported);
    let configs: ConfigResult[];
    if (resourceType === ConfigResourceType.TOPIC) {
      const problem = topicNameProblem(resourceName);
      if (problem !== null) return failed(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
      if (!cluster.topic(resourceName)) {
        return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${resourceName}'`);
      }
      configs = describeTopic(resource, options);
    } else {
      const problem = brokerResourceProblem(cluster, resourceName);
      if (problem !== null) return failed(ErrorCode.INVALID_REQUEST, problem);
      configs = describeBroker(resource, options);
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, resourceType, resourceName, configs };
  }

  return (context, request) => {
    const options: DescribeOptions = {
      includeSynonyms: request.includeSynonyms,
      includeDocumentation: context.apiVersion >= 3 && request.includeDocumentation,
    };
    return {
      throttleTimeMs: 0,
      results: request.resources.map((resource) => describe(resource, options)),
    };
  };
}
