/**
 * IncrementalAlterConfigs (key 44), versions 0-1.
 *
 * Behaviour, per resource (independently; all of a resource's operations apply together or
 * not at all; ValidateOnly checks everything and changes nothing):
 * - TOPIC (2), per config: SET (0) sets the override; DELETE (1) removes it (back to the
 *   default; deleting a key that has no override is a no-op); APPEND (2) / SUBTRACT (3)
 *   add / remove comma-separated items of a LIST config (cleanup.policy), starting from its
 *   current effective value (the override, else the default), as in Kafka. APPEND/SUBTRACT
 *   on a non-list config → INVALID_CONFIG; unknown key or bad resulting value →
 *   INVALID_CONFIG; unknown topic → UNKNOWN_TOPIC_OR_PARTITION; an unknown operation, a
 *   null value for SET/APPEND/SUBTRACT, or a key listed twice → INVALID_REQUEST.
 * - BROKER (4): broker configs are static in Weir, so any operation → INVALID_REQUEST
 *   (an empty list succeeds); a name other than "" or this broker's id → INVALID_REQUEST.
 * - Other resource types → INVALID_REQUEST. A resource listed twice → INVALID_REQUEST.
 *
 * Version notes: v0 is the only non-flexible version; v1 flexible.
 */
import { TOPIC_CONFIG_BY_NAME } from '../../../cluster/metadata/config-definitions.js';
import { resolveTopicConfig } from '../../../cluster/metadata/configs.js';
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsRequestAlterConfigsResource,
  IncrementalAlterConfigsResponse,
} from '../../../protocol/kafka/generated/messages/incremental-alter-configs.js';
import type { KafkaServices } from '../services.js';
import {
  brokerResourceProblem,
  ConfigResourceType,
  unsupportedResourceType,
} from './32-describe-configs.js';
import {
  alterEachResource,
  duplicateKey,
  STATIC_BROKER_CONFIGS_MESSAGE,
  type AlterOutcome,
} from './33-alter-configs.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import type { Handler } from './handler.js';

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

type Outcome = AlterOutcome;

function listItems(value: string | null): string[] {
  if (value === null) return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function incrementalAlterConfigsHandler(
  services: KafkaServices,
): Handler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse> {
  const { cluster } = services;

  /** Turns the operations into overrides to set and keys to remove (or an error). */
  function plan(
    resource: IncrementalAlterConfigsRequestAlterConfigsResource,
    overrides: Readonly<Record<string, string>>,
  ): Outcome | { set: Record<string, string>; remove: string[] } {
    const set: Record<string, string> = {};
    const remove: string[] = [];
    for (const { name, configOperation, value } of resource.configs) {
      if (configOperation === DELETE) {
        remove.push(name);
        continue;
      }
      if (configOperation !== SET && configOperation !== APPEND && configOperation !== SUBTRACT) {
        return [
          ErrorCode.INVALID_REQUEST,
          `unknown operation ${configOperation} for config '${name}'`,
        ];
      }
      if (value === null)
        return [ErrorCode.INVALID_REQUEST, `null value not supported for '${name}'`];
      if (configOperation === SET) {
        set[name] = value;
        continue;
      }
      const definition = TOPIC_CONFIG_BY_NAME.get(name);
      if (!definition) return [ErrorCode.INVALID_CONFIG, `unknown topic config '${name}'`];
      if (definition.type !== 'list') {
        const verb = configOperation === APPEND ? 'APPEND to' : 'SUBTRACT from';
        return [ErrorCode.INVALID_CONFIG, `cannot ${verb} '${name}': its type is not LIST`];
      }
      const current = listItems(resolveTopicConfig(cluster.config, overrides, name)!.value);
      const items = listItems(value);
      const next =
        configOperation === APPEND
          ? [...current, ...items.filter((item) => !current.includes(item))]
          : current.filter((item) => !items.includes(item));
      set[name] = next.join(',');
    }
    return { set, remove };
  }

  async function alter(
    resource: IncrementalAlterConfigsRequestAlterConfigsResource,
    validateOnly: boolean,
  ): Promise<Outcome> {
    const unsupported = unsupportedResourceType(resource.resourceType);
    if (unsupported !== null) return [ErrorCode.INVALID_REQUEST, unsupported];
    const duplicate = duplicateKey(resource.configs);
    if (duplicate !== null)
      return [ErrorCode.INVALID_REQUEST, `config '${duplicate}' is listed more than once`];
    if (resource.resourceType === ConfigResourceType.BROKER) {
      const problem = brokerResourceProblem(cluster, resource.resourceName);
      if (problem !== null) return [ErrorCode.INVALID_REQUEST, problem];
      if (resource.configs.length > 0)
        return [ErrorCode.INVALID_REQUEST, STATIC_BROKER_CONFIGS_MESSAGE];
      return [ErrorCode.NONE, null];
    }
    const topic = cluster.topic(resource.resourceName);
    if (!topic)
      return [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${resource.resourceName}'`];
    const change = plan(resource, topic.configs);
    if (Array.isArray(change)) return change;
    try {
      await cluster.alterTopicConfigs(resource.resourceName, change, validateOnly);
      return [ErrorCode.NONE, null];
    } catch (error) {
      return [errorCodeOf(error), errorMessageOf(error) ?? String(error)];
    }
  }

  return async (context, request) => {
    const responses = await alterEachResource(
      context,
      'IncrementalAlterConfigs',
      request.resources,
      (r) => alter(r, request.validateOnly),
    );
    return { throttleTimeMs: 0, responses };
  };
}
