/**
 * AlterConfigs (key 33), versions 0-2 — the legacy, whole-resource form.
 *
 * Behaviour, per resource (independently; ValidateOnly checks everything, changes nothing):
 * - TOPIC (2): replace semantics, as in Kafka: the topic's overrides become exactly the
 *   configs listed (a config left out reverts to its default). Unknown topic →
 *   UNKNOWN_TOPIC_OR_PARTITION; unknown key or bad value → INVALID_CONFIG (nothing is
 *   changed); a null value or a key listed twice → INVALID_REQUEST.
 * - BROKER (4): broker configs are static in Weir (server.properties, read at start), so
 *   any change → INVALID_REQUEST "broker configs are static…" (Kafka's code for configs
 *   that cannot be updated dynamically). An empty list changes nothing and succeeds.
 *   A name other than "" or this broker's id → INVALID_REQUEST.
 * - Other resource types → INVALID_REQUEST. A resource listed twice → INVALID_REQUEST for
 *   every occurrence.
 *
 * Version notes: v1 same as v0; v2 flexible. Clients prefer IncrementalAlterConfigs (44).
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  AlterConfigsRequest,
  AlterConfigsRequestAlterConfigsResource,
  AlterConfigsResponse,
  AlterConfigsResponseAlterConfigsResourceResponse,
} from '../../../protocol/kafka/generated/messages/alter-configs.js';
import type { KafkaServices } from '../services.js';
import {
  brokerResourceProblem,
  ConfigResourceType,
  unsupportedResourceType,
} from './32-describe-configs.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import type { Handler } from './handler.js';
import type { RequestContext } from '../request-context.js';

export const STATIC_BROKER_CONFIGS_MESSAGE =
  'broker configs are static in Weir: set them in server.properties (or --set) and restart the broker';

/** Marks the resources named more than once in one request (Kafka: INVALID_REQUEST). */
export function duplicateResources(
  resources: readonly { resourceType: number; resourceName: string }[],
): (resource: { resourceType: number; resourceName: string }) => boolean {
  const counts = new Map<string, number>();
  const key = (r: { resourceType: number; resourceName: string }) =>
    `${r.resourceType}:${r.resourceName}`;
  for (const r of resources) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  return (r) => counts.get(key(r))! > 1;
}

/** The first config key listed twice, or null. */
export function duplicateKey(configs: readonly { name: string }[]): string | null {
  const seen = new Set<string>();
  for (const { name } of configs) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return null;
}

/** What altering one resource came to: an error code and a message (null on success). */
export type AlterOutcome = [errorCode: number, errorMessage: string | null];

interface ConfigResource {
  resourceType: number;
  resourceName: string;
}

/**
 * Answers every resource of an AlterConfigs or IncrementalAlterConfigs request, in order:
 * a resource named twice gets INVALID_REQUEST, each other one goes through `alter`.
 * Unexpected failures (UNKNOWN_SERVER_ERROR) are logged under `apiName`.
 */
export async function alterEachResource<R extends ConfigResource>(
  context: RequestContext,
  apiName: string,
  resources: readonly R[],
  alter: (resource: R) => Promise<AlterOutcome>,
): Promise<AlterConfigsResponseAlterConfigsResourceResponse[]> {
  const isDuplicate = duplicateResources(resources);
  const responses: AlterConfigsResponseAlterConfigsResourceResponse[] = [];
  for (const resource of resources) {
    const [errorCode, errorMessage] = isDuplicate(resource)
      ? [ErrorCode.INVALID_REQUEST, 'resource is listed more than once']
      : await alter(resource);
    if (errorCode === ErrorCode.UNKNOWN_SERVER_ERROR) {
      context.logger.error(`${apiName} failed`, {
        resource: resource.resourceName,
        error: errorMessage,
      });
    }
    responses.push({
      errorCode,
      errorMessage,
      resourceType: resource.resourceType,
      resourceName: resource.resourceName,
    });
  }
  return responses;
}

export function alterConfigsHandler(
  services: KafkaServices,
): Handler<AlterConfigsRequest, AlterConfigsResponse> {
  const { cluster } = services;

  async function alter(
    resource: AlterConfigsRequestAlterConfigsResource,
    validateOnly: boolean,
  ): Promise<AlterOutcome> {
    const unsupported = unsupportedResourceType(resource.resourceType);
    if (unsupported !== null) return [ErrorCode.INVALID_REQUEST, unsupported];
    const duplicate = duplicateKey(resource.configs);
    if (duplicate !== null)
      return [ErrorCode.INVALID_REQUEST, `config '${duplicate}' is listed more than once`];
    const nullValued = resource.configs.find((c) => c.value === null);
    if (nullValued)
      return [ErrorCode.INVALID_REQUEST, `null value not supported for '${nullValued.name}'`];
    if (resource.resourceType === ConfigResourceType.BROKER) {
      const problem = brokerResourceProblem(cluster, resource.resourceName);
      if (problem !== null) return [ErrorCode.INVALID_REQUEST, problem];
      if (resource.configs.length > 0)
        return [ErrorCode.INVALID_REQUEST, STATIC_BROKER_CONFIGS_MESSAGE];
      return [ErrorCode.NONE, null];
    }
    const set = Object.fromEntries(resource.configs.map((c) => [c.name, c.value!]));
    try {
      await cluster.alterTopicConfigs(
        resource.resourceName,
        { set, remove: [], replace: true },
        validateOnly,
      );
      return [ErrorCode.NONE, null];
    } catch (error) {
      return [errorCodeOf(error), errorMessageOf(error) ?? String(error)];
    }
  }

  return async (context, request) => {
    const responses = await alterEachResource(context, 'AlterConfigs', request.resources, (r) =>
      alter(r, request.validateOnly),
    );
    return { throttleTimeMs: 0, responses };
  };
}
