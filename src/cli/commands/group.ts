/**
 * `weir group list|describe|lag|reset-offsets|delete`: consumer group administration,
 * like kafka-consumer-groups.sh. Lag is the log end offset (high watermark) minus the
 * committed offset, per partition.
 */
import {
  COMMON_OPTIONS,
  EXIT_OK,
  UsageError,
  expectPositionals,
  offset as offsetOption,
  parse,
} from '../args.js';
import {
  BrokerError,
  ClientError,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  commitOffsets,
  deleteGroups,
  describeGroup,
  fetchCommittedOffsets,
  listGroups,
  listOffsets,
  type CommittedOffsets,
  type DescribedGroup,
  type KafkaClient,
} from '../client/index.js';
import { dispatch, usageText, withClient, type Command, type Subcommand } from '../command.js';
import { json, table } from '../output.js';
import { ErrorCode } from '../../protocol/kafka/index.js';

const USAGE = `Usage: weir group <list|describe|lag|reset-offsets|delete> [options]

Lists, inspects, rewinds and deletes consumer groups.

Subcommands:
  list                     list groups with their state
  describe GROUP           members, assignments and per-partition lag
  lag GROUP                per-partition committed offset, log end offset and lag
  reset-offsets GROUP      move committed offsets (earliest, latest, timestamp, offset)
  delete GROUP...          delete groups without members, and their offsets

Run 'weir group <subcommand> --help' for its options.

Examples:
  weir group list
  weir group lag billing
  weir group reset-offsets billing --topic orders --to-earliest --dry-run
`;

interface LagRow {
  topic: string;
  partition: number;
  committed: bigint | null;
  logEnd: bigint;
  lag: bigint | null;
  memberId: string | null;
  clientId: string | null;
}

/** Per partition of every topic the group has offsets for or is assigned. */
async function lagRows(
  client: KafkaClient,
  group: DescribedGroup,
  committed: CommittedOffsets,
): Promise<LagRow[]> {
  const owners = new Map<string, { memberId: string; clientId: string }>();
  const topics = new Set(committed.keys());
  for (const member of group.members) {
    for (const [topic, partitions] of member.assignment) {
      topics.add(topic);
      for (const p of partitions) owners.set(`${topic}\0${p}`, member);
    }
  }
  const rows: LagRow[] = [];
  for (const topic of [...topics].sort()) {
    let partitions: number[];
    try {
      partitions = (await client.topic(topic)).partitions.map((p) => p.partition);
    } catch {
      continue; // offsets of a deleted topic
    }
    const ends = await listOffsets(client, topic, partitions, LATEST_TIMESTAMP);
    for (const partition of partitions) {
      const done = committed.get(topic)?.get(partition) ?? null;
      const owner = owners.get(`${topic}\0${partition}`) ?? null;
      if (done === null && owner === null) continue;
      const logEnd = ends.get(partition) ?? -1n;
      rows.push({
        topic,
        partition,
        committed: done,
        logEnd,
        lag: done === null ? null : logEnd > done ? logEnd - done : 0n,
        memberId: owner?.memberId ?? null,
        clientId: owner?.clientId ?? null,
      });
    }
  }
  return rows;
}

/** A group that neither exists nor has offsets is an error, as in kafka-consumer-groups.sh. */
async function loadGroup(
  client: KafkaClient,
  groupId: string,
): Promise<{ group: DescribedGroup; committed: CommittedOffsets }> {
  let group: DescribedGroup;
  try {
    group = await describeGroup(client, groupId);
  } catch (error) {
    if (error instanceof BrokerError && error.errorCode === ErrorCode.GROUP_ID_NOT_FOUND)
      throw notFound(groupId);
    throw error;
  }
  const committed = await fetchCommittedOffsets(client, groupId);
  if (
    (group.state === 'Dead' || group.state === '') &&
    group.members.length === 0 &&
    committed.size === 0
  ) {
    throw notFound(groupId);
  }
  return { group, committed };
}

function notFound(groupId: string): BrokerError {
  return new BrokerError(
    ErrorCode.GROUP_ID_NOT_FOUND,
    `group '${groupId}' does not exist`,
    null,
    true,
  );
}

const dash = (v: bigint | string | null): string | bigint => v ?? '-';

function lagTable(rows: readonly LagRow[]): string {
  return table(
    ['TOPIC', 'PARTITION', 'COMMITTED', 'LOG-END', 'LAG', 'MEMBER-ID', 'CLIENT-ID'],
    rows.map((r) => [
      r.topic,
      r.partition,
      dash(r.committed),
      r.logEnd,
      dash(r.lag),
      dash(r.memberId),
      dash(r.clientId),
    ]),
  );
}

function formatAssignment(assignment: ReadonlyMap<string, number[]>): string {
  return (
    [...assignment].map(([topic, partitions]) => `${topic}:${partitions.join(',')}`).join(' ') ||
    '-'
  );
}

const list: Subcommand = {
  summary: 'list groups',
  usage: usageText(
    'weir group list [options]',
    'Lists every group with its state and protocol type.',
    '  --json                       one JSON array of {group, state, protocolType}',
    ['weir group list'],
  ),
  async run(args) {
    const { values, positionals } = parse(args, { ...COMMON_OPTIONS, json: { type: 'boolean' } });
    expectPositionals(positionals, []);
    return withClient(values['bootstrap-server'], async (client) => {
      const groups = await listGroups(client);
      if (values.json) {
        process.stdout.write(
          `${json(groups.map((g) => ({ group: g.groupId, state: g.state, protocolType: g.protocolType })))}\n`,
        );
      } else if (groups.length > 0) {
        process.stdout.write(
          table(
            ['GROUP', 'STATE', 'PROTOCOL-TYPE'],
            groups.map((g) => [g.groupId, g.state || '-', g.protocolType || '-']),
          ),
        );
      }
      return EXIT_OK;
    });
  },
};

const describe: Subcommand = {
  summary: 'describe a group',
  usage: usageText(
    'weir group describe GROUP [options]',
    'Shows the group state, its members with their assignments, and for each partition the\ncommitted offset, the log end offset, the lag and the owning member.',
    '  --json                       one JSON object with the same information',
    ['weir group describe billing'],
  ),
  async run(args) {
    const { values, positionals } = parse(args, { ...COMMON_OPTIONS, json: { type: 'boolean' } });
    const [groupId] = expectPositionals(positionals, ['GROUP']);
    return withClient(values['bootstrap-server'], async (client) => {
      const { group, committed } = await loadGroup(client, groupId!);
      const rows = await lagRows(client, group, committed);
      if (values.json) {
        process.stdout.write(
          `${json({
            group: group.groupId,
            state: group.state,
            protocolType: group.protocolType,
            protocol: group.protocol,
            members: group.members.map((m) => ({
              memberId: m.memberId,
              groupInstanceId: m.groupInstanceId,
              clientId: m.clientId,
              host: m.clientHost,
              assignment: Object.fromEntries(m.assignment),
            })),
            partitions: rows,
          })}\n`,
        );
        return EXIT_OK;
      }
      let out = `Group: ${group.groupId}  State: ${group.state}  Protocol: ${group.protocolType || '-'}/${group.protocol || '-'}  Members: ${group.members.length}\n`;
      if (group.members.length > 0) {
        out += `\n${table(
          ['MEMBER-ID', 'CLIENT-ID', 'HOST', 'ASSIGNMENT'],
          group.members.map((m) => [
            m.memberId,
            m.clientId,
            m.clientHost,
            formatAssignment(m.assignment),
          ]),
        )}`;
      }
      if (rows.length > 0) out += `\n${lagTable(rows)}`;
      process.stdout.write(out);
      return EXIT_OK;
    });
  },
};

const lag: Subcommand = {
  summary: "show a group's lag",
  usage: usageText(
    'weir group lag GROUP [options]',
    'Shows per partition the committed offset, the log end offset and the lag, then the total.',
    '  --json                       one JSON object {group, totalLag, partitions}',
    ['weir group lag billing', 'weir group lag billing --json | jq .totalLag'],
  ),
  async run(args) {
    const { values, positionals } = parse(args, { ...COMMON_OPTIONS, json: { type: 'boolean' } });
    const [groupId] = expectPositionals(positionals, ['GROUP']);
    return withClient(values['bootstrap-server'], async (client) => {
      const { group, committed } = await loadGroup(client, groupId!);
      const rows = await lagRows(client, group, committed);
      const total = rows.reduce((sum, r) => sum + (r.lag ?? 0n), 0n);
      if (values.json) {
        process.stdout.write(`${json({ group: groupId, totalLag: total, partitions: rows })}\n`);
      } else {
        process.stdout.write(`${lagTable(rows)}Total lag: ${total}\n`);
      }
      return EXIT_OK;
    });
  },
};

/** --topic T (all partitions) or T:0,1,2. */
function parseTopicSpec(spec: string): { topic: string; partitions: number[] | null } {
  const at = spec.lastIndexOf(':');
  if (at < 0) return { topic: spec, partitions: null };
  const partitions = spec
    .slice(at + 1)
    .split(',')
    .map((p) => {
      if (!/^\d+$/.test(p))
        throw new UsageError(`--topic expects TOPIC or TOPIC:P[,P...], got '${spec}'`);
      return Number(p);
    });
  return { topic: spec.slice(0, at), partitions };
}

/** Epoch ms, or an ISO-8601 date-time. */
function parseTimestamp(value: string): bigint {
  if (/^\d+$/.test(value)) return BigInt(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new UsageError(
      `--to-timestamp expects epoch milliseconds or an ISO date-time, got '${value}'`,
    );
  return BigInt(ms);
}

const resetOffsets: Subcommand = {
  summary: 'move committed offsets',
  usage: usageText(
    'weir group reset-offsets GROUP (--topic T[:P,...] | --all-topics) TARGET [options]',
    `Sets the group's committed offsets, for a group without active members. TARGET is one of
--to-earliest, --to-latest, --to-timestamp, --to-offset. Offsets outside a partition's
log are moved to its nearest end. Prints the new offsets; --dry-run changes nothing.`,
    `  --topic TOPIC[:P,P...]       the topic (and partitions) to reset; repeatable
  --all-topics                 every topic the group has offsets for
  --to-earliest                the log start offset
  --to-latest                  the log end offset
  --to-timestamp MS|ISO        the first offset at or after a time (epoch ms or 2024-05-01T12:00:00Z)
  --to-offset N                offset N
  --dry-run                    show the new offsets without committing them
  --json                       print a JSON array of {topic, partition, offset}`,
    [
      'weir group reset-offsets billing --topic orders --to-earliest --dry-run',
      'weir group reset-offsets billing --topic orders:0,1 --to-offset 100',
      'weir group reset-offsets billing --all-topics --to-timestamp 2024-05-01T00:00:00Z',
    ],
  ),
  async run(args) {
    const { values, positionals } = parse(args, {
      ...COMMON_OPTIONS,
      topic: { type: 'string', multiple: true },
      'all-topics': { type: 'boolean' },
      'to-earliest': { type: 'boolean' },
      'to-latest': { type: 'boolean' },
      'to-timestamp': { type: 'string' },
      'to-datetime': { type: 'string' },
      'to-offset': { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const [groupId] = expectPositionals(positionals, ['GROUP']);
    const timestampText = values['to-timestamp'] ?? values['to-datetime'];
    const targets = [
      values['to-earliest'],
      values['to-latest'],
      timestampText,
      values['to-offset'],
    ].filter((t) => t !== undefined && t !== false);
    if (targets.length !== 1) {
      throw new UsageError(
        'give exactly one of --to-earliest, --to-latest, --to-timestamp, --to-offset',
      );
    }
    if ((values.topic === undefined) === !values['all-topics']) {
      throw new UsageError('give --topic TOPIC or --all-topics');
    }
    const specs = (values.topic ?? []).map(parseTopicSpec);
    const target: { offset: bigint } | { timestamp: bigint } = values['to-earliest']
      ? { timestamp: EARLIEST_TIMESTAMP }
      : values['to-latest']
        ? { timestamp: LATEST_TIMESTAMP }
        : timestampText !== undefined
          ? { timestamp: parseTimestamp(timestampText) }
          : { offset: offsetOption(values['to-offset']!, 'to-offset') };

    return withClient(values['bootstrap-server'], async (client) => {
      const group = await describeGroup(client, groupId!);
      if (group.members.length > 0) {
        throw new BrokerError(
          ErrorCode.NON_EMPTY_GROUP,
          `group '${groupId}' has ${group.members.length} active member(s) (state ${group.state}); stop them before resetting offsets`,
          null,
          true,
        );
      }
      const chosen = new Map<string, number[]>();
      if (values['all-topics']) {
        for (const [topic, partitions] of await fetchCommittedOffsets(client, groupId!))
          chosen.set(
            topic,
            [...partitions.keys()].sort((a, b) => a - b),
          );
      }
      for (const spec of specs) {
        const all = (await client.topic(spec.topic)).partitions.map((p) => p.partition);
        for (const p of spec.partitions ?? []) {
          if (!all.includes(p))
            throw new ClientError(
              'WEIR_CLIENT_UNKNOWN_TOPIC',
              `topic '${spec.topic}' has no partition ${p}`,
            );
        }
        chosen.set(spec.topic, spec.partitions ?? all);
      }
      const offsets: CommittedOffsets = new Map();
      for (const [topic, partitions] of chosen) {
        const earliest = await listOffsets(client, topic, partitions, EARLIEST_TIMESTAMP);
        const latest = await listOffsets(client, topic, partitions, LATEST_TIMESTAMP);
        const atTime =
          'timestamp' in target && target.timestamp >= 0n
            ? await listOffsets(client, topic, partitions, target.timestamp)
            : null;
        const perPartition = new Map<number, bigint>();
        for (const partition of partitions) {
          const low = earliest.get(partition) ?? 0n;
          const high = latest.get(partition) ?? 0n;
          let wanted: bigint;
          if ('offset' in target) wanted = target.offset;
          else if (target.timestamp === EARLIEST_TIMESTAMP) wanted = low;
          else if (target.timestamp === LATEST_TIMESTAMP) wanted = high;
          else wanted = atTime!.get(partition) ?? -1n;
          if (wanted < 0n) wanted = high; // no record at or after the time
          perPartition.set(partition, wanted < low ? low : wanted > high ? high : wanted);
        }
        offsets.set(topic, perPartition);
      }
      if (!values['dry-run']) await commitOffsets(client, groupId!, offsets);
      const rows = [...offsets].flatMap(([topic, partitions]) =>
        [...partitions].map(([partition, offset]) => ({ topic, partition, offset })),
      );
      if (values.json) {
        process.stdout.write(`${json(rows)}\n`);
      } else {
        process.stdout.write(
          table(
            ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
            rows.map((r) => [groupId!, r.topic, r.partition, r.offset]),
          ),
        );
        if (values['dry-run']) process.stdout.write('(dry run: no offsets were changed)\n');
      }
      return EXIT_OK;
    });
  },
};

const remove: Subcommand = {
  summary: 'delete groups',
  usage: usageText(
    'weir group delete GROUP... [options]',
    'Deletes groups that have no active members, with their committed offsets.',
    '',
    ['weir group delete billing', 'weir group delete old-1 old-2'],
  ),
  async run(args) {
    const { values, positionals } = parse(args, { ...COMMON_OPTIONS });
    if (positionals.length === 0) throw new UsageError('missing GROUP');
    return withClient(values['bootstrap-server'], async (client) => {
      const results = await deleteGroups(client, positionals);
      for (const groupId of positionals) {
        const code = results.get(groupId) ?? ErrorCode.NONE;
        if (code === ErrorCode.GROUP_ID_NOT_FOUND) throw notFound(groupId);
        if (code === ErrorCode.NON_EMPTY_GROUP) {
          throw new BrokerError(code, `group '${groupId}' still has active members`, null, true);
        }
        if (code !== ErrorCode.NONE) throw new BrokerError(code, `delete group '${groupId}'`);
        process.stdout.write(`Deleted group '${groupId}'\n`);
      }
      return EXIT_OK;
    });
  },
};

export const groupCommand: Command = {
  name: 'group',
  summary: 'list, describe, show lag of, reset and delete consumer groups',
  usage: USAGE,
  run: (args) =>
    dispatch(USAGE, { list, describe, lag, 'reset-offsets': resetOffsets, delete: remove }, args),
};
