/**
 * librdkafka (python3-confluent-kafka) features of the classic protocol:
 *
 * - Static membership (group.instance.id, KIP-345): a member SIGKILLed and restarted with
 *   the same instance id within its session timeout gets its partitions back without a
 *   rebalance: the other member is never reassigned.
 * - Cooperative-sticky (KIP-429, two rounds): when a third member joins two that share 6
 *   partitions, only the partitions that change owner are revoked; the others are kept
 *   throughout.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../kafka/helpers.js';
import {
  BackgroundProducer,
  ConsumerProcess,
  SESSION_TIMEOUT_MS,
  PARTITIONS,
  balanced,
  memberSpawner,
  startGroupBroker,
  verifyDelivery,
} from './group-scenario.js';

describe('consumer groups: librdkafka static membership and cooperative-sticky', () => {
  let test: Awaited<ReturnType<typeof startGroupBroker>>;
  before(async () => {
    test = await startGroupBroker('groups-librdkafka');
  });
  after(() => test.stop());

  it(
    'a static member restarting within its session gets its partitions back without a rebalance',
    { timeout: 50_000 },
    async (t) => {
      const topic = 'static-members';
      await test.broker.createTopic(topic, { partitions: PARTITIONS });
      const producer = new BackgroundProducer(test.broker.bootstrapServers, topic);
      const members: ConsumerProcess[] = [];
      const spawn = memberSpawner(
        'confluent',
        'static',
        {
          bootstrap: test.broker.bootstrapServers,
          topic,
          group: 'static-group',
          sessionTimeoutMs: SESSION_TIMEOUT_MS,
        },
        members,
        (instance) => ({ instanceId: `instance-${instance}` }),
      );
      try {
        await producer.start();
        const a = spawn(0);
        const b = spawn(1);
        await waitFor(
          () => `two static members with 3 partitions each: ${a.describe()} ${b.describe()}`,
          () => balanced([a, b], [3, 3]),
          25_000,
        );
        await waitFor(
          'records flowing to both',
          () => a.count('r') > 10 && b.count('r') > 10,
          10_000,
        );
        const assignedBefore = a.count('assigned');
        const partitionsOfB = b.assignment!;
        t.diagnostic(
          `before: a ${JSON.stringify(a.assignment)}, b ${JSON.stringify(partitionsOfB)}`,
        );

        b.kill();
        await b.exited;
        const restarted = spawn(1);
        const restartedAt = Date.now();
        await waitFor(
          () => `the restarted member's assignment: ${restarted.describe()}`,
          () => restarted.assignment !== undefined,
          SESSION_TIMEOUT_MS,
        );
        const took = Date.now() - restartedAt;
        t.diagnostic(
          `restarted member got ${JSON.stringify(restarted.assignment)} after ${took} ms`,
        );
        assert.deepEqual(
          restarted.assignment,
          partitionsOfB,
          'the same partitions as before the restart',
        );
        await waitFor('the restarted member consumes', () => restarted.count('r') > 10, 10_000);
        // Well past the old session's end: still no rebalance for the other member.
        await new Promise((resolve) =>
          setTimeout(resolve, SESSION_TIMEOUT_MS + 1000 - (Date.now() - restartedAt)),
        );
        assert.equal(a.count('assigned'), assignedBefore, 'the other member was never reassigned');
        assert.equal(a.count('revoked'), 0, 'the other member never lost a partition');
        assert.equal(restarted.count('assigned'), 1);

        const produced = await producer.stop();
        await waitFor(
          `all ${produced} records consumed`,
          () =>
            new Set(members.flatMap((m) => m.events.filter((e) => e.e === 'r').map((e) => e.v)))
              .size >= produced,
          15_000,
          100,
        );
        verifyDelivery(members, produced);
      } finally {
        await producer.stop().catch(() => undefined);
        await Promise.all(members.map((m) => m.stop()));
      }
    },
  );

  it(
    'cooperative-sticky moves only the partitions that change owner',
    { timeout: 50_000 },
    async (t) => {
      const topic = 'cooperative';
      await test.broker.createTopic(topic, { partitions: PARTITIONS });
      const producer = new BackgroundProducer(test.broker.bootstrapServers, topic);
      const members: ConsumerProcess[] = [];
      const spawn = memberSpawner(
        'confluent',
        'coop',
        {
          bootstrap: test.broker.bootstrapServers,
          topic,
          group: 'cooperative-group',
          sessionTimeoutMs: SESSION_TIMEOUT_MS,
          assignor: 'cooperative-sticky',
        },
        members,
      );
      try {
        await producer.start();
        const a = spawn(0);
        const b = spawn(1);
        await waitFor(
          () => `two members with 3 partitions each: ${a.describe()} ${b.describe()}`,
          () => balanced([a, b], [3, 3]),
          25_000,
        );
        const before = { a: a.assignment!, b: b.assignment! };
        const revokedBefore = a.count('revoked') + b.count('revoked');
        t.diagnostic(`before: a ${JSON.stringify(before.a)}, b ${JSON.stringify(before.b)}`);
        // Quiesce first: a commit racing with the generation bump gets ILLEGAL_GENERATION (in
        // Kafka too), on which librdkafka drops its whole assignment — a client-side full
        // revocation this test is not about.
        const produced = await producer.stop();
        const consumedAll = () =>
          new Set(members.flatMap((m) => m.events.filter((e) => e.e === 'r').map((e) => e.v)))
            .size >= produced;
        await waitFor(`all ${produced} records consumed`, consumedAll, 15_000, 100);
        await new Promise((resolve) => setTimeout(resolve, 300));

        const c = spawn(2);
        await waitFor(
          () =>
            `three members with 2 partitions each: ${members.map((m) => m.describe()).join(' ')}`,
          () => balanced([a, b, c], [2, 2, 2]),
          25_000,
        );
        t.diagnostic(
          `after: a ${JSON.stringify(a.assignment)}, b ${JSON.stringify(b.assignment)}, c ${JSON.stringify(c.assignment)}`,
        );
        const revoked = [a, b].flatMap((m) =>
          m.events.filter((e) => e.e === 'revoked').flatMap((e) => e.partitions!),
        );
        assert.equal(revokedBefore, 0, 'nothing was revoked while the first two formed the group');
        assert.deepEqual(
          [...revoked].sort(),
          [...c.assignment!].sort(),
          'exactly the partitions the newcomer got were revoked',
        );
        for (const [member, initial] of [
          [a, before.a],
          [b, before.b],
        ] as const) {
          assert.ok(
            member.assignment!.every((p) => initial.includes(p)),
            `${member.name} kept its own partitions`,
          );
          assert.equal(
            initial.length - member.assignment!.length,
            1,
            `${member.name} gave up one partition`,
          );
        }

        const commitErrors = members.flatMap((m) =>
          m.events.filter((e) => e.e === 'commit-error').map((e) => `${m.name}: ${e.error}`),
        );
        t.diagnostic(`commit errors: ${JSON.stringify(commitErrors)}`);
        const delivery = verifyDelivery(members, produced);
        assert.deepEqual(
          delivery,
          { afterKilledMembersCommit: 0, clientCommitRaces: 0 },
          'no record consumed twice',
        );
      } finally {
        await producer.stop().catch(() => undefined);
        await Promise.all(members.map((m) => m.stop()));
      }
    },
  );
});
