/**
 * InitProducerId (key 22), versions 0-5.
 *
 * Behaviour:
 * - Idempotent producer (TransactionalId null): a new producer id, reserved durably in the
 *   cluster metadata so it is never handed out twice, with epoch 0. Partitions then check
 *   that producer's epochs and sequences on Produce.
 * - v3+ re-initialisation (ProducerId and ProducerEpoch both set, TransactionalId null):
 *   when that id and epoch are the latest this broker handed out, the same id comes back
 *   with epoch + 1 (a new epoch restarts sequences at 0 on every partition). An id this
 *   broker does not remember (issued before a restart, or never), a stale epoch, or an
 *   epoch that would reach 32767 gets a fresh producer id with epoch 0 instead — always a
 *   usable answer, never a fencing error, since idempotent producers are not fenced.
 *   Only one of ProducerId/ProducerEpoch set → INVALID_REQUEST, as in Kafka.
 * - Transactional producer (TransactionalId set): Weir has no transaction coordinator yet
 *   (phase 2) and answers TRANSACTIONAL_ID_AUTHORIZATION_FAILED. That is the one error
 *   every client treats as final for InitProducerId — Java throws
 *   TransactionalIdAuthorizationException from initTransactions(), librdkafka raises a
 *   fatal error, KafkaJS and franz-go fail the call — so a transactional producer stops at
 *   once instead of retrying a retriable error (COORDINATOR_NOT_AVAILABLE) until its
 *   timeout. It is also literally true: no transactional id is allowed on this broker.
 *   The broker logs a warning saying transactions are not supported. An empty
 *   TransactionalId → INVALID_REQUEST, as in Kafka.
 * - A failure to persist the id reservation → COORDINATOR_LOAD_IN_PROGRESS, which clients
 *   retry (Kafka answers the same while it waits for a new block of ids).
 * TransactionTimeoutMs is ignored (it only matters with a transactional id).
 *
 * Version notes: v1 same as v0; v2+ flexible; v3+ ProducerId/ProducerEpoch in requests
 * (KIP-360); v4 may answer PRODUCER_FENCED and v5 TRANSACTION_ABORTABLE (both only for
 * transactions, so Weir never does).
 */
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type {
  InitProducerIdRequest,
  InitProducerIdResponse,
} from '../../../protocol/kafka/generated/messages/init-producer-id.js';
import type { KafkaServices } from '../services.js';
import type { Handler } from './handler.js';

const NO_PRODUCER_ID = -1n;
const NO_PRODUCER_EPOCH = -1;
/** Kafka starts a new producer id rather than let the epoch reach Short.MAX_VALUE. */
const LAST_BUMPABLE_EPOCH = 32765;
/** Producer ids whose latest epoch is remembered for bumps (oldest forgotten first). */
const REMEMBERED_PRODUCERS = 100_000;

function response(
  errorCode: number,
  producerId = NO_PRODUCER_ID,
  producerEpoch = NO_PRODUCER_EPOCH,
): InitProducerIdResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    producerId,
    producerEpoch,
    ongoingTxnProducerId: NO_PRODUCER_ID,
    ongoingTxnProducerEpoch: NO_PRODUCER_EPOCH,
  };
}

export function initProducerIdHandler(
  services: KafkaServices,
): Handler<InitProducerIdRequest, InitProducerIdResponse> {
  const { cluster } = services;
  /** producer id → the latest epoch handed out for it (Map order = age). */
  const latestEpochs = new Map<bigint, number>();

  function remember(producerId: bigint, epoch: number): void {
    latestEpochs.delete(producerId);
    latestEpochs.set(producerId, epoch);
    if (latestEpochs.size > REMEMBERED_PRODUCERS) {
      latestEpochs.delete(latestEpochs.keys().next().value!);
    }
  }

  return async (context, request) => {
    if (request.transactionalId !== null) {
      if (request.transactionalId === '') return response(ErrorCode.INVALID_REQUEST);
      context.logger.warn('transactions are not supported yet; refusing a transactional producer', {
        remote: context.remote,
        transactionalId: request.transactionalId,
      });
      return response(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }
    const { producerId, producerEpoch } = request;
    const hasId = producerId !== NO_PRODUCER_ID;
    const hasEpoch = producerEpoch !== NO_PRODUCER_EPOCH;
    if (hasId !== hasEpoch) return response(ErrorCode.INVALID_REQUEST);
    if (
      hasId &&
      latestEpochs.get(producerId) === producerEpoch &&
      producerEpoch <= LAST_BUMPABLE_EPOCH
    ) {
      remember(producerId, producerEpoch + 1);
      return response(ErrorCode.NONE, producerId, producerEpoch + 1);
    }
    let allocated: number;
    try {
      allocated = await cluster.allocateProducerId();
    } catch (error) {
      context.logger.error('could not reserve a producer id', { error: String(error) });
      return response(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    }
    const id = BigInt(allocated);
    remember(id, 0);
    return response(ErrorCode.NONE, id, 0);
  };
}
