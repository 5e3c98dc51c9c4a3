/**
 * DescribeClientQuotas (key 48), version 0.
 *
 * Behaviour: Weir has no client quotas yet (phase 2), so every filter matches nothing: an
 * empty Entries list and no error. The API is advertised so that kafka-python 2.3 infers a
 * broker >= 2.6 (research/protocol.md §1.1).
 *
 * Version notes: v0 only (v1, flexible, is not advertised).
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  DescribeClientQuotasRequest,
  DescribeClientQuotasResponse,
} from '../../../protocol/kafka/generated/messages/describe-client-quotas.js';
import type { Handler } from './handler.js';

export function describeClientQuotasHandler(): Handler<
  DescribeClientQuotasRequest,
  DescribeClientQuotasResponse
> {
  return () => ({
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    entries: [],
  });
}
